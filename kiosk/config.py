"""Kiosk settings: one TOML file read once into frozen dataclasses.

Every key has a default, so a kiosk with no configuration file runs in demo
mode: simulated devices and a data directory under the user's data dir. The
operator's file (``/etc/antonia/kiosk.toml`` on a kiosk) switches devices to
their real drivers. Validation happens here, at load time, and a bad value
stops the program with a message that names the key.
"""

from __future__ import annotations

import logging
import math
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
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
        where = (
            "configuration file" if key == "--config" else f"configuration key '{key}'"
        )
        super().__init__(f"{where}: {problem}")


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
    idle_reset_s: float = 20.0
    """Seconds the warning counts down before the session is wiped (WCAG 2.2.1
    asks for at least 20)."""
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
    purge_contact_after_days: int = 30
    """Days after the back-end confirmed a request before its phone and e-mail
    are wiped from the outbox (0 wipes them at the next sync); 0 to 3650."""


@dataclass(frozen=True)
class PrinterSettings:
    """Receipt printer selection."""

    driver: str = "simulated"
    """Either "simulated" (receipts saved as text and PNG) or "escpos"."""
    port: str = ""
    """Device path such as /dev/ttyUSB0, or a pyserial URL with a scheme of
    SERIAL_URL_SCHEMES such as socket://host:9100 (escpos driver only)."""
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
    presence_wake_mm: int = 1000
    """Someone nearer than this wakes the attract screen, millimetres, 100..5000."""
    shutdown_battery_percent: int = 20
    """On UPS battery at or below this charge, the kiosk shuts down, 0..100 %."""


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
class SpeechSettings:
    """Speech in (vosk) and out (espeak-ng)."""

    models_dir: Path = field(
        default_factory=lambda: Path(platformdirs.user_data_dir("antonia")) / "models"
    )
    """Holds one vosk model directory per language code, e.g. models/ro."""
    input_device: str = "default"
    """PortAudio input device: name, index, or "default"."""
    output_enabled: bool = False
    """Speak prompts aloud (the real kiosk sets this)."""
    output_device: str = "default"
    """ALSA playback device for aplay, e.g. "default" or "plughw:1,0"."""
    listen_while_speaking: bool = True
    """Keep the microphone open during prompts, so talking cuts them short.

    Needs a microphone with echo cancellation; without one the kiosk hears
    its own voice, so set it to false and listening starts after each prompt.
    """
    vad_aggressiveness: int = 2
    """Voice detector strictness, 0 (lenient) to 3 (strictest)."""
    max_utterance_s: float = 12.0
    """Longest utterance in seconds; longer speech is cut."""
    silence_timeout_s: float = 0.8
    """Seconds of silence that end an utterance."""
    headphones_device: str = ""
    """ALSA device of the headphone jack for private listening; empty: no jack."""
    volume_step_db: float = 3.0
    """Change of one Louder or Quieter press, dB (1 to 12)."""
    volume_min_db: float = -24.0
    """Quietest level, dB below the loudest (-60 to -12); the loudest is 0 dB,
    set with the ALSA mixer at installation to at least 65 dBA."""
    speaker_volume_db: float = -6.0
    """Loudspeaker level each citizen starts at, dB (volume_min_db to 0);
    keep it at 65 dBA or less."""
    headphones_volume_db: float = -12.0
    """Headphone level each citizen starts at, dB (volume_min_db to 0)."""


@dataclass(frozen=True)
class ScreenSettings:
    """The citizen's screen as built into the kiosk, for sizes in millimetres."""

    width_px: int = 1920
    """Horizontal resolution of the screen, pixels."""
    height_px: int = 1080
    """Vertical resolution of the screen, pixels."""
    width_mm: float = 0.0
    """Visible width, mm; 0 derives it from the diagonal and the resolution."""
    height_mm: float = 0.0
    """Visible height, mm; 0 derives it from the diagonal and the resolution."""
    diagonal_in: float = 21.5
    """Visible diagonal in inches; used when width_mm or height_mm is 0."""
    bottom_mm: float = 1000.0
    """Height of the visible area's lower edge above the floor, mm."""


