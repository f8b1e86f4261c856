"""The payment journal: every card payment, written before the terminal is asked.

A payment starts as an *intent* committed to the outbox database (state
``in_flight``) before the terminal hears of it, and ends with the terminal's
answer recorded against it. A payment still in flight after a crash is
resolved at the next start by asking the terminal for its last transaction.
Amounts are integer bani; card numbers are stored masked or not at all.

Errors: the journal raises :class:`kiosk.store.StoreError` when the database
cannot be written, and :class:`PaymentBlockedError` when a new intent would
break one of its two promises (one sale in flight; one charge per purpose).
"""

from __future__ import annotations

import enum
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kiosk.hardware.payment_terminal import CURRENCY, TerminalResult, is_masked_pan
from kiosk.store import Outbox

logger = logging.getLogger(__name__)


class PaymentState(enum.StrEnum):
    """Where a payment is; only IN_FLIGHT may still change on its own."""

    IN_FLIGHT = "in_flight"
    """The intent is on disk; the terminal may or may not have been asked."""
    APPROVED = "approved"
    DECLINED = "declined"
    NOT_CHARGED = "not_charged"
    """Cancelled, timed out, or never reached the terminal."""
    REVERSED = "reversed"
    """Approved, then taken back because it could not be matched."""
    NEEDS_TECHNICIAN = "needs_technician"
    """Could not be settled automatically; blocks a second charge."""


class PaymentBlockedError(Exception):
    """A new payment cannot start: one is in flight, or it is already paid."""

    def __init__(self, purpose: str, blocking: Payment) -> None:
        self.purpose = purpose
        self.blocking = blocking
        super().__init__(
            f"cannot start a payment for {purpose}: payment {blocking.reference} "
            f"is {blocking.state.value}"
        )


@dataclass(frozen=True)
class Payment:
    """One card payment as recorded in the journal."""

    id: str
    reference: str
    """The kiosk's reference sent to the terminal (16 characters)."""
    purpose: str
    """What is paid: ``fee:<ticket>`` or ``notice:<payment reference>``."""
    request_uuid: str | None
    """The outbox request the fee belongs to, if any."""
    amount_bani: int
    currency: str
    state: PaymentState
    created_utc: datetime
    updated_utc: datetime
    terminal_id: str | None
    transaction_id: str | None
    masked_pan: str | None
    """At most the last four digits of the card."""
    auth_code: str | None
    note: str | None
    """Why the payment is in its state, when that is not obvious."""

    @property
    def charged(self) -> bool:
        """True when the citizen's card was charged and not refunded."""
        return self.state is PaymentState.APPROVED

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Payment:
        """Rebuild a payment from its database row."""
        return cls(
            id=row["id"],
            reference=row["reference"],
            purpose=row["purpose"],
            request_uuid=row["request_uuid"],
            amount_bani=row["amount_bani"],
            currency=row["currency"],
            state=PaymentState(row["state"]),
            created_utc=datetime.fromisoformat(row["created_utc"]),
            updated_utc=datetime.fromisoformat(row["updated_utc"]),
            terminal_id=row["terminal_id"],
            transaction_id=row["transaction_id"],
            masked_pan=row["masked_pan"],
            auth_code=row["auth_code"],
            note=row["note"],
        )


_BLOCKING_STATES = (
    PaymentState.IN_FLIGHT,
    PaymentState.APPROVED,
    PaymentState.NEEDS_TECHNICIAN,
)


