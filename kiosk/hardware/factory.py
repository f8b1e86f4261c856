"""Builds each device's driver from the settings."""

from __future__ import annotations

from kiosk.config import Settings
from kiosk.hardware.printer import Printer
from kiosk.hardware.simulated_printer import SimulatedPrinter


def make_printer(settings: Settings) -> Printer:
    """The configured receipt printer: simulated unless a driver is set."""
    if settings.printer.driver == "simulated":
        return SimulatedPrinter(settings.storage.data_dir / "receipts")
    # TODO: the ESC/POS driver on a serial line is not written yet; config
    # validation accepts "escpos" so that operators' files stay valid.
    raise NotImplementedError("the escpos printer driver is not available yet")
