"""Card payments in the citizen's flow: the events, effects and worker steps.

The session decides *when* to pay (a filed request's fee, or a notice paid by
reference) and turns the citizen's touches into a :class:`PaymentOrder`. The
payment worker hands the order to :class:`PaymentDesk`, which blocks on the
terminal, prints the payment receipt and answers with one
:data:`PaymentOutcome` for the session. Nothing here imports Qt.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from kiosk.hardware.printer import Printer, PrinterError
from kiosk.i18n import N_, translations
from kiosk.payments.amounts import format_amount
from kiosk.payments.journal import Payment
from kiosk.payments.receipt import payment_receipt_lines
from kiosk.payments.service import (
    PaymentRefusedError,
    PaymentService,
    PaymentUncertainError,
    Quote,
    RefusalReason,
    ended_without_card,
)
from kiosk.receipt import Receipt
from kiosk.store import StoreError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PaymentOrder:
    """A confirmed payment, with what its receipt needs to say."""

    quote: Quote
    language: str
    subject: str
    """The service's name for a fee, the notice's reference otherwise."""
    ticket: str | None = None
    """The filed request's ticket, for a fee."""


# Outcomes: the worker's answer, carried to the session by PaymentAnswered.


@dataclass(frozen=True)
class Settled:
    """The terminal answered: approved, declined, not charged or reversed."""

    payment: Payment
    printed: bool = False
    """The payment receipt was printed (only an approved payment has one)."""
    no_card: bool = False
    """The terminal gave up because no card came in time; nothing charged."""


@dataclass(frozen=True)
class Refused:
    """The payment was not started; nothing was charged."""

    reason: RefusalReason


@dataclass(frozen=True)
class Uncertain:
    """The terminal's answer is unknown; the payment will be checked."""


@dataclass(frozen=True)
class NotStarted:
    """The payment could not be written down first, so it was not started."""


PaymentOutcome = Settled | Refused | Uncertain | NotStarted


# Events for the session.


@dataclass(frozen=True)
class PayNow:
    """The citizen confirms the card payment of the amount shown."""


@dataclass(frozen=True)
class PayLater:
    """The citizen leaves the fee for later (the request stays filed)."""


@dataclass(frozen=True)
class OpenPayByReference:
    """The citizen wants to pay a fine or a tax by its reference."""


@dataclass(frozen=True)
class SubmitReference:
    """The reference as typed on the on-screen keyboard."""

    text: str


@dataclass(frozen=True)
class NoticeScanned:
    """The camera read a QR code while the reference screen was up."""

    text: str


@dataclass(frozen=True)
class SubmitAmount:
    """The amount as typed, when the notice holds none."""

    text: str


@dataclass(frozen=True)
class CancelPayment:
    """The citizen asks to stop the payment waiting on the terminal."""


@dataclass(frozen=True)
class PaymentAnswered:
    """The payment worker's answer to a PayCard effect."""

    outcome: PaymentOutcome


PaymentEvent = (
    PayNow
    | PayLater
    | OpenPayByReference
    | SubmitReference
    | NoticeScanned
    | SubmitAmount
    | CancelPayment
    | PaymentAnswered
)


# Effects from the session.


@dataclass(frozen=True)
class PayCard:
    """Run this payment on the payment worker; answered by PaymentAnswered."""

    order: PaymentOrder


@dataclass(frozen=True)
class StopCardPayment:
    """Ask the terminal to stop the sale in progress (from any thread)."""


PaymentEffect = PayCard | StopCardPayment


# Texts the session shows for each outcome.

DECLINED = N_(
    "The card payment was declined. Nothing was charged. You can try again, "
    "with another card, or pay later."
)
NOT_CHARGED = N_(
    "The payment did not go through. No card came in time, or it was "
    "cancelled. Nothing was charged. You can try again or pay later."
)
TAKEN_BACK = N_(
    "The payment could not be matched and was taken back. Nothing was "
    "charged. You can try again or pay later."
)
NOT_WRITTEN = N_(
    "The kiosk could not start the payment. Nothing was charged. Please try "
    "again or pay later."
)
UNCERTAIN = N_(
    "We could not get the card terminal's answer. Do not pay again: the "
    "payment will be checked, and the staff can help you."
)
OFFLINE = N_(
    "Card payments need a connection to the city hall, which is not available "
    "right now. Nothing was charged; please pay later."
)
TERMINAL_DOWN = N_(
    "The card terminal is not working right now. Nothing was charged; please "
    "try again in a moment or pay later."
)
PAUSED = N_(
    "Card payments are paused at this kiosk until the staff check an earlier "
    "payment. Nothing was charged; please pay later or ask the staff."
)
RECEIPT_NOT_PRINTED = N_(
    "The payment receipt could not be printed: please photograph this screen."
)

