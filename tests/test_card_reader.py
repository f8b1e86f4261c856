"""The PC/SC driver against pcscd, vpcd and a scripted contactless card."""

from __future__ import annotations

import logging
import queue
import statistics
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

from kiosk.hardware.card_reader import (
    CardEvent,
    CardEventKind,
    CardInfo,
    CardRemovedError,
    CardType,
    NoReaderError,
    ReaderServiceError,
    ReaderState,
)
from tests.virtual_card import READER_NAME, TEST_PAN, wait_until

if TYPE_CHECKING:
    from kiosk.hardware.pcsc_reader import PcscCardReader
    from tests.virtual_card import CardSlot, Pcscd

pytest_plugins = ("tests.card_fixtures",)

SLOT = f"{READER_NAME} 00 00"

InsertCard = Callable[..., "CardSlot"]


@pytest.fixture
def reader(pcscd: Pcscd) -> Iterator[PcscCardReader]:
    from kiosk.hardware.pcsc_reader import PcscCardReader

    driver = PcscCardReader(SLOT)
    yield driver
    driver.close()


def read_when_present(reader: PcscCardReader) -> CardInfo:
    """Read once pcscd has noticed the card (it polls every ~0.4 s)."""
    outcome: list[CardInfo] = []

    def attempt() -> bool:
        try:
            outcome.append(reader.read_card())
        except CardRemovedError:
            return False
        return True

    wait_until(attempt, 10, "pcscd to see the card")
    return outcome[0]


def test_the_virtual_reader_is_discovered(reader: PcscCardReader) -> None:
    assert SLOT in reader.readers()
    assert reader.check() is ReaderState.READY


def test_a_payment_card_is_read_with_its_number_masked(
    reader: PcscCardReader,
    card_slot: InsertCard,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="kiosk")
    slot = card_slot(t0_style=True, exact_le=True)

    info = read_when_present(reader)

    assert info.card_type is CardType.PAYMENT
    assert info.masked_pan == "**** 0119"
    assert info.label == "VISA DEBIT"
    assert info.atr == "3B8A80018031807386E0FF009C9000FA"
    assert TEST_PAN not in repr(info)
    assert "Card read: reader=" in caplog.text
    # 61XX was followed by GET RESPONSE, and 6CXX by a resend with the length.
    commands = [c.hex().upper() for c in slot.card.commands]
    assert "00C00000" in commands
    assert commands.count("00B2010C") == 2


def test_a_card_without_a_payment_directory_is_unknown(
    reader: PcscCardReader, card_slot: InsertCard
) -> None:
    card_slot(payment=False)

    info = read_when_present(reader)

    assert info.card_type is CardType.UNKNOWN
    assert info.masked_pan == ""


def test_insertion_and_removal_are_reported_as_events(
    reader: PcscCardReader, card_slot: InsertCard
) -> None:
    events: queue.Queue[CardEvent] = queue.Queue()
    reader.watch(events.put)

    slot = card_slot()
    inserted = events.get(timeout=10)
    slot.remove()
    removed = events.get(timeout=10)

    assert (inserted.kind, inserted.reader) == (CardEventKind.INSERTED, SLOT)
    assert inserted.atr.startswith("3B8A")
    assert removed.kind is CardEventKind.REMOVED


def test_a_card_taken_away_mid_read_is_reported_and_the_next_read_works(
    reader: PcscCardReader, card_slot: InsertCard
) -> None:
    slot = card_slot(remove_on_read=True)
    wait_until(lambda: _present(reader), 10, "pcscd to see the card")

    with pytest.raises(CardRemovedError):
        reader.read_card()
    assert reader.state is ReaderState.FAULTED

    slot.remove()
    card_slot()
    assert read_when_present(reader).masked_pan == "**** 0119"
    assert reader.state is ReaderState.READY


def test_a_pcscd_restart_is_reported_and_recovered_from(
    reader: PcscCardReader, card_slot: InsertCard, pcscd: Pcscd
) -> None:
    from kiosk.hardware.pcsc_reader import monitor_alive

    events: queue.Queue[CardEvent] = queue.Queue()
    reader.watch(events.put)
    card_slot()
    assert events.get(timeout=10).kind is CardEventKind.INSERTED

    pcscd.stop()
    with pytest.raises(ReaderServiceError):
        reader.read_card()

    pcscd.start()
    slot = card_slot()
    assert read_when_present(reader).masked_pan == "**** 0119"
    # Events flow again once check() has revived the monitor.
    wait_until(
        lambda: reader.check() is ReaderState.READY and monitor_alive(),
        10,
        "the card monitor to run again",
    )
    slot.remove()
    assert _next_event(events, CardEventKind.REMOVED).reader == SLOT
    card_slot()
    assert _next_event(events, CardEventKind.INSERTED).reader == SLOT


def test_a_reader_that_is_gone_is_reported_and_found_again(
    reader: PcscCardReader, card_slot: InsertCard, pcscd: Pcscd
) -> None:
    pcscd.unplug_reader()
    try:
        with pytest.raises(NoReaderError):
            reader.read_card()
        assert reader.check() is ReaderState.FAULTED
    finally:
        pcscd.plug_reader()

    card_slot()
    assert read_when_present(reader).card_type is CardType.PAYMENT


def test_apdu_round_trips_are_fast_enough_for_a_tap(
    reader: PcscCardReader, card_slot: InsertCard
) -> None:
    card_slot(t0_style=False, exact_le=False)
    read_when_present(reader)

    durations = []
    for _ in range(20):
        started = time.perf_counter()
        reader.read_card()
        durations.append(time.perf_counter() - started)

    # A contactless tap lasts about half a second; one read is 4 APDUs plus
    # connect. Measured here: about 2 ms per read with TCP_QUICKACK.
    assert statistics.median(durations) < 0.2


def _present(reader: PcscCardReader) -> bool:
    from smartcard.System import readers

    for candidate in readers():
        if str(candidate) == SLOT:
            connection = candidate.createConnection()
            try:
                connection.connect()
            except Exception:  # noqa: BLE001 - any pyscard error: not yet
                return False
            finally:
                from kiosk.hardware.pcsc_reader import _dispose

                _dispose(connection)
            return True
    return False


def _next_event(events: queue.Queue[CardEvent], kind: CardEventKind) -> CardEvent:
    """The next event of ``kind``, skipping others (a revived monitor first
    reports the cards it finds)."""
    while True:
        event = events.get(timeout=10)
        if event.kind is kind:
            return event
