"""Builds each device's driver from the settings."""

from __future__ import annotations

from kiosk.config import ConfigError, Settings
from kiosk.hardware.printer import Printer
from kiosk.hardware.simulated_printer import SimulatedPrinter


def make_printer(settings: Settings) -> Printer:
    """The configured receipt printer: simulated unless a driver is set.

    Raises:
        ConfigError: ``[printer] profile`` names no supported model.
    """
    if settings.printer.driver == "simulated":
        return SimulatedPrinter(settings.storage.data_dir / "receipts")
    # pyserial is imported only by the real driver, on kiosks that use it.
    from kiosk.hardware.escpos_printer import EscposPrinter
    from kiosk.hardware.printer_profiles import get_profile

    try:
        profile = get_profile(settings.printer.profile)
    except KeyError as exc:
        raise ConfigError("printer.profile", str(exc.args[0])) from exc
    return EscposPrinter(settings.printer.port, settings.printer.baudrate, profile)