class PaymentJournal:
    """The ``payments`` table of the outbox database."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    def begin(
        self, purpose: str, amount_bani: int, request_uuid: str | None = None
    ) -> Payment:
        """Write a payment intent durably; the terminal may be asked after this.

        Raises:
            PaymentBlockedError: another payment is in flight, or this purpose
                is already paid or waiting for a technician.
            kiosk.store.StoreError: nothing was written.
        """
        if amount_bani <= 0:
            raise ValueError(f"a payment needs a positive amount, not {amount_bani}")
        now = _now().isoformat()
        with self.outbox.transaction() as db:
            blocking = self._blocking(purpose)
            if blocking is not None:
                raise PaymentBlockedError(purpose, blocking)
            row: dict[str, Any] = {
                "id": str(uuid.uuid4()),
                "reference": uuid.uuid4().hex[:16].upper(),
                "purpose": purpose,
                "request_uuid": request_uuid,
                "amount_bani": amount_bani,
                "currency": CURRENCY,
                "state": PaymentState.IN_FLIGHT.value,
                "created_utc": now,
                "updated_utc": now,
                "terminal_id": None,
                "transaction_id": None,
                "masked_pan": None,
                "auth_code": None,
                "note": None,
            }
            db["payments"].insert(row)  # type: ignore[union-attr]
        logger.info(
            "Payment intent written: reference=%s purpose=%s amount_bani=%d",
            row["reference"],
            purpose,
            amount_bani,
        )
        return Payment.from_row(row)

    def _blocking(self, purpose: str) -> Payment | None:
        rows = list(
            self.outbox.db["payments"].rows_where(
                "state = ? OR (purpose = ? AND state IN (?, ?, ?))",
                [PaymentState.IN_FLIGHT.value, purpose, *_BLOCKING_STATES],
                limit=1,
            )
        )
        return Payment.from_row(rows[0]) if rows else None

    def settle(
        self,
        payment: Payment,
        state: PaymentState,
        result: TerminalResult | None = None,
        note: str | None = None,
    ) -> Payment:
        """Record how an in-flight payment ended, with the terminal's answer.

        Raises:
            kiosk.store.StoreError: nothing was written; it stays in flight.
        """
        if state is PaymentState.IN_FLIGHT:
            raise ValueError("settle() needs a final state")
        if result is not None and not is_masked_pan(result.masked_pan):
            raise ValueError("refusing to store an unmasked card number")
        changes: dict[str, Any] = {
            "state": state.value,
            "updated_utc": _now().isoformat(),
            "note": note,
        }
        if result is not None:
            changes.update(
                terminal_id=result.terminal_id,
                transaction_id=result.transaction_id or None,
                masked_pan=result.masked_pan or None,
                auth_code=result.auth_code or None,
            )
        with self.outbox.transaction() as db:
            current = self._get(payment.id)
            if current is None or current.state is not PaymentState.IN_FLIGHT:
                raise RuntimeError(f"payment {payment.reference} is not in flight")
            db["payments"].update(payment.id, changes)  # type: ignore[union-attr]
            row = db["payments"].get(payment.id)  # type: ignore[union-attr]
            settled = Payment.from_row(row)
        logger.info(
            "Payment settled: reference=%s state=%s transaction=%s",
            settled.reference,
            settled.state.value,
            settled.transaction_id,
        )
        return settled

    def record_unmatched(self, result: TerminalResult, note: str) -> Payment:
        """Record a charge the terminal knows and the journal does not."""
        now = _now().isoformat()
        row: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "reference": result.reference,
            "purpose": f"unmatched:{result.reference}",
            "request_uuid": None,
            "amount_bani": result.amount_bani,
            "currency": result.currency,
            "state": PaymentState.NEEDS_TECHNICIAN.value,
            "created_utc": now,
            "updated_utc": now,
            "terminal_id": result.terminal_id,
            "transaction_id": result.transaction_id,
            "masked_pan": result.masked_pan or None,
            "auth_code": result.auth_code or None,
            "note": note,
        }
        with self.outbox.transaction() as db:
            db["payments"].insert(row)  # type: ignore[union-attr]
        logger.error(
            "Payment needs a technician: transaction=%s: %s",
            result.transaction_id,
            note,
        )
        return Payment.from_row(row)

    def get(self, payment_id: str) -> Payment | None:
        """The payment with this id, or None."""
        with self.outbox.transaction():
            return self._get(payment_id)

    def _get(self, payment_id: str) -> Payment | None:
        rows = list(self.outbox.db["payments"].rows_where("id = ?", [payment_id]))
        return Payment.from_row(rows[0]) if rows else None

    def by_reference(self, reference: str) -> Payment | None:
        """The payment sent to the terminal under ``reference``, or None."""
        return self._first("reference = ?", [reference])

    def paid(self, purpose: str) -> Payment | None:
        """The approved payment for ``purpose``, or None."""
        return self._first(
            "purpose = ? AND state = ?", [purpose, PaymentState.APPROVED.value]
        )

    def list(self, state: PaymentState | None = None) -> list[Payment]:
        """All payments (or those in ``state``), oldest first."""
        where, args = ("state = ?", [state.value]) if state else (None, [])
        with self.outbox.transaction():
            rows = self.outbox.db["payments"].rows_where(
                where, args, order_by="created_utc, reference"
            )
            return [Payment.from_row(row) for row in rows]

    def _first(self, where: str, args: Sequence[Any]) -> Payment | None:
        with self.outbox.transaction():
            rows = list(self.outbox.db["payments"].rows_where(where, args, limit=1))
        return Payment.from_row(rows[0]) if rows else None


def _now() -> datetime:
    return datetime.now(UTC)
