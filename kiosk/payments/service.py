"""The card payment flows: quote, pay, cancel, and recover after a crash.

Everything here blocks on the terminal, so it runs on the payment worker
thread; the UI gets a :class:`Quote` to show, the citizen confirms, and
:meth:`PaymentService.pay` returns the settled :class:`Payment`.

The order that makes a payment safe against a crash at any point:

1. the intent is committed to the journal (nothing asked yet);
2. the terminal runs the sale under the intent's reference;
3. the answer is committed against the intent.

At start-up :meth:`PaymentService.recover` asks the terminal for its last
transaction for each intent still in flight. Only one payment is ever in
flight, so the terminal's last transaction either carries that intent's
reference or proves the sale never ran.

Errors::

    PaymentError                 a payment did not happen as asked
    ├── PaymentRefusedError      nothing was charged: offline, terminal
    │                            unavailable, already paid, another in flight
    └── PaymentUncertainError    the terminal's answer is unknown; the payment
                                 stays in flight until recover() settles it
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.catalog import Service
from kiosk.hardware.payment_terminal import (
    Outcome,
    PaymentTerminal,
    Sale,
    TerminalBusyError,
    TerminalError,
    TerminalNoAnswerError,
    TerminalResult,
    TerminalUnavailableError,
)
from kiosk.payments.amounts import PaymentNotice
from kiosk.payments.journal import (
    Payment,
    PaymentBlockedError,
    PaymentJournal,
    PaymentState,
)
from kiosk.store import QueuedRequest

logger = logging.getLogger(__name__)

Checkpoint = Callable[[str], None]
"""Called with a step name once that step is durable (used by crash tests)."""


class RefusalReason(enum.Enum):
    """Why a card payment was not even started."""

    OFFLINE = "offline"
    """The back-end is unreachable; card payments wait until it is back."""
    TERMINAL_UNAVAILABLE = "terminal_unavailable"
    ANOTHER_IN_FLIGHT = "another_in_flight"
    """An earlier payment is still unresolved; recover() must settle it first."""
    NEEDS_TECHNICIAN = "needs_technician"
    """This purpose has a payment a technician must check before any retry."""
    NOTHING_TO_PAY = "nothing_to_pay"


class PaymentError(Exception):
    """A card payment did not happen as asked."""


class PaymentRefusedError(PaymentError):
    """Nothing was charged, and nothing will be for this attempt."""

    def __init__(self, reason: RefusalReason, detail: str) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"card payment refused ({reason.value}): {detail}")


class PaymentUncertainError(PaymentError):
    """The terminal's answer is unknown; the payment stays in flight."""

    def __init__(self, payment: Payment, detail: str) -> None:
        self.payment = payment
        self.detail = detail
        super().__init__(
            f"payment {payment.reference} is unresolved: {detail}; "
            "it will be settled from the terminal's records"
        )


@dataclass(frozen=True)
class Quote:
    """A payment the citizen is asked to confirm before the terminal is used."""

    purpose: str
    """``fee:<ticket>`` or ``notice:<reference>``; one charge per purpose."""
    amount_bani: int
    request_uuid: str | None = None
    """The filed request this fee belongs to."""


