import pytest

from kiosk.textnorm import MAX_INPUT_CHARS, canonical, clean, fold, word_pairs


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Semaforul de la intersecţie", "semaforul de la intersectie"),
        ("Semaforul de la intersecție", "semaforul de la intersectie"),
        ("SEMAFORUL DE LA INTERSECTIE", "semaforul de la intersectie"),
        ("Lejárt a személyim!", "lejart a szemelyim"),
        ("Lejárt a személyim", "lejart a szemelyim"),
        ("fűtéstámogatás", "futestamogatas"),
        ("Házsongárdi temetõ", "hazsongardi temeto"),
        ("n-am plătit,nici   azi", "n am platit nici azi"),
        ("vreau buletinu pt ca trebe", "vreau buletinul pentru ca trebuie"),
        ("ajutorrrr", "ajutor"),
        ("taxa 1000 lei", "taxa 1000 lei"),
    ],
)
def test_fold_matches_spellings_of_the_same_words(typed: str, folded: str) -> None:
    assert fold(typed) == folded


def test_cedilla_letters_become_comma_below() -> None:
    assert canonical("Ştefan ţară") == "Ștefan țară"


def test_hungarian_lookalike_letters_become_double_acute() -> None:
    assert canonical("kõ és tû") == "kő és tű"


def test_decomposed_and_composed_letters_fold_alike() -> None:
    assert fold("cas\u0103") == fold("casă") == "casa"


def test_clean_drops_control_characters_and_squeezes_space() -> None:
    assert clean("impozit\x00\x07 pe\u200b\tcasă\n") == "impozit pe casă"


def test_clean_caps_the_length() -> None:
    assert len(clean("a" * 50_000)) == MAX_INPUT_CHARS


def test_word_pairs_keep_the_words_as_typed() -> None:
    assert word_pairs("Aș vrea BULETIN") == [
        ("Aș", "as"),
        ("vrea", "vrea"),
        ("BULETIN", "buletin"),
    ]


def test_emoji_and_punctuation_fold_to_nothing() -> None:
    assert fold("🙂🙂 ?!... ") == ""
