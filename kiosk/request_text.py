"""What a request's own words may be, wherever they were typed or said."""

from __future__ import annotations

import unicodedata

from kiosk.i18n import N_

MAX_TEXT_CHARS = 1000
"""Longest description accepted; the back-end takes at most 4000 characters,
and a longer paste is kept on screen for the citizen to shorten."""

_DROPPED = ("Cc", "Cf", "Cs", "Co", "Cn")


class RequestTextError(ValueError):
    """The text cannot be filed; ``message`` is untranslated, with fields."""

    def __init__(self, message: str, **fields: object) -> None:
        self.message = message
        self.fields = fields
        super().__init__(message.format(**fields))


def without_control_characters(text: str) -> str:
    """Line breaks and tabs as spaces, other control and format characters gone.

    NUL, escape sequences and bidirectional overrides never belong in a
    request, and some would reach the back-end's database or its screens.
    """
    out = []
    for ch in text:
        if ch in "\n\r\t":
            out.append(" ")
        elif unicodedata.category(ch) not in _DROPPED:
            out.append(ch)
    return "".join(out)


def checked_text(typed: str) -> str:
    """The words to file for ``typed``.

    Raises:
        RequestTextError: nothing is left to file, or the text is too long.
    """
    clean = without_control_characters(typed).strip()
    if not clean:
        raise RequestTextError(
            N_("Please tell us what you need, or choose a category.")
        )
    if len(clean) > MAX_TEXT_CHARS:
        raise RequestTextError(
            N_(
                "Your text is {count} characters long. Please shorten it to at "
                "most {limit} characters."
            ),
            count=len(clean),
            limit=MAX_TEXT_CHARS,
        )
    return clean
