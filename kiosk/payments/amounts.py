"""Money as the citizen reads and types it, and payment notices they scan."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiosk.hardware.payment_terminal import CURRENCY

_AMOUNT = re.compile(r"^(\d{1,7})(?:[.,](\d{1,2}))?$")
_REFERENCE = re.compile(r"^[A-Za-z0-9-]{4,32}$")
_NOTICE_PREFIX = "antonia:pay:"
MAX_AMOUNT_BANI = 10_000_000
"""Largest amount the kiosk charges in one payment (100,000 RON)."""


@dataclass(frozen=True)
class PaymentNotice:
    """A payment reference typed by the citizen or read from a notice's QR code."""

    reference: str
    """The city hall's reference of the debt (4-32 letters, digits, dashes)."""
    amount_bani: int | None
    """The amount printed on the notice; None when the citizen must type it."""


def format_amount(amount_bani: int, currency: str = CURRENCY) -> str:
    """The amount as printed in Romania: ``1.234,50 RON``."""
    lei, bani = divmod(amount_bani, 100)
    return f"{lei:,}".replace(",", ".") + f",{bani:02d} {currency}"


def parse_amount(text: str) -> int:
    """Bani from a typed amount such as ``12``, ``12,5`` or ``12.50``.

    Raises:
        ValueError: not an amount, zero, or above MAX_AMOUNT_BANI.
    """
    match = _AMOUNT.match(text.strip().removesuffix("RON").strip())
    if match is None:
        raise ValueError(f"not an amount in lei: {text!r}")
    bani = int(match[1]) * 100 + int((match[2] or "0").ljust(2, "0"))
    if not 0 < bani <= MAX_AMOUNT_BANI:
        raise ValueError(f"amount out of range: {text!r}")
    return bani


def parse_notice(text: str) -> PaymentNotice:
    """A notice from a typed reference or a scanned ``antonia:pay:REF:BANI`` code.

    Raises:
        ValueError: the text is not a valid reference or payment code.
    """
    text = text.strip()
    amount: int | None = None
    if text.startswith(_NOTICE_PREFIX):
        reference, _, bani = text.removeprefix(_NOTICE_PREFIX).partition(":")
        if not bani.isdigit() or not 0 < int(bani) <= MAX_AMOUNT_BANI:
            raise ValueError("the payment code holds no valid amount")
        text, amount = reference, int(bani)
    if not _REFERENCE.match(text):
        raise ValueError("a payment reference is 4-32 letters, digits or dashes")
    return PaymentNotice(text.upper(), amount)
