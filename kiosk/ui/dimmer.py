"""Dims the attract screen after a while; the first touch only wakes it.

The dark layer saves the panel and looks calm in an empty lobby. A citizen
who touches a dim screen cannot see what is under their finger, so that
touch (press, moves and release) is swallowed: it wakes the screen and
presses nothing.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.session import Screen, View
from kiosk.ui.controller import Clock, SessionController
from kiosk.ui.timer import NamedTimer

logger = logging.getLogger(__name__)

CHECK_INTERVAL_MS = 1000
SWALLOW_AT_MOST_S = 3.0
"""A waking touch whose release never arrives stops being swallowed after this."""

_PRESSES = (
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonDblClick,
    QEvent.Type.TouchBegin,
    QEvent.Type.KeyPress,
)
_FOLLOW_UPS = (
    QEvent.Type.MouseMove,
    QEvent.Type.TouchUpdate,
    QEvent.Type.MouseButtonRelease,
    QEvent.Type.TouchEnd,
    QEvent.Type.TouchCancel,
    QEvent.Type.KeyRelease,
)
_ENDS = (
    QEvent.Type.MouseButtonRelease,
    QEvent.Type.TouchEnd,
    QEvent.Type.TouchCancel,
    QEvent.Type.KeyRelease,
)


class DimLayer(QWidget):
    """A dark, see-through layer over the whole window."""

    def __init__(self, covered: QWidget) -> None:
        super().__init__(covered)
        self._covered = covered
        self.setObjectName("dim")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("#dim { background-color: rgba(0, 0, 0, 200); }")
        covered.installEventFilter(self)
        self.hide()

    def cover(self) -> None:
        """Lay the layer over the window and show it."""
        self.setGeometry(self._covered.rect())
        self.raise_()
        self.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Follow the window's size."""
        if watched is self._covered and event.type() == QEvent.Type.Resize:
            self.setGeometry(self._covered.rect())
        return False


class ScreenDimmer(QObject):
    """Watches touches on the attract screen and dims it when none come."""

    def __init__(
        self,
        window: QWidget,
        controller: SessionController,
        dim_after_s: float,
        clock: Clock,
    ) -> None:
        super().__init__(window)
        self.layer = DimLayer(window)
        self._controller = controller
        self._dim_after_s = dim_after_s
        self._clock = clock
        self._last_activity = clock()
        self._swallow_since: float | None = None
        self.check_timer = NamedTimer("screen-dim", CHECK_INTERVAL_MS, parent=self)
        self.check_timer.timeout.connect(self.on_check_timer_timeout)
        controller.view_changed.connect(self.on_controller_view_changed)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    @property
    def dimmed(self) -> bool:
        """Whether the dark layer is up."""
        return self.layer.isVisible()

    def start(self) -> None:
        """Start watching the clock."""
        self.check_timer.start_named()

    def stop(self) -> None:
        """Stop watching (the window is closing)."""
        self.check_timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def check(self) -> None:
        """Dim if the attract screen has been untouched long enough."""
        if self.dimmed or self._controller.view.screen is not Screen.ATTRACT:
            return
        if self._clock() - self._last_activity >= self._dim_after_s:
            self.layer.cover()
            logger.info(
                "Screen dimmed after %.0f s on the attract screen", self._dim_after_s
            )

    def wake(self) -> None:
        """Lift the dark layer (a touch, or someone stepped up)."""
        self._last_activity = self._clock()
        if self.dimmed:
            self.layer.hide()
            logger.info("Screen woken")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Note touches; swallow the one that wakes a dim screen."""
        kind = event.type()
        if self._swallow_since is not None:
            if self._clock() - self._swallow_since > SWALLOW_AT_MOST_S:
                self._swallow_since = None
            elif kind in _PRESSES or kind in _FOLLOW_UPS:
                if kind in _ENDS:
                    self._swallow_since = None
                return True
        if kind in _PRESSES:
            if self.dimmed:
                self.wake()
                self._swallow_since = self._clock()
                return True
            self._last_activity = self._clock()
        return False

    @Slot()
    def on_check_timer_timeout(self) -> None:
        """Look at the clock."""
        self.check()

    @Slot(object)
    def on_controller_view_changed(self, view: View) -> None:
        """Another screen means someone is here; attract starts the count anew."""
        if view.screen is not Screen.ATTRACT:
            self.wake()
        elif not self.dimmed:
            self._last_activity = self._clock()