@dataclass(frozen=True)
class AccessSettings:
    """How the kiosk treats presses and the citizen's display settings."""

    double_press_s: float = 0.0
    """Seconds after a press during which the same key or button is ignored,
    0 to 2; 0 accepts every press (EN 301 549 5.8)."""
    backspace_repeat_delay_s: float = 0.5
    """Seconds the on-screen delete key is held before it repeats, 0 to 5;
    0 turns the repeat off (EN 301 549 5.7)."""
    backspace_repeat_interval_s: float = 0.2
    """Seconds between repeats of the held delete key, 0.05 to 5."""
    unattended_reset_s: float = 60.0
    """Seconds the attract screen sits untouched before display settings
    someone chose there go back to the defaults, 5 to 3600."""


@dataclass(frozen=True)
class PaymentSettings:
    """Card payment terminal selection."""

    driver: str = "simulated"
    """"simulated" (demo terminal keeping its state in a file) or "none"."""
    state_file: Path = Path("payment-terminal.json")
    """Simulated terminal's state; relative paths are under the data dir."""
    terminal_id: str = "SIM00001"
    """Terminal id the simulated terminal prints on receipts."""
    sale_timeout_s: float = 90.0
    """Seconds a sale waits for the card before the terminal gives up."""
    card_warning_s: float = 30.0
    """Seconds before that limit the kiosk says and shows a countdown and
    offers more time (WCAG 2.2.1 asks for at least 20)."""
    busy_retry_s: float = 1.0
    """Seconds between "last transaction" queries while the terminal is busy."""


@dataclass(frozen=True)
class CardReaderSettings:
    """Contactless card reader selection."""

    driver: str = "simulated"
    """"simulated", "pcsc" (pyscard through pcscd) or "none"."""
    reader: str = ""
    """Start of the PC/SC reader name; empty means the first reader."""
    check_interval_s: float = 5.0
    """Seconds between health checks that revive the reader after pcscd restarts."""


MIN_SYNC_INTERVAL_S = 1.0
"""Shortest wait between two runs of the sync loop: a shorter one would
post, poll and pull back to back and hammer the back-end."""


@dataclass(frozen=True)
class SyncSettings:
    """How the kiosk reaches the city hall's Open311 back-end."""

    endpoint: str = "http://127.0.0.1:8311/"
    """Base URL of the GeoReport v2 API (requests.json is appended); the
    default is the reference back-end started by ``kiosk backend``."""
    api_key_file: str = ""
    """File holding the API key on its first line; empty uses the demo key
    that the reference back-end accepts by default."""
    jurisdiction_id: str = ""
    """Open311 jurisdiction_id sent with every call; empty leaves it out."""
    timeout_s: float = 10.0
    """Seconds to wait for the back-end to connect or answer, per call."""
    interval_s: float = 300.0
    """Seconds between sync runs of the service loop (``kiosk sync``)."""
    budget_s: float = 120.0
    """Longest one sync run may take, back-off waits included, in seconds."""


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
    _validate_kiosk(settings.kiosk)
    _validate_printer(settings.printer)
    if not 0 <= settings.storage.purge_contact_after_days <= 3650:
        raise ConfigError("storage.purge_contact_after_days", "must be 0 to 3650")
    _validate_sync(settings.sync)
    _validate_devices(settings)


def _validate_kiosk(kiosk: KioskSettings) -> None:
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


SERIAL_URL_SCHEMES = ("socket", "rfc2217", "loop", "spy", "alt", "hwgrep")
"""URL schemes pyserial's serial_for_url opens without extra packages."""


def _validate_printer(printer: PrinterSettings) -> None:
    if printer.driver not in ("simulated", "escpos"):
        raise ConfigError("printer.driver", "must be 'simulated' or 'escpos'")
    if printer.driver == "escpos" and not printer.port:
        raise ConfigError("printer.port", "is required by the escpos driver")
    if printer.driver == "escpos" and not is_serial_port(printer.port):
        schemes = ", ".join(f"{s}://" for s in SERIAL_URL_SCHEMES)
        raise ConfigError(
            "printer.port",
            f"{printer.port!r} is neither a device path such as /dev/ttyUSB0 "
            f"nor a URL starting with one of {schemes}",
        )
    for key in ("baudrate", "status_timeout_s", "print_timeout_s"):
        if getattr(printer, key) <= 0:
            raise ConfigError(f"printer.{key}", "must be above zero")


