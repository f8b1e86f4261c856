import time
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.routing import Candidate, DecisionKind, decide
from tests.routing_helpers import shared_router

ROUTE_BUDGET_S = 0.5
SENTENCES = [
    ("ro", "Vreau să plătesc impozitul pe casă și pe mașină"),
    ("ro", "Semaforul de la intersecție nu funcționează"),
    ("ro", "Aș vrea să-mi înscriu fetița la creșă în Mănăștur"),
    ("hu", "Lejárt a személyi igazolványom, újat szeretnék"),
    ("hu", "Fűtéstámogatást szeretnék igényelni a télre"),
    ("en", "There's a dangerous dead tree in front of our block"),
]
CEDILLA = str.maketrans({"ș": "ş", "ț": "ţ", "Ș": "Ş", "Ț": "Ţ"})


def strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    # Long texts are built by repeating a short one: up to a megabyte.
    text=st.text(max_size=2000)
    | st.builds(
        lambda piece, times: piece * times,
        st.text(min_size=1, max_size=200),
        st.integers(min_value=1, max_value=5000),
    ),
    lang=st.sampled_from(["ro", "hu", "en", "xx"]),
)
def test_any_unicode_text_routes_without_error_in_bounded_time(
    text: str, lang: str
) -> None:
    started = time.perf_counter()
    decision = shared_router().route(text, lang)
    assert time.perf_counter() - started < ROUTE_BUDGET_S
    assert isinstance(decision.kind, DecisionKind)
    assert all(0.0 <= c.probability <= 1.0 for c in decision.ranking)


def test_a_megabyte_paste_routes_within_the_budget() -> None:
    text = "impozit 🙂\x00\u202e" * 100_000
    started = time.perf_counter()
    decision = shared_router().route(text, "ro")
    assert time.perf_counter() - started < ROUTE_BUDGET_S
    assert decision.kind is not None


@settings(max_examples=30, deadline=None)
@given(
    case=st.sampled_from(SENTENCES),
    upper=st.booleans(),
    variant=st.sampled_from(["as typed", "no diacritics", "cedilla", "nfd"]),
)
def test_spelling_variants_of_a_sentence_route_the_same(
    case: tuple[str, str], upper: bool, variant: str
) -> None:
    lang, text = case
    changed = {
        "as typed": text,
        "no diacritics": strip_marks(text),
        "cedilla": text.translate(CEDILLA),
        "nfd": unicodedata.normalize("NFD", text),
    }[variant]
    if upper:
        changed = changed.upper()
    router = shared_router()
    expected = router.route(text, lang)
    got = router.route(changed, lang)
    assert got.kind == expected.kind
    assert [c.service.code for c in got.ranking[:3]] == [
        c.service.code for c in expected.ranking[:3]
    ]


def test_rank_returns_candidates_with_probabilities_and_evidence() -> None:
    ranking = shared_router().rank("mi-a expirat buletinul", "ro", limit=3)
    assert len(ranking) == 3
    assert ranking[0].service.code == "id.identity_card"
    assert ranking[0].probability >= ranking[1].probability
    assert sum(c.probability for c in ranking) <= 1.0 + 1e-9
    assert "buletinul" in ranking[0].evidence


def test_rank_of_empty_text_is_empty_and_decides_to_reprompt() -> None:
    assert shared_router().rank("   ", "ro") == []
    assert decide([]).kind is DecisionKind.REPROMPT


def test_decide_alone_confirms_a_confident_candidate() -> None:
    service = shared_router().catalog.service("roads.road_repair")
    decision = decide([Candidate(service, 0.9, ("groapă",))])
    assert decision.kind is DecisionKind.CONFIRM
    assert decision.best is not None
    assert decision.best.service is service
