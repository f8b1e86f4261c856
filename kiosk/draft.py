"""What the current citizen has entered, held while the session lasts.

The draft is dropped whole when the session resets, which drops every
reference the kiosk holds to the citizen's words and contact details.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.catalog import Service
from kiosk.payments.amounts import PaymentNotice
from kiosk.payments.journal import Payment
from kiosk.payments.service import Quote
from kiosk.view_model import Screen


@dataclass
class Draft:
    """What the current citizen has entered; dropped whole on reset."""

    language: str
    text: str = ""
    service: Service | None = None
    alternatives: tuple[Service, ...] = ()
    secondary: Service | None = None
    phone: str = ""
    email: str = ""
    consent: bool = False
    category: str | None = None
    history: list[Screen] = field(default_factory=list)
    ticket: str | None = None
    """The filed request whose fee is offered."""
    printed: bool = False
    notice: PaymentNotice | None = None
    quote: Quote | None = None
    payment: Payment | None = None
    """The approved payment, shown until the session ends."""
    reference_entry: str = ""
    amount_entry: str = ""
    fee_varies: bool = False
