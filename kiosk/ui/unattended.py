"""Display settings left behind on the attract screen go back to the defaults.

Someone may turn on high contrast or large text on the attract screen and
walk away without starting. The next person should not find the screen
changed, so after the attract screen has sat untouched for a while the
settings are reset, as they are at the end of every session.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Slot
from PySide6.QtWidgets import QApplication

from kiosk.accessibility import AccessPrefs
from kiosk.ui.timer import NamedTimer

logger = logging.getLogger(__name__)

CHECK_INTERVAL_MS = 1000
_TOUCHES = (
    QEvent.Type.MouseButtonPress,
    QEvent.Type.TouchBegin,
    QEvent.Type.KeyPress,
)


class UnattendedReset(QObject):
    """Resets the preferences after ``after_s`` untouched on the attract screen."""

    def __init__(
        self,
        parent: QObject,
        *,
        after_s: float,
        clock: Callable[[], float],
        on_attract: Callable[[], bool],
        prefs: Callable[[], AccessPrefs],
        reset: Callable[[], None],
    ) -> None:
        super().__init__(parent)
        self._after_s = after_s
        self._clock = clock
        self._on_attract = on_attract
        self._prefs = prefs
        self._reset = reset
        self._touched_at = clock()
        self.check_timer = NamedTimer("a11y-unattended", CHECK_INTERVAL_MS, parent=self)
        self.check_timer.timeout.connect(self.on_check_timer_timeout)
        self.check_timer.start_named()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def stop(self) -> None:
        """Stop watching (the window is closing)."""
        self.check_timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def check(self) -> None:
        """Reset if the attract screen has sat untouched long enough."""
        if not self._on_attract() or self._prefs() == AccessPrefs():
            self._touched_at = self._clock()
            return
        if self._clock() - self._touched_at >= self._after_s:
            logger.info("a11y.unattended reset after %.0f s", self._after_s)
            self._reset()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """A touch or a key press means someone is there."""
        if event.type() in _TOUCHES:
            self._touched_at = self._clock()
        return False

    @Slot()
    def on_check_timer_timeout(self) -> None:
        """Look at the clock."""
        self.check()
