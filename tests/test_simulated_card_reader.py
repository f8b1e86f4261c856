from __future__ import annotations

import pytest

from kiosk.hardware.card_reader import (
    CardEvent,
    CardEventKind,
    CardInfo,
    CardRemovedError,
    CardType,
    ReaderServiceError,
    ReaderState,
)
from kiosk.hardware.simulated_card_reader import SIMULATED_READER, SimulatedCardReader

CARD = CardInfo(SIMULATED_READER, "3B8A80", CardType.PAYMENT, "**** 0119", "VISA")


def test_a_presented_card_is_read_and_reported() -> None:
    reader = SimulatedCardReader()
    events: list[CardEvent] = []
    reader.watch(events.append)

    reader.present(CARD)
    assert reader.read_card() == CARD
    reader.take_away()

    assert [e.kind for e in events] == [CardEventKind.INSERTED, CardEventKind.REMOVED]
    with pytest.raises(CardRemovedError):
        reader.read_card()


def test_a_rehearsed_fault_is_raised_once_then_the_reader_recovers() -> None:
    reader = SimulatedCardReader()
    reader.present(CARD)
    reader.fault = ReaderServiceError(SIMULATED_READER, "read card", "pcscd down")

    assert reader.check() is ReaderState.FAULTED
    with pytest.raises(ReaderServiceError):
        reader.read_card()
    assert reader.read_card() == CARD
    assert reader.check() is ReaderState.READY


def test_a_closed_reader_refuses_to_read() -> None:
    reader = SimulatedCardReader()
    reader.close()

    with pytest.raises(RuntimeError, match="closed"):
        reader.read_card()
