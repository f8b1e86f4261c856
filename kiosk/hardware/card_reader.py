"""The contactless card reader's interface, its data types and its errors.

The reader tells which card was presented (a payment card or something
else), reports insertions and removals, and reads a payment card's public
EMV records. Only a masked card number (``**** 1234``) ever leaves a driver.

Errors::

    CardReaderError           the reader did not do what was asked
    ├── ReaderServiceError    the PC/SC service (pcscd) is not running or
    │                         was restarted; retry later
    ├── NoReaderError         the configured reader is not connected
    ├── CardRemovedError      no card, or it left the field mid-command
    └── CardProtocolError     the card's answers make no sense

All four are environment faults: the UI asks the citizen to present the card
again or shows the reader as out of order; the driver recovers by itself
once pcscd and the reader are back.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


class CardType(enum.Enum):
    """What kind of card is in the field, as found by SELECT."""

    PAYMENT = "payment"
    """Answers SELECT PPSE: a contactless payment card."""
    UNKNOWN = "unknown"


class ReaderState(enum.Enum):
    """The driver's lifecycle."""

    READY = "ready"
    FAULTED = "faulted"
    """The last operation hit an environment fault; the next one retries."""
    CLOSED = "closed"


@dataclass(frozen=True)
class CardInfo:
    """What the kiosk learns from one card; no full card number."""

    reader: str
    atr: str
    """Answer To Reset in upper-case hex."""
    card_type: CardType
    masked_pan: str = ""
    """``**** 1234`` for a payment card; empty otherwise."""
    label: str = ""
    """The payment application's label, e.g. "VISA DEBIT"."""


class CardEventKind(enum.Enum):
    """Whether a card arrived or left."""

    INSERTED = "inserted"
    REMOVED = "removed"


@dataclass(frozen=True)
class CardEvent:
    """A card arrived in or left a reader's field."""

    kind: CardEventKind
    reader: str
    atr: str


CardEventCallback = Callable[[CardEvent], None]
"""Receives card events on the driver's monitoring thread."""


class CardReaderError(Exception):
    """The card reader did not do what was asked."""

    def __init__(self, reader: str, operation: str, cause: str) -> None:
        self.reader = reader
        self.operation = operation
        self.cause = cause
        super().__init__(
            f"card reader {reader or '(any)'}: {operation} failed: {cause}"
        )


class ReaderServiceError(CardReaderError):
    """The PC/SC service is not running or was restarted."""


class NoReaderError(CardReaderError):
    """The configured reader is not connected."""


class CardRemovedError(CardReaderError):
    """There is no card, or it left the field during a command."""


class CardProtocolError(CardReaderError):
    """The card answered something that is not valid EMV."""


class CardReader(Protocol):
    """A contactless card reader, real or simulated.

    Calls block for at most a few hundred milliseconds, on the reader's
    worker thread; event callbacks come from the driver's own thread.
    """

    def read_card(self) -> CardInfo:
        """Identify the card in the field and read what may be read of it.

        Raises:
            CardReaderError: one of its subclasses; nothing was read.
        """
        ...

    def watch(self, callback: CardEventCallback) -> None:
        """Start reporting card insertions and removals to ``callback``."""
        ...

    def check(self) -> ReaderState:
        """Ask for the reader; revive event reporting after a pcscd restart."""
        ...

    def close(self) -> None:
        """Stop reporting events and release the reader."""
        ...
