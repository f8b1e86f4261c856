"""The session's clocks: the idle warning, the reset, and the done screen.

A citizen who stops touching the kiosk gets a warning with a countdown
after ``idle_warning_s``, then a reset ``idle_reset_s`` later that drops
everything they entered. The done and paid screens stay up
``done_screen_s`` after the last touch, then the kiosk starts over. The
attract and filing screens never time out; the card wait has its own
clock (kiosk.card_wait).
"""

from __future__ import annotations

import logging

from kiosk.config import KioskSettings
from kiosk.view_model import Screen

logger = logging.getLogger(__name__)


class IdleClock:
    """When the citizen last acted, and how long the screen may stay up."""

    def __init__(self, settings: KioskSettings) -> None:
        self.settings = settings
        self.last_activity = 0.0
        """Monotonic time of the citizen's last touch, key or command."""
        self.warning_since: float | None = None
        """When the idle warning went up; None while it is not shown."""
        self.done_since: float | None = None
        """When the done (or paid) screen's time started; None elsewhere."""

    def touched(self, now: float) -> bool:
        """The citizen acted; True if that ends an idle warning."""
        self.last_activity = now
        if self.done_since is not None:
            # A touch or key on the done screen keeps the ticket up.
            self.done_since = now
        if self.warning_since is None:
            return False
        # Any touch during the warning means the citizen is still here.
        self.warning_since = None
        return True

    def ended(self, now: float) -> None:
        """A done or paid screen went up: its own time starts now."""
        self.done_since = now

    def clear(self) -> None:
        """No warning and no done screen: the session reset or moved on."""
        self.warning_since = None
        self.done_since = None

    def seconds_left(self, screen: Screen, now: float) -> int | None:
        """Whole seconds of the idle warning to show, 0 to reset, or None.

        None means nothing is due on this screen yet.
        """
        if screen in (Screen.ATTRACT, Screen.FILING):
            return None
        if screen in (Screen.DONE, Screen.PAID):
            if self.done_since is not None and (
                now - self.done_since >= self.settings.done_screen_s
            ):
                return 0
            return None
        idle = now - self.last_activity
        if idle < self.settings.idle_warning_s:
            return None
        if self.warning_since is None:
            self.warning_since = now
        remaining = self.settings.idle_reset_s - (now - self.warning_since)
        if remaining <= 0:
            logger.info("Session reset after %.0f s idle", idle)
            return 0
        return int(remaining + 0.999)
