"""Validation of the contact details a citizen may leave with a request."""

from __future__ import annotations

import re
import unicodedata

from kiosk.i18n import N_

MAX_EMAIL_CHARS = 254
"""The longest address SMTP can carry (RFC 5321 path limit)."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
_PHONE_SEPARATORS = re.compile(r"[\s().\-/]")
_UNSEEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
"""Control, format (such as right-to-left overrides), surrogate, private and
unassigned characters: invisible or misleading on a screen and in a clerk's
mail program, and never part of a real address."""


class ContactError(ValueError):
    """A contact field is not valid; ``message`` is an untranslated text."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def normalise_phone(raw: str) -> str:
    """A phone number as digits with an optional leading +.

    Romanian numbers are accepted in national form (07xx xxx xxx) and in
    international form; any other country's number in international form.

    Raises:
        ContactError: the text is not a plausible phone number.
    """
    compact = _PHONE_SEPARATORS.sub("", raw.strip())
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    digits = compact[1:] if compact.startswith("+") else compact
    if not digits.isdigit() or not digits.isascii():
        raise ContactError(
            N_("A phone number may contain only digits and a leading +.")
        )
    if compact.startswith("+"):
        if not 8 <= len(digits) <= 15:
            raise ContactError(N_("This phone number has too few or too many digits."))
        return compact
    if len(digits) == 10 and digits.startswith("0"):
        return "+40" + digits[1:]
    raise ContactError(
        N_(
            "Enter a Romanian number, like 0722 123 456. "
            "Or start with + and the country code."
        )
    )


def normalise_email(raw: str) -> str:
    """An e-mail address, trimmed, with its domain in lower case.

    Raises:
        ContactError: the text is not a plausible e-mail address.
    """
    address = raw.strip()
    if (
        len(address) > MAX_EMAIL_CHARS
        or not _EMAIL.match(address)
        or any(unicodedata.category(ch) in _UNSEEN_CATEGORIES for ch in address)
    ):
        raise ContactError(
            N_("This e-mail address is not valid, e.g. name@example.com.")
        )
    local, domain = address.rsplit("@", 1)
    return f"{local}@{domain.lower()}"
