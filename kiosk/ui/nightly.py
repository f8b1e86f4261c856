"""The nightly restart: leave at a quiet moment so systemd starts us afresh.

A process that runs for months collects fragmentation, caches and whatever
leaks the libraries below us have. Once a night, at the configured local
time, the UI exits with a distinct status when nobody is using it; the
service's ``Restart=always`` brings it back within seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Signal, Slot

from kiosk.ui.timer import NamedTimer

logger = logging.getLogger(__name__)

EXIT_NIGHTLY_RESTART = 75
"""Exit status of the planned restart (EX_TEMPFAIL; SuccessExitStatus=75)."""
CHECK_INTERVAL_MS = 30_000
GRACE = timedelta(hours=2)
"""A restart still pending this long after its time waits for the next night."""

WallClock = Callable[[], datetime]
"""The current time as an aware datetime; tests pass a fake one."""


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def next_restart(after: datetime, wall: time, zone: ZoneInfo) -> datetime:
    """The first moment strictly after ``after`` whose local time is ``wall``."""
    local = after.astimezone(zone)
    candidate = datetime.combine(local.date(), wall, tzinfo=zone)
    if candidate <= local:
        candidate = datetime.combine(
            local.date() + timedelta(days=1), wall, tzinfo=zone
        )
    return candidate.astimezone(UTC)


class NightlyRestart(QObject):
    """Emits ``due`` once, at the first idle moment after the restart time."""

    due = Signal()

    def __init__(
        self,
        wall: time,
        zone: ZoneInfo,
        is_idle: Callable[[], bool],
        now: WallClock = utc_now,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._wall = wall
        self._zone = zone
        self._is_idle = is_idle
        self._now = now
        self._fired = False
        self.next_at = next_restart(now(), wall, zone)
        self.check_timer = NamedTimer(
            "nightly-restart-check", CHECK_INTERVAL_MS, parent=self
        )
        self.check_timer.timeout.connect(self.on_check_timer_timeout)

    def start(self) -> None:
        """Start watching the clock."""
        logger.info(
            "Nightly restart planned at %s",
            self.next_at.astimezone(self._zone).isoformat(timespec="minutes"),
        )
        self.check_timer.start_named()

    def check(self) -> bool:
        """Emit ``due`` if the time has come and the kiosk is idle."""
        now = self._now()
        if self._fired or now < self.next_at:
            return False
        if now - self.next_at > GRACE:
            logger.warning(
                "Nightly restart skipped: the kiosk was busy from %s to %s",
                self.next_at.isoformat(timespec="minutes"),
                now.isoformat(timespec="minutes"),
            )
            self.next_at = next_restart(now, self._wall, self._zone)
            return False
        if not self._is_idle():
            return False
        self._fired = True
        self.check_timer.stop()
        logger.info("Nightly restart: leaving so that systemd starts a fresh UI")
        self.due.emit()
        return True

    @Slot()
    def on_check_timer_timeout(self) -> None:
        """Look at the clock."""
        self.check()
