"""The ``[kiosk]`` section: who the kiosk is, its languages, clock and timings.

Besides the identity sent with every request, this section holds the
session's timeouts (idle warning, reset, dimming) and the nightly restart,
whose local time must exist exactly once every day in the kiosk's zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.config.errors import ConfigError
from kiosk.config.wall_clock import is_unambiguous_local, parse_local_time

LANGUAGES = ("ro", "hu", "en")
"""UI languages, in the order the language screen offers them."""


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


def validate_kiosk(kiosk: KioskSettings) -> None:
    """Refuse an unknown language or zone, a bad id, timing or restart time."""
    if kiosk.default_language not in LANGUAGES:
        raise ConfigError("kiosk.default_language", f"must be one of {LANGUAGES}")
    if not kiosk.id or not kiosk.id.replace("-", "").isalnum():
        raise ConfigError("kiosk.id", "must be letters, digits and dashes")
    try:
        ZoneInfo(kiosk.timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        # OSError: a name that is a folder of the zone database ("Europe").
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
