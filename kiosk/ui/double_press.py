"""Ignoring an accidental second press of the same key or button.

A citizen with a tremor may strike a key twice where they meant once. For a
configurable time after a press, the same key or button pressed again does
nothing (EN 301 549 5.8); a different one is taken at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QAbstractButton, QWidget

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
"""Monotonic seconds."""

_PRESSES = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick)


class PressGuard:
    """Says whether a press counts, or repeats the last one too soon."""

    def __init__(self, delay_s: float, clock: Clock) -> None:
        """Ignore the same thing pressed again within ``delay_s`` (0: never)."""
        self.delay_s = delay_s
        self._clock = clock
        self._last: object = None
        self._last_at = 0.0

    def accept(self, pressed: object) -> bool:
        """True if this press of ``pressed`` (a key or a widget) counts."""
        now = self._clock()
        if (
            self.delay_s > 0
            and pressed == self._last
            and now - self._last_at < self.delay_s
        ):
            logger.debug("a11y.double_press ignored after %.3f s", now - self._last_at)
            return False
        # The delay runs from the press that counted, so a fast triple strike
        # is one press too.
        self._last, self._last_at = pressed, now
        return True


class DoublePressFilter(QObject):
    """Drops a second touch on the same button of ``window`` within the delay."""

    def __init__(self, window: QWidget, guard: PressGuard) -> None:
        super().__init__(window)
        self._window = window
        self.guard = guard

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Swallow the press; the release that follows then clicks nothing."""
        if (
            event.type() in _PRESSES
            and self.guard.delay_s > 0
            and isinstance(watched, QAbstractButton)
            and self._window.isAncestorOf(watched)
        ):
            return not self.guard.accept(watched)
        return False
