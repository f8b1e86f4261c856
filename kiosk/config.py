"""Kiosk settings: one TOML file read once into frozen dataclasses.

Every key has a default, so a kiosk with no configuration file runs in demo
mode: simulated devices and a data directory under the user's data dir. The
operator's file (``/etc/antonia/kiosk.toml`` on a kiosk) switches devices to
their real drivers. Validation happens here, at load time, and a bad value
stops the program with a message that names the key.
"""

from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs

from kiosk.hardware.printer_profiles import DEFAULT_PROFILE

logger = logging.getLogger(__name__)

LANGUAGES = ("ro", "hu", "en")
"""UI languages, in the order the language screen offers them."""


class ConfigError(Exception):
    """The configuration file is missing, unreadable or holds a bad value."""

    def __init__(self, key: str, problem: str) -> None:
        self.key = key
        self.problem = problem
        super().__init__(f"configuration key '{key}': {problem}")


@dataclass(frozen=True)
class KioskSettings:
    """Who this kiosk is and how it talks to citizens."""

    id: str = "demo-kiosk"
    """Stable identifier of this kiosk; also the prefix of its ticket numbers."""
    address: str = "Calea Moților 3, Cluj-Napoca"
    """Street address sent with every request filed from this kiosk."""
    timezone: str = "Europe/Bucharest"
    """IANA zone for local times on screen and on receipts (storage is UTC)."""
    default_language: str = "ro"
    """Language the attract screen speaks first; one of ro, hu, en."""
    idle_warning_s: float = 45.0
    """Seconds without a touch before the "more time?" warning appears."""
    idle_reset_s: float = 15.0
    """Seconds the warning counts down before the session is wiped."""
    done_screen_s: float = 12.0
    """Seconds the final screen stays before the kiosk returns to attract."""
    fullscreen: bool = False
    """Fill the screen and hide the window frame (the real kiosk sets this)."""


@dataclass(frozen=True)
class StorageSettings:
    """Where the kiosk keeps its outbox and receipts."""

    data_dir: Path = field(
        default_factory=lambda: Path(platformdirs.user_data_dir("antonia"))
    )
    """Directory for the outbox database and simulated-printer output."""


@dataclass(frozen=True)
class PrinterSettings:
    """Receipt printer selection."""

    driver: str = "simulated"
    """Either "simulated" (receipts saved as text and PNG) or "escpos"."""
    port: str = ""
    """pyserial URL of the printer (escpos driver only)."""
    baudrate: int = 19200
    """Line speed in bit/s (escpos driver only)."""
    profile: str = DEFAULT_PROFILE
    """Printer model, a key of kiosk.hardware.printer_profiles.PROFILES; the
    simulated printer lays its receipts out at the same width."""
    status_timeout_s: float = 0.3
    """Longest a status query waits for all replies, in seconds, above zero;
    silence after it reads as "not answering" (escpos driver only)."""
    print_timeout_s: float = 8.0
    """Time the mechanism may take for one receipt on top of the receipt's
    time on the line, in seconds, above zero (escpos driver only)."""


@dataclass(frozen=True)
class Settings:
    """All settings of one kiosk."""

    kiosk: KioskSettings = field(default_factory=KioskSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    printer: PrinterSettings = field(default_factory=PrinterSettings)

    @property
    def zone(self) -> ZoneInfo:
        """The configured local time zone."""
        return ZoneInfo(self.kiosk.timezone)


_SECTIONS: dict[str, type[Any]] = {
    "kiosk": KioskSettings,
    "storage": StorageSettings,
    "printer": PrinterSettings,
}


def load_settings(path: Path | None = None, data_dir: Path | None = None) -> Settings:
    """Read and validate the settings; with no path, the embedded defaults.

    Args:
        path: a TOML file; None means "no file", not "look somewhere".
        data_dir: overrides ``[storage] data_dir`` (the ``--data-dir`` option).

    Raises:
        ConfigError: the file cannot be read or a value is invalid.
    """
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(
                "--config", f"cannot read {path}: {exc.strerror}"
            ) from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError("--config", f"{path} is not valid TOML: {exc}") from exc

    sections: dict[str, Any] = {}
    for name, values in raw.items():
        if name not in _SECTIONS:
            raise ConfigError(name, "unknown section")
        if not isinstance(values, dict):
            raise ConfigError(name, "must be a table")
        sections[name] = _build_section(name, _SECTIONS[name], values)

    settings = Settings(**sections)
    if data_dir is not None:
        settings = replace(settings, storage=StorageSettings(data_dir=data_dir))
    _validate(settings)
    logger.debug("config.loaded path=%s data_dir=%s", path, settings.storage.data_dir)
    return settings


def _build_section(name: str, cls: type[Any], values: dict[str, Any]) -> Any:
    known = {f.name: f for f in fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(f"{name}.{key}", "unknown key")
        default = getattr(cls(), key)
        kwargs[key] = _coerce(f"{name}.{key}", value, default)
    return cls(**kwargs)


def _coerce(key: str, value: Any, default: Any) -> Any:
    if isinstance(default, Path):
        if not isinstance(value, str) or not value:
            raise ConfigError(key, "must be a non-empty path")
        return Path(os.path.expanduser(value))
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(key, "must be true or false")
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(key, "must be a number")
        return float(value)
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(key, "must be a whole number")
        return value
    if not isinstance(value, str):
        raise ConfigError(key, "must be a string")
    return value


def _validate(settings: Settings) -> None:
    kiosk = settings.kiosk
    if kiosk.default_language not in LANGUAGES:
        raise ConfigError("kiosk.default_language", f"must be one of {LANGUAGES}")
    if not kiosk.id or not kiosk.id.replace("-", "").isalnum():
        raise ConfigError("kiosk.id", "must be letters, digits and dashes")
    try:
        ZoneInfo(kiosk.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            "kiosk.timezone", f"unknown time zone {kiosk.timezone!r}"
        ) from exc
    for key in ("idle_warning_s", "idle_reset_s", "done_screen_s"):
        if getattr(kiosk, key) <= 0:
            raise ConfigError(f"kiosk.{key}", "must be above zero")
    if settings.printer.driver not in ("simulated", "escpos"):
        raise ConfigError("printer.driver", "must be 'simulated' or 'escpos'")
    if settings.printer.driver == "escpos" and not settings.printer.port:
        raise ConfigError("printer.port", "is required by the escpos driver")
    for key in ("status_timeout_s", "print_timeout_s"):
        if getattr(settings.printer, key) <= 0:
            raise ConfigError(f"printer.{key}", "must be above zero")
