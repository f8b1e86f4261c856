"""The ``[printer]``, ``[mcu]`` and ``[camera]`` sections: the kiosk's devices.

Each section picks a real driver or the simulator ("simulated" is the
default, so a laptop runs the kiosk with no hardware) and sets the
timings the driver uses to tell a slow device from a lost one.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.config.errors import ConfigError, check_ranges
from kiosk.hardware.printer_profiles import DEFAULT_PROFILE, PROFILES

SERIAL_URL_SCHEMES = ("socket", "rfc2217", "loop", "spy", "alt", "hwgrep")
"""URL schemes pyserial's serial_for_url opens without extra packages."""


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


def is_serial_port(port: str) -> bool:
    """True for a device path or a URL with a scheme pyserial can open."""
    scheme, sep, rest = port.partition("://")
    if sep:
        return scheme.lower() in SERIAL_URL_SCHEMES
    return port.startswith("/") and len(port) > 1


def validate_printer(printer: PrinterSettings) -> None:
    """Refuse an unknown driver or model, an unusable port or a bad timing."""
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
    if printer.profile not in PROFILES:
        # Checked here, with the rest of the file, so that a typing mistake
        # is reported before anything is opened or created.
        known = ", ".join(sorted(PROFILES))
        raise ConfigError(
            "printer.profile", f"unknown model {printer.profile!r}; known: {known}"
        )


def validate_mcu(mcu: McuSettings) -> None:
    """Refuse link timings, distances or charges out of range, or no port."""
    check_ranges(
        [
            ("mcu.heartbeat_s", mcu.heartbeat_s, 0.05, 60),
            ("mcu.out_of_service_s", mcu.out_of_service_s, 0.1, 65),
            ("mcu.silence_s", mcu.silence_s, 0.1, 600),
            ("mcu.reconnect_s", mcu.reconnect_s, 0.05, 600),
            ("mcu.presence_wake_mm", mcu.presence_wake_mm, 100, 5000),
            (
                "mcu.shutdown_battery_percent",
                mcu.shutdown_battery_percent,
                0,
                100,
            ),
        ]
    )
    if not mcu.port:
        raise ConfigError(
            "mcu.port", "must be a port URL, a device path or 'simulated'"
        )


def validate_camera(camera: CameraSettings) -> None:
    """Refuse a frame size, rate or detection count out of range, or no source."""
    check_ranges(
        [
            ("camera.width", camera.width, 80, 1920),
            ("camera.height", camera.height, 60, 1080),
            ("camera.fps", camera.fps, 0.5, 30),
            ("camera.present_after_frames", camera.present_after_frames, 1, 30),
            ("camera.absent_after_s", camera.absent_after_s, 0.1, 600),
            ("camera.frozen_after_s", camera.frozen_after_s, 0.5, 600),
            (
                "camera.unplugged_after_failures",
                camera.unplugged_after_failures,
                1,
                100,
            ),
        ]
    )
    if not camera.source:
        raise ConfigError("camera.source", "must be a device, file, URL or 'simulated'")
