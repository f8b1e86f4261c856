"""Text normalisation shared by everything that compares citizen text.

Citizens type with and without diacritics, with legacy cedilla letters
(ş ţ) or the correct comma-below ones (ș ț), in any case, and speech
transcripts come with no punctuation at all. Comparison happens on a folded
form; the citizen's original text is always kept as typed.
"""

from __future__ import annotations

import re
import unicodedata

_CEDILLA_TO_COMMA = str.maketrans({"ş": "ș", "ţ": "ț", "Ş": "Ș", "Ţ": "Ț"})
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_DIGITS_UNDERSCORE = re.compile(r"[_\d]+")


def canonical(text: str) -> str:
    """NFC text with Romanian cedilla letters turned into comma-below ones."""
    return unicodedata.normalize("NFC", text).translate(_CEDILLA_TO_COMMA)


def strip_diacritics(text: str) -> str:
    """The text with every combining mark removed (ș → s, ő → o, ă → a)."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Case-folded, diacritic-free, punctuation-free text with single spaces."""
    folded = strip_diacritics(canonical(text)).casefold()
    words = _NON_WORD.sub(" ", folded)
    return " ".join(_DIGITS_UNDERSCORE.sub(" ", words).split())


def tokens(text: str) -> list[str]:
    """The folded words of ``text``."""
    return fold(text).split()
