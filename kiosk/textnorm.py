"""Text normalisation shared by everything that compares citizen text.

Citizens type with and without diacritics, with legacy cedilla letters
(ş ţ) or the correct comma-below ones (ș ț), with Hungarian ő ű or the look-
alikes õ û of a wrong keyboard layout, in any case, and speech transcripts come
with no punctuation at all. Comparison happens on a folded form; the citizen's
original text is always kept as typed.
"""

from __future__ import annotations

import re
import unicodedata

MAX_INPUT_CHARS = 1000
"""Longer input is cut: a request never needs more, and it bounds the time."""

_LOOKALIKES = str.maketrans(
    {
        "ş": "ș",
        "ţ": "ț",
        "Ş": "Ș",
        "Ţ": "Ț",
        # Hungarian double acute letters typed on a layout that lacks them.
        "õ": "ő",
        "û": "ű",
        "Õ": "Ő",
        "Û": "Ű",
        "ô": "ő",
        "Ô": "Ő",
    }
)
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_UNDERSCORE = re.compile(r"_+")
_REPEATS = re.compile(r"([^\W\d_])\1{2,}", re.UNICODE)

# Folded spellings seen in typed and transcribed requests, mapped to the form
# the router learnt. Only whole words that are unambiguous in all three
# languages belong here; everything else is left to the character n-grams.
_SPELLING = {
    "trebe": "trebuie",
    "tre": "trebuie",
    "pt": "pentru",
    "ptr": "pentru",
    "vreu": "vreau",
    "vr": "vreau",
    "dc": "de",
    "ms": "multumesc",
    "buletinu": "buletinul",
    "primarie": "primaria",
    "pls": "please",
    "plz": "please",
    "u": "you",
    "ur": "your",
    "im": "i",
    "cant": "cannot",
    "dont": "do",
}


def clean(text: str) -> str:
    """The text cut to :data:`MAX_INPUT_CHARS`, without control characters.

    This is what the kiosk keeps and shows as typed: runs of white space become
    one space, and characters that are never meant as text (control and format
    characters, lone surrogates, private-use and unassigned code points) go.
    """
    cut = text[:MAX_INPUT_CHARS]
    kept = []
    for ch in cut:
        category = unicodedata.category(ch)
        if ch.isspace():
            kept.append(" ")
        elif category not in _DROPPED_CATEGORIES:
            kept.append(ch)
    return " ".join("".join(kept).split())


def canonical(text: str) -> str:
    """NFC text with look-alike letters turned into the correct ones."""
    return unicodedata.normalize("NFC", text).translate(_LOOKALIKES)


def strip_diacritics(text: str) -> str:
    """The text with every combining mark removed (ș → s, ő → o, ă → a)."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Case-folded, diacritic-free, punctuation-free text with single spaces.

    Letters repeated three times or more are squeezed to one ("plsss" → "pls")
    and a few common shorthand and misspelt words are written out.
    """
    return " ".join(folded for _, folded in word_pairs(text))


def word_pairs(text: str) -> list[tuple[str, str]]:
    """Each word of ``text`` as typed, paired with its folded form."""
    pairs = []
    for word in _NON_WORD.split(canonical(clean(text))):
        folded = strip_diacritics(word).casefold()
        folded = _REPEATS.sub(r"\1", _UNDERSCORE.sub(" ", folded))
        for piece in _NON_WORD.split(folded):
            if piece:
                pairs.append((word, _SPELLING.get(piece, piece)))
    return pairs


def tokens(text: str) -> list[str]:
    """The folded words of ``text``."""
    return fold(text).split()
