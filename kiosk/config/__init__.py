"""Kiosk settings: one TOML file read once into frozen dataclasses.

Every key has a default, so a kiosk with no configuration file runs in demo
mode: simulated devices and a data directory under the user's data dir. The
operator's file (``/etc/antonia/kiosk.toml`` on a kiosk) switches devices to
their real drivers. Validation happens at load time, and a bad value stops
the program with a message that names the key.

The pieces live in one module per concept: ``loader`` (the file, the
section table, unknown keys and wrong types), ``errors`` (``ConfigError``),
``wall_clock`` (local times of day), and one module per group of sections,
each holding its dataclasses and the checks for them: ``kiosk_section``,
``devices``, ``payment``, ``speech``, ``accessibility``, ``storage`` and
``diagnostics``.

This package is the one way in for settings: the rest of the code imports
``from kiosk.config import X`` and never from the modules inside, so the
sections can move between modules without touching their users. Every
public name is listed in ``__all__``.
"""

from kiosk.config.accessibility import AccessSettings, ScreenSettings
from kiosk.config.devices import (
    SERIAL_URL_SCHEMES,
    CameraSettings,
    McuSettings,
    PrinterSettings,
    is_serial_port,
)
from kiosk.config.diagnostics import DiagSettings
from kiosk.config.errors import ConfigError
from kiosk.config.kiosk_section import LANGUAGES, KioskSettings
from kiosk.config.loader import Settings, load_settings
from kiosk.config.payment import CardReaderSettings, PaymentSettings
from kiosk.config.speech import MAX_RATE_WPM, MIN_RATE_WPM, SpeechSettings
from kiosk.config.storage import MIN_SYNC_INTERVAL_S, StorageSettings, SyncSettings
from kiosk.config.wall_clock import is_unambiguous_local, parse_local_time

__all__ = [
    "LANGUAGES",
    "MAX_RATE_WPM",
    "MIN_RATE_WPM",
    "MIN_SYNC_INTERVAL_S",
    "SERIAL_URL_SCHEMES",
    "AccessSettings",
    "CameraSettings",
    "CardReaderSettings",
    "ConfigError",
    "DiagSettings",
    "KioskSettings",
    "McuSettings",
    "PaymentSettings",
    "PrinterSettings",
    "ScreenSettings",
    "Settings",
    "SpeechSettings",
    "StorageSettings",
    "SyncSettings",
    "is_serial_port",
    "is_unambiguous_local",
    "load_settings",
    "parse_local_time",
]
