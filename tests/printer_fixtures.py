"""Fixtures for the printer tests: the emulator on a pty pair and a driver on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.hardware.escpos_printer import EscposPrinter
from kiosk.hardware.printer_emulator import PrinterEmulator
from kiosk.hardware.printer_profiles import get_profile
from kiosk.receipt import Receipt

ROMANIAN_HUNGARIAN_RECEIPT = Receipt(
    ticket="A017",
    title="Primăria Cluj-Napoca",
    lines=(
        ("Număr tichet", "A017"),
        ("Serviciu", "Înregistrare ștampilă, țară"),
        ("Szolgáltatás", "Lakossági parkolóbérlet, Ődön Győző ű"),
    ),
    footer="Păstrați această chitanță.",
    qr_payload="antonia:ticket:demo-kiosk:A017",
)


@pytest.fixture
def receipt() -> Receipt:
    """A receipt with Romanian (comma-below) and Hungarian (ő ű) letters."""
    return ROMANIAN_HUNGARIAN_RECEIPT


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[PrinterEmulator]:
    """A TM-T20II emulator plugged in on a fresh pty pair."""
    emu = PrinterEmulator(
        get_profile("TM-T20II"), tmp_path / "emulated", tmp_path / "ttyPRINTER"
    )
    emu.plug()
    try:
        yield emu
    finally:
        emu.unplug()


@pytest.fixture
def escpos_printer(emulator: PrinterEmulator) -> Iterator[EscposPrinter]:
    """The ESC/POS driver on the kiosk side of the emulator's pty."""
    printer = EscposPrinter(emulator.port, 19200, emulator.profile, print_timeout_s=2.0)
    try:
        yield printer
    finally:
        printer.close()
