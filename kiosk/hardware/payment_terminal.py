"""The card payment terminal's interface, its results and its errors.

Unattended card acceptance in the EU needs a certified terminal, so the card
data never reaches the kiosk: the kiosk asks the terminal for a sale and gets
back a result (approved or not, a masked card number, an authorisation code,
the terminal's and the transaction's ids). Every sale carries a reference made
by the kiosk; the terminal echoes it, which is how an answer that got lost is
found again with :meth:`PaymentTerminal.last_transaction`.

Errors::

    TerminalError                 the terminal did not do what was asked
    ├── TerminalNoAnswerError     a sale was sent but no answer came back:
    │                             the card may or may not have been charged
    ├── TerminalBusyError         another sale is still in progress
    └── TerminalUnavailableError  the terminal cannot be reached at all
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

CURRENCY = "RON"
"""The only currency the kiosk charges in (ISO 4217)."""

_MASK_CHARACTERS = frozenset("*• ")


class TerminalStatus(enum.Enum):
    """What the terminal says about itself."""

    READY = "ready"
    BUSY = "busy"
    """A sale is in progress (waiting for a card, PIN or the acquirer)."""
    OFFLINE = "offline"
    """Powered but without a link to its acquirer; it cannot approve."""
    NOT_ANSWERING = "not_answering"


class Outcome(enum.Enum):
    """How a sale ended on the terminal."""

    APPROVED = "approved"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    """Stopped before any charge: by the kiosk, the citizen or a dropped link."""
    TIMED_OUT = "timed_out"
    """No card was presented in time; nothing was charged."""

    @property
    def charged(self) -> bool:
        """True when the card was charged."""
        return self is Outcome.APPROVED


@dataclass(frozen=True)
class Sale:
    """What the kiosk asks the terminal to charge."""

    reference: str
    """The kiosk's id for this sale, echoed in the result (1-32 characters)."""
    amount_bani: int
    """Amount in minor units (1 RON = 100 bani); above zero."""
    currency: str = CURRENCY

    def __post_init__(self) -> None:
        if not 0 < len(self.reference) <= 32 or not self.reference.isalnum():
            raise ValueError(f"bad sale reference {self.reference!r}")
        if self.amount_bani <= 0:
            raise ValueError(f"a sale needs a positive amount, not {self.amount_bani}")


@dataclass(frozen=True)
class TerminalResult:
    """The terminal's answer about one sale; never holds a full card number."""

    reference: str
    """The kiosk's reference of the sale this answer is about."""
    outcome: Outcome
    amount_bani: int
    currency: str
    terminal_id: str
    transaction_id: str
    """The terminal's own id of the transaction; empty if none was started."""
    masked_pan: str = ""
    """The card number as the terminal prints it: at most the last four digits."""
    auth_code: str = ""
    """The issuer's authorisation code; empty unless approved."""
    reversed: bool = False
    """The charge was taken back after approval."""

    def __post_init__(self) -> None:
        if not is_masked_pan(self.masked_pan):
            # Refuse it here so no layer above can store or log it by mistake.
            raise ValueError("the terminal returned an unmasked card number")


def is_masked_pan(text: str) -> bool:
    """True when ``text`` shows no more than the last four digits of a card."""
    digits = sum(ch.isdigit() for ch in text)
    return digits <= 4 and all(ch.isdigit() or ch in _MASK_CHARACTERS for ch in text)


class TerminalError(Exception):
    """The payment terminal did not do what was asked."""

    def __init__(self, terminal_id: str, problem: str) -> None:
        self.terminal_id = terminal_id
        self.problem = problem
        super().__init__(f"payment terminal {terminal_id}: {problem}")


class TerminalNoAnswerError(TerminalError):
    """A sale was sent, but its answer never came; the card may be charged."""


class TerminalBusyError(TerminalError):
    """The terminal is still busy with another sale."""


class TerminalUnavailableError(TerminalError):
    """The terminal cannot be reached (unplugged, powered off, link down)."""


class PaymentTerminal(Protocol):
    """A certified card payment terminal, real or simulated.

    Calls block until the terminal answers or its timeout passes, so they run
    on the payment worker thread; only :meth:`cancel` may come from another
    thread.
    """

    def start_sale(self, sale: Sale) -> TerminalResult:
        """Run one sale to its end and return the terminal's answer.

        Raises:
            TerminalNoAnswerError: the sale may have happened; ask
                last_transaction().
            TerminalBusyError: another sale is running; nothing was started.
            TerminalUnavailableError: nothing was started.
        """
        ...

    def cancel(self) -> None:
        """Ask the terminal to stop the sale in progress, if any."""
        ...

    def last_transaction(self) -> TerminalResult | None:
        """The terminal's record of its latest sale, or None if it has none.

        Raises:
            TerminalBusyError: the latest sale is still running.
            TerminalUnavailableError: the terminal cannot be asked now.
        """
        ...

    def reverse(self, transaction_id: str) -> TerminalResult:
        """Take back an approved charge; returns the updated record.

        Raises:
            TerminalError: the reversal was not done.
        """
        ...

    def status(self) -> TerminalStatus:
        """Ask the terminal for its state; bounded by a short timeout."""
        ...

    def close(self) -> None:
        """Release the link to the terminal."""
        ...