def is_serial_port(port: str) -> bool:
    """True for a device path or a URL with a scheme pyserial can open."""
    scheme, sep, rest = port.partition("://")
    if sep:
        return scheme.lower() in SERIAL_URL_SCHEMES
    return port.startswith("/") and len(port) > 1


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
        ("mcu.presence_wake_mm", settings.mcu.presence_wake_mm, 100, 5000),
        (
            "mcu.shutdown_battery_percent",
            settings.mcu.shutdown_battery_percent,
            0,
            100,
        ),
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
        ("access.double_press_s", settings.access.double_press_s, 0, 2),
        (
            "access.backspace_repeat_delay_s",
            settings.access.backspace_repeat_delay_s,
            0,
            5,
        ),
        (
            "access.backspace_repeat_interval_s",
            settings.access.backspace_repeat_interval_s,
            0.05,
            5,
        ),
        ("access.unattended_reset_s", settings.access.unattended_reset_s, 5, 3600),
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
    speech = settings.speech
    if speech.vad_aggressiveness not in range(4):
        raise ConfigError("speech.vad_aggressiveness", "must be 0, 1, 2 or 3")
    for key in ("max_utterance_s", "silence_timeout_s"):
        if not 0 < getattr(speech, key) <= 60:
            raise ConfigError(f"speech.{key}", "must be above 0 and at most 60")
    _validate_volume(speech)
    _validate_payment_devices(settings)
    _validate_screen(settings.screen)


def _validate_volume(speech: SpeechSettings) -> None:
    if not 1 <= speech.volume_step_db <= 12:
        raise ConfigError("speech.volume_step_db", "must be between 1 and 12")
    # EN 301 549 8.2.1.1: a step at least 12 dB above the quietest.
    if not -60 <= speech.volume_min_db <= -12:
        raise ConfigError("speech.volume_min_db", "must be between -60 and -12")
    for key in ("speaker_volume_db", "headphones_volume_db"):
        if not speech.volume_min_db <= getattr(speech, key) <= 0:
            raise ConfigError(
                f"speech.{key}", "must be between speech.volume_min_db and 0"
            )


def _validate_screen(screen: ScreenSettings) -> None:
    for key in ("width_px", "height_px"):
        if not 100 <= getattr(screen, key) <= 20000:
            raise ConfigError(f"screen.{key}", "must be between 100 and 20000")
    for key in ("width_mm", "height_mm", "diagonal_in"):
        if not 0 <= getattr(screen, key) <= 5000:
            raise ConfigError(f"screen.{key}", "must be between 0 and 5000")
    if not (screen.width_mm and screen.height_mm) and not screen.diagonal_in:
        raise ConfigError("screen.diagonal_in", "is needed without width_mm/height_mm")
    if not 0 <= screen.bottom_mm <= 2500:
        raise ConfigError("screen.bottom_mm", "must be between 0 and 2500")


def _validate_payment_devices(settings: Settings) -> None:
    if settings.payment.driver not in ("simulated", "none"):
        raise ConfigError("payment.driver", "must be 'simulated' or 'none'")
    for key in ("sale_timeout_s", "card_warning_s", "busy_retry_s"):
        if getattr(settings.payment, key) <= 0:
            raise ConfigError(f"payment.{key}", "must be above zero")
    if settings.card_reader.driver not in ("simulated", "pcsc", "none"):
        raise ConfigError("card_reader.driver", "must be 'simulated', 'pcsc' or 'none'")
    if settings.card_reader.check_interval_s <= 0:
        raise ConfigError("card_reader.check_interval_s", "must be above zero")


def _validate_sync(sync: SyncSettings) -> None:
    if not sync.endpoint.startswith(("http://", "https://")):
        raise ConfigError("sync.endpoint", "must be an http:// or https:// URL")
    try:
        # .port raises ValueError for a port that is not a number or too big.
        host, _port = urlsplit(sync.endpoint).hostname, urlsplit(sync.endpoint).port
    except ValueError as exc:
        raise ConfigError("sync.endpoint", f"is not a valid URL: {exc}") from exc
    if not host:
        raise ConfigError("sync.endpoint", "must name a host, as in http://host/")
    for key in ("timeout_s", "interval_s", "budget_s"):
        value = getattr(sync, key)
        # nan compares False with everything, so "<= 0" alone lets it in.
        if not math.isfinite(value) or value <= 0:
            raise ConfigError(f"sync.{key}", "must be a finite number above zero")
    if sync.interval_s < MIN_SYNC_INTERVAL_S:
        raise ConfigError(
            "sync.interval_s", f"must be at least {MIN_SYNC_INTERVAL_S:g} s"
        )
    if sync.api_key_file and not Path(sync.api_key_file).is_file():
        raise ConfigError("sync.api_key_file", f"{sync.api_key_file} is not a file")
