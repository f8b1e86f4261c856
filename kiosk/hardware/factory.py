"""Builds each device's driver from the settings."""

from __future__ import annotations

from kiosk.config import ConfigError, Settings
from kiosk.hardware.printer import Printer
from kiosk.hardware.printer_profiles import get_profile
from kiosk.hardware.simulated_printer import SimulatedPrinter


def make_printer(settings: Settings) -> Printer:
    """The configured receipt printer: simulated unless a driver is set.

    Raises:
        ConfigError: ``[printer] profile`` names no supported model.
    """
    config = settings.printer
    try:
        profile = get_profile(config.profile)
    except KeyError as exc:
        raise ConfigError("printer.profile", str(exc.args[0])) from exc
    if config.driver == "simulated":
        return SimulatedPrinter(settings.storage.data_dir / "receipts", profile)
    # pyserial is imported only by the real driver, on kiosks that use it.
    from kiosk.hardware.escpos_printer import EscposPrinter

    return EscposPrinter(
        config.port,
        config.baudrate,
        profile,
        status_timeout_s=config.status_timeout_s,
        print_timeout_s=config.print_timeout_s,
    )
