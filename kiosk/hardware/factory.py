"""Builds each device's driver from the settings."""

from __future__ import annotations

from kiosk.config import ConfigError, Settings
from kiosk.hardware.card_reader import CardReader
from kiosk.hardware.payment_terminal import PaymentTerminal
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


def make_payment_terminal(settings: Settings) -> PaymentTerminal | None:
    """The configured payment terminal, or None when card payments are off."""
    if settings.payment.driver == "none":
        return None
    from kiosk.hardware.simulated_terminal import SimulatedTerminal

    state_file = settings.storage.data_dir / settings.payment.state_file
    return SimulatedTerminal(
        state_file,
        terminal_id=settings.payment.terminal_id,
        sale_timeout_s=settings.payment.sale_timeout_s,
    )


def make_card_reader(settings: Settings) -> CardReader | None:
    """The configured card reader, or None when there is none."""
    driver = settings.card_reader.driver
    if driver == "none":
        return None
    if driver == "pcsc":
        # Imported here: pyscard is only needed where a real reader is.
        from kiosk.hardware.pcsc_reader import PcscCardReader

        return PcscCardReader(settings.card_reader.reader)
    from kiosk.hardware.simulated_card_reader import SimulatedCardReader

    return SimulatedCardReader()
