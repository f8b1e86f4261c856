"""The hidden way into the technician screen: corner taps or a service key."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QMouseEvent, QShortcut
from PySide6.QtWidgets import QApplication, QWidget

logger = logging.getLogger(__name__)

CORNER_PX = 80
"""Side of the top-left square that counts the hidden taps."""
TAPS_TO_OPEN = 5
TAP_WINDOW_S = 3.0
"""The taps must all fall within this many seconds."""
SERVICE_SHORTCUT = "Ctrl+Alt+F12"
"""The key the service keypad sends to open the screen."""


class HiddenGesture(QObject):
    """Counts taps in the window's top-left corner; also the keypad shortcut."""

    triggered = Signal()

    def __init__(
        self, window: QWidget, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(window)
        self._window = window
        self._clock = clock
        self._taps: list[float] = []
        self._last_press: tuple[int, float, float] | None = None
        self.shortcut = QShortcut(QKeySequence(SERVICE_SHORTCUT), window)
        self.shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
        self.shortcut.activated.connect(self.on_shortcut_activated)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Count presses in the corner; never consume them."""
        if event.type() == QEvent.Type.MouseButtonPress and isinstance(
            event, QMouseEvent
        ):
            self._on_press(event)
        return False

    def _on_press(self, event: QMouseEvent) -> None:
        where = event.globalPosition()
        # An unhandled press travels up through the parents, and the filter
        # sees it at each one: count it once.
        key = (event.timestamp(), where.x(), where.y())
        if key == self._last_press:
            return
        self._last_press = key
        local = self._window.mapFromGlobal(where)
        if not self._in_corner(local):
            self._taps.clear()
            return
        now = self._clock()
        self._taps = [t for t in self._taps if now - t <= TAP_WINDOW_S] + [now]
        if len(self._taps) >= TAPS_TO_OPEN:
            self._taps.clear()
            logger.info("Technician gesture recognised")
            self.triggered.emit()

    def _in_corner(self, point: QPointF) -> bool:
        return 0 <= point.x() < CORNER_PX and 0 <= point.y() < CORNER_PX

    @Slot()
    def on_shortcut_activated(self) -> None:
        """The service keypad's key opens the screen too."""
        logger.info("Technician shortcut pressed")
        self.triggered.emit()
