"""A simulated contactless reader for the demo mode and the unit tests.

A test or the demo puts a card in the field (:meth:`present`), takes it away
(:meth:`take_away`), or sets a fault that the next read reports.
"""

from __future__ import annotations

import logging

from kiosk.hardware.card_reader import (
    CardEvent,
    CardEventCallback,
    CardEventKind,
    CardInfo,
    CardReaderError,
    CardRemovedError,
    ReaderState,
)

logger = logging.getLogger(__name__)

SIMULATED_READER = "Simulated Contactless Reader"


class SimulatedCardReader:
    """Holds at most one card; reports events synchronously."""

    def __init__(self) -> None:
        self.card: CardInfo | None = None
        self.fault: CardReaderError | None = None
        """Raised by the next read_card() and check(), then cleared."""
        self.state = ReaderState.READY
        self._callback: CardEventCallback | None = None

    def present(self, card: CardInfo) -> None:
        """Put a card in the field."""
        self.card = card
        self._emit(CardEventKind.INSERTED, card.atr)

    def take_away(self) -> None:
        """Take the card out of the field."""
        card, self.card = self.card, None
        if card is not None:
            self._emit(CardEventKind.REMOVED, card.atr)

    def read_card(self) -> CardInfo:
        """The card in the field, or the fault that was set."""
        self._ensure_open()
        if self.fault is not None:
            fault, self.fault = self.fault, None
            self.state = ReaderState.FAULTED
            raise fault
        if self.card is None:
            raise CardRemovedError(SIMULATED_READER, "read card", "no card")
        self.state = ReaderState.READY
        logger.info("Card read (simulated): pan=%s", self.card.masked_pan or "-")
        return self.card

    def watch(self, callback: CardEventCallback) -> None:
        """Report card events to ``callback``."""
        self._ensure_open()
        self._callback = callback

    def check(self) -> ReaderState:
        """READY, or FAULTED while a fault is set."""
        self._ensure_open()
        return ReaderState.FAULTED if self.fault else ReaderState.READY

    def close(self) -> None:
        """Stop reporting events."""
        self._callback = None
        self.state = ReaderState.CLOSED

    def _ensure_open(self) -> None:
        if self.state is ReaderState.CLOSED:
            raise RuntimeError("the card reader was closed; build a new one")

    def _emit(self, kind: CardEventKind, atr: str) -> None:
        if self._callback is not None:
            self._callback(CardEvent(kind, SIMULATED_READER, atr))
