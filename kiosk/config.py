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
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs

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
    dim_after_s: float = 300.0
    """Seconds on the attract screen without a touch before it dims, 10..86400.

    The first touch on a dimmed screen only wakes it; it presses nothing.
    """
    nightly_restart_local: str = ""
    """Local "HH:MM" at which the UI restarts while idle; "" turns it off.

    The app exits with status 75 (EX_TEMPFAIL) at the first moment on the
    attract screen after this time, and systemd starts it again. The time
    must exist exactly once every day in ``timezone``: a time inside a
    daylight-saving jump (03:00 to 03:59 in Europe/Bucharest) is refused.
    """


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
    profile: str = "TM-T20II"
    """python-escpos printer profile (escpos driver only)."""


@dataclass(frozen=True)
class McuSettings:
    """The link to the kiosk's microcontroller (LEDs, presence, tamper, UPS)."""

    port: str = "simulated"
    """pyserial URL or device path; "simulated" runs a simulated MCU in-process."""
    heartbeat_s: float = 1.0
    """Seconds between heartbeats sent to the MCU."""
    out_of_service_s: float = 5.0
    """Seconds without a heartbeat before the MCU shows "out of service"."""
    silence_s: float = 3.0
    """Seconds without a frame from the MCU before the link counts as silent."""
    reconnect_s: float = 2.0
    """Seconds between attempts to reopen a lost port."""


@dataclass(frozen=True)
class CameraSettings:
    """The camera: presence by faces, and QR codes on receipts and notices."""

    source: str = "simulated"
    """Device index ("0"), device path, video file, stream URL, or "simulated"."""
    width: int = 320
    """Processing width in pixels (frames are scaled down to it), 80..1920."""
    height: int = 240
    """Processing height in pixels, 60..1080."""
    fps: float = 4.0
    """Frames processed per second, 0.5..30."""
    present_after_frames: int = 2
    """Frames in a row with a face before someone counts as present, 1..30."""
    absent_after_s: float = 4.0
    """Seconds without a face before the person counts as gone."""
    frozen_after_s: float = 5.0
    """Seconds of identical frames before the camera counts as frozen."""
    unplugged_after_failures: int = 5
    """Failed reads in a row before the camera counts as unplugged, 1..100."""


@dataclass(frozen=True)
class DiagSettings:
    """Thresholds of ``kiosk diag``."""

    min_free_mb: int = 500
    """Free space below this on the data disk is a warning, MiB."""
    backlog_warning: int = 50
    """Requests waiting for the back-end above this count are a warning."""
    oldest_warning_h: float = 24.0
    """A request waiting longer than this is a warning, hours."""
    check_timeout_s: float = 2.0
    """Longest one passive check may take, seconds."""


@dataclass(frozen=True)
class Settings:
    """All settings of one kiosk."""

    kiosk: KioskSettings = field(default_factory=KioskSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    printer: PrinterSettings = field(default_factory=PrinterSettings)
    mcu: McuSettings = field(default_factory=McuSettings)
    camera: CameraSettings = field(default_factory=CameraSettings)
    diag: DiagSettings = field(default_factory=DiagSettings)

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
    if not 10 <= kiosk.dim_after_s <= 86400:
        raise ConfigError("kiosk.dim_after_s", "must be between 10 and 86400")
    if kiosk.nightly_restart_local:
        _validate_restart_time(kiosk.nightly_restart_local, ZoneInfo(kiosk.timezone))
    if settings.printer.driver not in ("simulated", "escpos"):
        raise ConfigError("printer.driver", "must be 'simulated' or 'escpos'")
    if settings.printer.driver == "escpos" and not settings.printer.port:
        raise ConfigError("printer.port", "is required by the escpos driver")
    _validate_devices(settings)


def parse_local_time(text: str) -> time:
    """A "HH:MM" wall-clock time; ValueError if it is not one."""
    hours, sep, minutes = text.partition(":")
    if not sep or len(hours) != 2 or len(minutes) != 2:
        raise ValueError(f"{text!r} is not HH:MM")
    return time(int(hours), int(minutes))


def _validate_restart_time(text: str, zone: ZoneInfo) -> None:
    key = "kiosk.nightly_restart_local"
    try:
        wall = parse_local_time(text)
    except ValueError as exc:
        raise ConfigError(key, 'must be a time as "HH:MM", e.g. "04:30"') from exc
    # Any rule change would show within a year of today: look at each day.
    today = datetime.now(zone).date()
    for offset in range(366):
        day = today + timedelta(days=offset)
        if not is_unambiguous_local(datetime.combine(day, wall, tzinfo=zone)):
            raise ConfigError(
                key,
                f"{text} is skipped or repeated on {day} when the clocks change "
                f"in {zone.key}; pick a time outside the change",
            )


def is_unambiguous_local(moment: datetime) -> bool:
    """True if this wall-clock time occurs exactly once in its zone."""
    # PEP 495: both inside a repeated hour and inside a skipped one, the two
    # values of ``fold`` give different UTC offsets; elsewhere they agree.
    return moment.replace(fold=0).utcoffset() == moment.replace(fold=1).utcoffset()


def _validate_devices(settings: Settings) -> None:
    ranges: list[tuple[str, float, float, float]] = [
        ("mcu.heartbeat_s", settings.mcu.heartbeat_s, 0.05, 60),
        ("mcu.out_of_service_s", settings.mcu.out_of_service_s, 0.1, 65),
        ("mcu.silence_s", settings.mcu.silence_s, 0.1, 600),
        ("mcu.reconnect_s", settings.mcu.reconnect_s, 0.05, 600),
        ("camera.width", settings.camera.width, 80, 1920),
        ("camera.height", settings.camera.height, 60, 1080),
        ("camera.fps", settings.camera.fps, 0.5, 30),
        ("camera.present_after_frames", settings.camera.present_after_frames, 1, 30),
        ("camera.absent_after_s", settings.camera.absent_after_s, 0.1, 600),
        ("camera.frozen_after_s", settings.camera.frozen_after_s, 0.5, 600),
        (
            "camera.unplugged_after_failures",
            settings.camera.unplugged_after_failures,
            1,
            100,
        ),
        ("diag.min_free_mb", settings.diag.min_free_mb, 0, 10**7),
        ("diag.backlog_warning", settings.diag.backlog_warning, 0, 10**7),
        ("diag.oldest_warning_h", settings.diag.oldest_warning_h, 0, 10**5),
        ("diag.check_timeout_s", settings.diag.check_timeout_s, 0.1, 30),
    ]
    for key, value, low, high in ranges:
        if not low <= value <= high:
            raise ConfigError(key, f"must be between {low} and {high}")
    if not settings.mcu.port:
        raise ConfigError(
            "mcu.port", "must be a port URL, a device path or 'simulated'"
        )
    if not settings.camera.source:
        raise ConfigError("camera.source", "must be a device, file, URL or 'simulated'")
