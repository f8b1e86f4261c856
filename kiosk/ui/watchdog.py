"""Tells systemd the screen is up and alive, from the Qt event loop itself.

The watchdog ping is a timer on the GUI thread on purpose: if a slot hangs
or the loop deadlocks, the pings stop and systemd restarts the kiosk. A
thread of its own would keep pinging for a frozen screen.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Slot

from kiosk.sdnotify import notify, watchdog_interval_s
from kiosk.ui.timer import NamedTimer

logger = logging.getLogger(__name__)

STATUS_READY = "Chioșcul așteaptă cetățeni"
"""The status text once the first screen is up ("waiting for citizens")."""
STATUS_STOPPING = "Oprire la cerere"
"""Stopping on request (SIGTERM, SIGINT)."""
STATUS_NIGHTLY = "Repornire de noapte"
"""Stopping for the nightly restart."""


class SystemdNotifier(QObject):
    """READY, STATUS and STOPPING for systemd, and the watchdog's pings."""

    def __init__(
        self, interval_s: float | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        if interval_s is None:
            interval_s = watchdog_interval_s()
        self.watchdog_timer: NamedTimer | None = None
        if interval_s is not None:
            # At least every 50 ms would flood the journal's notify socket
            # for nothing; a real WatchdogSec= is seconds.
            interval_ms = max(50, int(interval_s * 1000))
            self.watchdog_timer = NamedTimer(
                "systemd-watchdog", interval_ms, parent=self
            )
            self.watchdog_timer.timeout.connect(self.on_watchdog_timer_timeout)

    def start(self) -> None:
        """Start pinging the watchdog, if systemd asked for one."""
        if self.watchdog_timer is not None:
            self.watchdog_timer.start_named()
            notify("WATCHDOG=1")

    def ready(self, status: str) -> None:
        """The first screen is on display: the service has started."""
        if notify("READY=1", f"STATUS={status}"):
            logger.info("Told systemd the kiosk is ready")

    def status(self, status: str) -> None:
        """Update the one-line status shown by ``systemctl status``."""
        notify(f"STATUS={status}")

    def stopping(self, status: str) -> None:
        """The kiosk is shutting down on purpose."""
        if self.watchdog_timer is not None:
            self.watchdog_timer.stop()
        notify("STOPPING=1", f"STATUS={status}")

    @Slot()
    def on_first_frame_shown(self) -> None:
        """The first screen has been painted: report the service as started."""
        self.ready(STATUS_READY)

    @Slot()
    def on_watchdog_timer_timeout(self) -> None:
        """The event loop is turning: tell systemd."""
        notify("WATCHDOG=1")
