"""What one screen of the citizen's flow shows: the screens, buttons and views.

A :class:`View` is plain data, already worded in the citizen's language; the
session builds one per screen (see kiosk.views) and the UI renders it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Screen(enum.Enum):
    """The screens of the citizen's flow."""

    ATTRACT = "attract"
    LANGUAGE = "language"
    DESCRIBE = "describe"
    CATEGORIES = "categories"
    SERVICES = "services"
    PROPOSAL = "proposal"
    CHOICES = "choices"
    EXTERNAL = "external"
    CONTACT = "contact"
    SUMMARY = "summary"
    FILING = "filing"
    DONE = "done"
    PAY_OFFER = "pay_offer"
    """A filed request's fee: pay now by card, or later."""
    PAY_REFERENCE = "pay_reference"
    PAY_AMOUNT = "pay_amount"
    PAY_CONFIRM = "pay_confirm"
    PAYING = "paying"
    """The terminal has the sale; only its answer or a cancel moves on."""
    PAID = "paid"


@dataclass(frozen=True)
class Choice:
    """A button the citizen can press to pick a service or a category."""

    key: str
    """Service code, or category group on the categories screen."""
    label: str
    detail: str = ""
    """Second line, e.g. the department that handles the service."""


@dataclass(frozen=True)
class View:
    """Everything a screen shows, already in the citizen's language."""

    screen: Screen
    language: str
    prompt: str
    """The main sentence of the screen; it is also spoken."""
    message: str | None = None
    """An error or a hint, shown prominently."""
    text: str = ""
    """The description as the citizen typed it (kept across errors)."""
    choices: tuple[Choice, ...] = ()
    phone: str = ""
    email: str = ""
    consent: bool = False
    ticket: str | None = None
    printed: bool = False
    idle_countdown_s: int | None = None
    """Seconds left before reset, while the idle warning is up."""
    amount: str = ""
    """The amount to pay, formatted (``94,00 RON``), on the payment screens."""
    amount_words: str = ""
    """The same amount as a voice reads it (``94 de lei``)."""
    reference: str = ""
    """The notice's payment reference, when paying by reference."""
    entry: str = ""
    """The reference or amount as typed (kept across errors)."""
    payment_lines: tuple[tuple[str, str], ...] = ()
    """Label and value pairs of an approved payment (masked card only)."""
    payments: bool = False
    """The kiosk takes card payments (offer paying by reference)."""
    card_countdown_s: int | None = None
    """Seconds the terminal still waits for the card, once the warning is up."""
