"""Reading the TOML file into ``Settings``, and refusing what it cannot hold.

``load_settings`` owns everything that is not about one section: reading
the file, the table of section names, unknown sections and keys, and
turning each TOML value into the type of the field's default. It then
runs every section's own checks, kept next to that section's dataclass.
With no file, every key keeps its default, which is demo mode.
"""

from __future__ import annotations

import logging
import math
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.config.accessibility import (
    AccessSettings,
    ScreenSettings,
    validate_access,
    validate_screen,
)
from kiosk.config.devices import (
    CameraSettings,
    McuSettings,
    PrinterSettings,
    validate_camera,
    validate_mcu,
    validate_printer,
)
from kiosk.config.diagnostics import DiagSettings, validate_diag
from kiosk.config.errors import ConfigError
from kiosk.config.kiosk_section import KioskSettings, validate_kiosk
from kiosk.config.payment import (
    CardReaderSettings,
    PaymentSettings,
    validate_card_reader,
    validate_payment,
)
from kiosk.config.speech import SpeechSettings, validate_speech
from kiosk.config.storage import (
    StorageSettings,
    SyncSettings,
    validate_storage,
    validate_sync,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Settings:
    """All settings of one kiosk."""

    kiosk: KioskSettings = field(default_factory=KioskSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    printer: PrinterSettings = field(default_factory=PrinterSettings)
    mcu: McuSettings = field(default_factory=McuSettings)
    camera: CameraSettings = field(default_factory=CameraSettings)
    diag: DiagSettings = field(default_factory=DiagSettings)
    speech: SpeechSettings = field(default_factory=SpeechSettings)
    payment: PaymentSettings = field(default_factory=PaymentSettings)
    card_reader: CardReaderSettings = field(default_factory=CardReaderSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)
    screen: ScreenSettings = field(default_factory=ScreenSettings)
    access: AccessSettings = field(default_factory=AccessSettings)

    @property
    def zone(self) -> ZoneInfo:
        """The configured local time zone."""
        return ZoneInfo(self.kiosk.timezone)


_SECTIONS: dict[str, type[Any]] = {
    "kiosk": KioskSettings,
    "storage": StorageSettings,
    "printer": PrinterSettings,
    "mcu": McuSettings,
    "camera": CameraSettings,
    "diag": DiagSettings,
    "speech": SpeechSettings,
    "payment": PaymentSettings,
    "card_reader": CardReaderSettings,
    "sync": SyncSettings,
    "screen": ScreenSettings,
    "access": AccessSettings,
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
        except UnicodeDecodeError as exc:
            raise ConfigError(
                "--config", f"{path} is not UTF-8 text (bad byte at {exc.start})"
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
        storage = replace(settings.storage, data_dir=data_dir)
        settings = replace(settings, storage=storage)
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
        # TOML allows nan and inf, and nan passes every range check (each
        # comparison is False), so they are refused here once for all keys.
        try:
            number = float(value)
        except OverflowError as exc:
            raise ConfigError(key, "must be a finite number") from exc
        if not math.isfinite(number):
            raise ConfigError(key, f"must be a finite number, not {value}")
        return number
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(key, "must be a whole number")
        return value
    if not isinstance(value, str):
        raise ConfigError(key, "must be a string")
    return value


def _validate(settings: Settings) -> None:
    # Each check stops at the first bad value, so with several faults this
    # order decides which one the operator reads first.
    validate_kiosk(settings.kiosk)
    validate_printer(settings.printer)
    validate_storage(settings.storage)
    validate_sync(settings.sync)
    validate_mcu(settings.mcu)
    validate_camera(settings.camera)
    validate_diag(settings.diag)
    validate_access(settings.access)
    validate_speech(settings.speech)
    validate_payment(settings.payment)
    validate_card_reader(settings.card_reader)
    validate_screen(settings.screen)
