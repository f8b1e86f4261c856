"""The same behaviour, asked of the simulated printer and of the real driver."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.hardware.escpos_printer import EscposPrinter
from kiosk.hardware.printer import Printer, PrinterError, PrinterStatus
from kiosk.hardware.printer_emulator import PrinterEmulator
from kiosk.hardware.printer_profiles import get_profile
from kiosk.hardware.simulated_printer import SimulatedPrinter
from kiosk.receipt import Receipt
from tests.printer_fixtures import ROMANIAN_HUNGARIAN_RECEIPT


@dataclass
class Rig:
    """A printer under test and the levers to put it in a state."""

    printer: Printer
    play: Callable[[PrinterStatus], None]
    printed: Callable[[], int]


def _simulated(tmp_path: Path) -> Iterator[Rig]:
    printer = SimulatedPrinter(tmp_path / "receipts")

    def play(status: PrinterStatus) -> None:
        printer.simulated_status = status

    yield Rig(printer, play, lambda: len(printer.printed))
    printer.close()


def _escpos(tmp_path: Path) -> Iterator[Rig]:
    emulator = PrinterEmulator(get_profile("TM-T20II"), tmp_path / "emulated")
    emulator.plug()
    printer = EscposPrinter(emulator.port, 19200, emulator.profile)

    def play(status: PrinterStatus) -> None:
        faults = emulator.faults
        faults.paper_low = status is PrinterStatus.PAPER_LOW
        faults.paper_out = status is PrinterStatus.PAPER_OUT
        faults.cover_open = status is PrinterStatus.COVER_OPEN
        faults.answering = status is not PrinterStatus.NOT_ANSWERING

    try:
        yield Rig(printer, play, lambda: len(emulator.receipts))
    finally:
        printer.close()
        emulator.unplug()


@pytest.fixture(params=["simulated", "escpos"])
def rig(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Rig]:
    make = _simulated if request.param == "simulated" else _escpos
    yield from make(tmp_path)


@pytest.fixture
def receipt() -> Receipt:
    return ROMANIAN_HUNGARIAN_RECEIPT


@pytest.mark.parametrize("status", [PrinterStatus.READY, PrinterStatus.PAPER_LOW])
def test_a_printer_that_can_print_prints(
    rig: Rig, receipt: Receipt, status: PrinterStatus
) -> None:
    rig.play(status)
    assert rig.printer.status() is status
    rig.printer.print_receipt(receipt)
    assert rig.printed() == 1


@pytest.mark.parametrize(
    "status",
    [PrinterStatus.PAPER_OUT, PrinterStatus.COVER_OPEN, PrinterStatus.NOT_ANSWERING],
)
def test_a_printer_that_cannot_print_says_why_and_prints_nothing(
    rig: Rig, receipt: Receipt, status: PrinterStatus
) -> None:
    rig.play(status)
    assert rig.printer.status() is status
    assert not rig.printer.status().can_print
    with pytest.raises(PrinterError) as caught:
        rig.printer.print_receipt(receipt)
    assert caught.value.status is status
    assert rig.printed() == 0


def test_a_printer_recovers_when_the_fault_is_cleared(
    rig: Rig, receipt: Receipt
) -> None:
    rig.play(PrinterStatus.PAPER_OUT)
    with pytest.raises(PrinterError):
        rig.printer.print_receipt(receipt)
    rig.play(PrinterStatus.READY)
    assert rig.printer.status() is PrinterStatus.READY
    rig.printer.print_receipt(receipt)
    assert rig.printed() == 1
