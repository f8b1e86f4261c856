"""The lines a card payment adds to the citizen's receipt."""

from __future__ import annotations

from kiosk.i18n import translations
from kiosk.payments.amounts import format_amount
from kiosk.payments.journal import Payment


def payment_receipt_lines(payment: Payment, lang: str) -> tuple[tuple[str, str], ...]:
    """Label and value pairs for :class:`kiosk.receipt.Receipt` ``lines``.

    Only a charged payment gets card lines; any other state says it was not
    paid, so a receipt never suggests a charge that did not happen.
    """
    _ = translations(lang).gettext
    if not payment.charged:
        return ((_("Card payment"), _("not paid")),)
    return (
        (_("Amount paid"), format_amount(payment.amount_bani, payment.currency)),
        (_("Card"), payment.masked_pan or ""),
        (_("Authorisation code"), payment.auth_code or ""),
        (_("Terminal"), payment.terminal_id or ""),
        (_("Transaction"), payment.transaction_id or ""),
    )