RETRY_REASONS = (RefusalReason.TERMINAL_UNAVAILABLE,)
"""Refusals after which the same payment may simply be tried again."""


def refusal_message(reason: RefusalReason) -> str:
    """The untranslated sentence for a refused payment."""
    return {
        RefusalReason.OFFLINE: OFFLINE,
        RefusalReason.TERMINAL_UNAVAILABLE: TERMINAL_DOWN,
    }.get(reason, PAUSED)


def payment_receipt(
    payment: Payment, order: PaymentOrder, kiosk_id: str, zone: ZoneInfo
) -> Receipt:
    """The receipt of an approved payment; its big number is the payment's."""
    lang = order.language
    _ = translations(lang).gettext
    what = (
        ((_("Ticket number"), order.ticket), (_("Service"), order.subject))
        if order.ticket
        else ((_("Payment reference"), order.subject),)
    )
    local = payment.updated_utc.astimezone(zone)
    return Receipt(
        ticket=payment.reference,
        title=_("City Hall - card payment receipt"),
        lines=(
            *what,
            *payment_receipt_lines(payment, lang),
            (_("Date and time"), local.strftime("%d.%m.%Y %H:%M")),
            (_("Kiosk"), kiosk_id),
        ),
        footer=_(
            "Keep this receipt as proof of payment. The payment number above "
            "lets the staff find it."
        ),
        qr_payload=f"antonia:payment:{kiosk_id}:{payment.reference}",
    )


def paid_message(payment: Payment, lang: str) -> str:
    """One sentence saying what was paid, in the citizen's language."""
    _ = translations(lang).gettext
    return _("Paid {amount} by card {card}, authorisation code {code}.").format(
        amount=format_amount(payment.amount_bani, payment.currency),
        card=payment.masked_pan or "",
        code=payment.auth_code or "",
    )


class PaymentDesk:
    """Runs the session's payment orders on the payment worker thread."""

    def __init__(
        self,
        service: PaymentService,
        printer: Printer,
        kiosk_id: str,
        zone: ZoneInfo,
    ) -> None:
        self.service = service
        self.printer = printer
        self.kiosk_id = kiosk_id
        self.zone = zone

    def pay(self, order: PaymentOrder) -> PaymentOutcome:
        """Charge one order and print its receipt; never raises."""
        try:
            payment = self.service.pay(order.quote)
        except PaymentRefusedError as exc:
            logger.warning("Card payment refused: %s", exc)
            return Refused(exc.reason)
        except PaymentUncertainError as exc:
            # The intent stays in flight: recover() or a technician settles
            # it, and until then no second payment can start.
            logger.error("Card payment needs checking: %s", exc)
            return Uncertain()
        except StoreError as exc:
            logger.error("Card payment not started, journal unwritable: %s", exc)
            return NotStarted()
        except Exception:  # noqa: BLE001 - supervisor: the citizen must get an answer
            logger.exception("Card payment failed unexpectedly")
            return Uncertain()
        printed = payment.charged and self._print(payment, order)
        return Settled(payment, printed, no_card=ended_without_card(payment))

    def cancel(self) -> None:
        """Ask the terminal to stop waiting for a card (any thread)."""
        self.service.cancel()

    def recover(self) -> list[Payment]:
        """Settle what a crash left in flight; never raises."""
        try:
            settled = self.service.recover()
        except Exception:  # noqa: BLE001 - supervisor of the start-up recovery
            logger.exception("Payment recovery failed; payments stay blocked")
            return []
        if settled:
            logger.info("Payments recovered at start-up: %d", len(settled))
        return settled

    def close(self) -> None:
        """Release the terminal and the journal's database connection."""
        self.service.terminal.close()
        self.service.journal.outbox.close()

    def _print(self, payment: Payment, order: PaymentOrder) -> bool:
        receipt = payment_receipt(payment, order, self.kiosk_id, self.zone)
        try:
            if not self.printer.status().can_print:
                logger.warning("Payment receipt not printed: %s", payment.reference)
                return False
            self.printer.print_receipt(receipt)
        except PrinterError as exc:
            logger.warning(
                "Payment receipt not printed: %s: %s", payment.reference, exc
            )
            return False
        except Exception:  # noqa: BLE001 - supervisor of the printer driver
            logger.exception("Payment receipt not printed: %s", payment.reference)
            return False
        return True