class PaymentService:
    """Runs card payments against a terminal, journalled in the outbox."""

    def __init__(
        self,
        journal: PaymentJournal,
        terminal: PaymentTerminal,
        backend_reachable: Callable[[], bool],
        wait: Callable[[float], None] | None = None,
        checkpoint: Checkpoint | None = None,
    ) -> None:
        self.journal = journal
        self.terminal = terminal
        self.backend_reachable = backend_reachable
        self.busy_retries = 5
        """How often a busy terminal is asked again for its last transaction."""
        self.busy_retry_s = 1.0
        self._wait = wait or _wait_on_event
        self._checkpoint = checkpoint or (lambda step: None)

    @staticmethod
    def quote_fee(request: QueuedRequest, service: Service) -> Quote:
        """The fee of a filed request, to confirm and pay.

        Raises:
            PaymentRefusedError: the service has no fixed fee to pay here.
        """
        if not service.fee_bani:
            raise PaymentRefusedError(
                RefusalReason.NOTHING_TO_PAY, f"{service.code} has no fixed fee"
            )
        return Quote(f"fee:{request.ticket}", service.fee_bani, request.uuid)

    @staticmethod
    def quote_notice(notice: PaymentNotice, amount_bani: int) -> Quote:
        """A payment by reference; ``amount_bani`` is what the citizen confirmed."""
        if amount_bani <= 0:
            raise PaymentRefusedError(RefusalReason.NOTHING_TO_PAY, "no amount")
        return Quote(f"notice:{notice.reference}", amount_bani)

    def pay(self, quote: Quote) -> Payment:
        """Charge a confirmed quote once; an already paid purpose is not charged.

        Returns the settled payment (APPROVED, DECLINED or NOT_CHARGED).

        Raises:
            PaymentRefusedError: nothing was charged and nothing is pending.
            PaymentUncertainError: the terminal's answer is unknown.
            kiosk.store.StoreError: the intent could not be written; nothing
                was charged.
        """
        if not self.backend_reachable():
            raise PaymentRefusedError(RefusalReason.OFFLINE, "back-end unreachable")
        try:
            payment = self.journal.begin(
                quote.purpose, quote.amount_bani, quote.request_uuid
            )
        except PaymentBlockedError as exc:
            return self._already(quote, exc.blocking)
        self._checkpoint("intent_written")

        sale = Sale(payment.reference, payment.amount_bani, payment.currency)
        try:
            result = self.terminal.start_sale(sale)
        except TerminalNoAnswerError as exc:
            logger.warning("Terminal gave no answer for %s: %s", sale.reference, exc)
            return self._settle_from_terminal(payment)
        except (TerminalBusyError, TerminalUnavailableError) as exc:
            # The terminal started nothing, so the intent ends uncharged.
            self.journal.settle(payment, PaymentState.NOT_CHARGED, note=str(exc))
            raise PaymentRefusedError(
                RefusalReason.TERMINAL_UNAVAILABLE, exc.problem
            ) from exc
        settled = self._settle(payment, result)
        self._checkpoint("result_written")
        return settled

    def _already(self, quote: Quote, blocking: Payment) -> Payment:
        if blocking.purpose == quote.purpose and blocking.charged:
            logger.info(
                "Not charged again: %s was paid by %s",
                quote.purpose,
                blocking.reference,
            )
            return blocking
        if blocking.state is PaymentState.NEEDS_TECHNICIAN:
            raise PaymentRefusedError(
                RefusalReason.NEEDS_TECHNICIAN, f"payment {blocking.reference}"
            )
        raise PaymentRefusedError(
            RefusalReason.ANOTHER_IN_FLIGHT, f"payment {blocking.reference}"
        )

    def cancel(self) -> None:
        """Ask the terminal to stop the sale in progress (any thread)."""
        self.terminal.cancel()

    def recover(self) -> list[Payment]:
        """Settle every payment left in flight; call at start-up.

        Returns the payments it settled. Those it could not settle stay in
        flight (and block new payments) until a later call succeeds.
        """
        settled: list[Payment] = []
        for payment in self.journal.list(PaymentState.IN_FLIGHT):
            logger.warning("Recovering payment %s left in flight", payment.reference)
            try:
                settled.append(self._settle_from_terminal(payment))
            except PaymentUncertainError as exc:
                logger.error("Payment still unresolved: %s", exc)
        self._flag_unknown_charge()
        return settled

    def _settle_from_terminal(self, payment: Payment) -> Payment:
        last = self._last_transaction(payment)
        if last is None or last.reference != payment.reference:
            # One sale in flight at a time: a latest transaction that is not
            # ours means the terminal never ran this sale.
            return self.journal.settle(
                payment, PaymentState.NOT_CHARGED, note="the terminal never ran it"
            )
        return self._settle(payment, last, note="recovered from the terminal")

    def _last_transaction(self, payment: Payment) -> TerminalResult | None:
        for attempt in range(self.busy_retries + 1):
            try:
                return self.terminal.last_transaction()
            except TerminalBusyError:
                if attempt == self.busy_retries // 2:
                    # Still busy half-way: a sale the kiosk no longer waits
                    # for is stopped rather than left to charge someone.
                    self.terminal.cancel()
                self._wait(self.busy_retry_s)
            except TerminalError as exc:
                raise PaymentUncertainError(payment, exc.problem) from exc
        raise PaymentUncertainError(payment, "the terminal stays busy")

    def _settle(
        self, payment: Payment, result: TerminalResult, note: str | None = None
    ) -> Payment:
        matches = (
            result.reference == payment.reference
            and result.amount_bani == payment.amount_bani
            and result.currency == payment.currency
        )
        if result.outcome is not Outcome.APPROVED:
            state = (
                PaymentState.DECLINED
                if result.outcome is Outcome.DECLINED
                else PaymentState.NOT_CHARGED
            )
            return self.journal.settle(
                payment, state, result, note or result.outcome.value
            )
        if result.reversed:
            return self.journal.settle(payment, PaymentState.REVERSED, result, note)
        if matches:
            return self.journal.settle(payment, PaymentState.APPROVED, result, note)
        return self._reverse(payment, result)

    def _reverse(self, payment: Payment, result: TerminalResult) -> Payment:
        problem = (
            f"terminal charged {result.amount_bani} {result.currency} "
            f"for {result.reference}, expected {payment.amount_bani} "
            f"{payment.currency} for {payment.reference}"
        )
        logger.error("Payment does not match, reversing: %s", problem)
        try:
            reversed_ = self.terminal.reverse(result.transaction_id)
        except TerminalError as exc:
            return self.journal.settle(
                payment,
                PaymentState.NEEDS_TECHNICIAN,
                result,
                f"{problem}; reversal failed: {exc.problem}",
            )
        return self.journal.settle(payment, PaymentState.REVERSED, reversed_, problem)

    def _flag_unknown_charge(self) -> None:
        try:
            last = self.terminal.last_transaction()
        except TerminalError as exc:
            logger.warning("Cannot check the terminal's last transaction: %s", exc)
            return
        if last is None or not last.outcome.charged or last.reversed:
            return
        if self.journal.by_reference(last.reference) is None:
            self.journal.record_unmatched(
                last, "approved on the terminal, unknown to the journal"
            )


def ended_without_card(payment: Payment) -> bool:
    """True when the terminal's own answer was "no card came in time".

    A sale's direct answer is settled with the terminal's outcome as its
    note; a payment settled any other way (recovered after a lost answer,
    cancelled, never started) does not count, so it never leads to a new
    sale on its own.
    """
    return (
        payment.state is PaymentState.NOT_CHARGED
        and payment.note == Outcome.TIMED_OUT.value
    )


def _wait_on_event(seconds: float) -> None:
    threading.Event().wait(seconds)
