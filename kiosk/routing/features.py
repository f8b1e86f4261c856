"""Turning citizen text into the features the router's model reads.

Two views of the same folded text: word stems (with the Snowball stemmer of
the kiosk language, so "impozitul" and "impozitele" meet) with their bigrams,
and character n-grams inside words, which absorb typos, missing diacritics
and Hungarian suffixes the stemmer does not know.
"""

from __future__ import annotations

import functools

import snowballstemmer

from kiosk.textnorm import word_pairs

_STEMMER_NAMES = {"ro": "romanian", "hu": "hungarian", "en": "english"}
_MIN_STEM = 3
# Words that carry no topic in any kiosk language; they never count as
# evidence. The model still sees them, since "nu" or "nem" can matter.
_STOPWORDS = frozenset(
    """
    a al ale am ar as au ca ce cu da de din e ea el eu fi in la le lui ma mai mi
    ne nu o pe sa se si sunt te un una va vreau vrea as putea
    az egy es is meg nem van vagy hogy mi ez azt de ha el ki be szeretnek kell
    the an and or of to in on for is are was be my me i you it at do does can
    we our your this that with have has need want please
    """.split()
)


@functools.cache
def _stemmer(lang: str) -> snowballstemmer.stemmer | None:
    name = _STEMMER_NAMES.get(lang)
    return snowballstemmer.stemmer(name) if name else None


@functools.lru_cache(maxsize=65536)
def stem(word: str, lang: str) -> str:
    """The stem of a folded word in ``lang``; short words stay whole."""
    stemmer = _stemmer(lang)
    if stemmer is None or len(word) <= _MIN_STEM:
        return word
    stemmed: str = stemmer.stemWord(word)
    return stemmed if len(stemmed) >= _MIN_STEM else word


def is_stopword(word: str) -> bool:
    """True for a folded word too common or short to explain a routing."""
    return len(word) < 3 or word in _STOPWORDS


def encode(text: str, lang: str) -> str:
    """The text as one string the vectorisers split: stems, then folded words.

    Both views travel in one string, separated by a tab, because scikit-learn
    analysers see one string per document.
    """
    folded = [word for _, word in word_pairs(text)]
    stems = [stem(word, lang) for word in folded]
    return " ".join(stems) + "\t" + " ".join(folded)


def word_features(document: str) -> list[str]:
    """Stems and stem bigrams of an encoded document."""
    words = document.split("\t", 1)[0].split()
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def char_features(document: str) -> list[str]:
    """Character 3- to 5-grams of each folded word, word edges marked."""
    grams: list[str] = []
    for word in document.split("\t", 1)[-1].split():
        grams.extend(word_grams(word))
    return grams


def word_grams(word: str) -> list[str]:
    """Character 3- to 5-grams of one folded word, edges marked by spaces."""
    padded = f" {word} "
    return [
        padded[i : i + size]
        for size in (3, 4, 5)
        for i in range(len(padded) - size + 1)
    ]
