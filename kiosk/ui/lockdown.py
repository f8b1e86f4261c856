"""Kiosk mode: no way out of the app from the touch screen or a keyboard.

The window manager and the X server hold the rest of the lock (no title bar,
no VT switch); see README.md. What the app itself can refuse is refused
here: context menus, the shortcuts that close or switch windows, and a
close request that did not come from the app (SIGTERM, nightly restart).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from kiosk.ui.timer import NamedTimer
from kiosk.ui.window import MainWindow

logger = logging.getLogger(__name__)

_WINDOW_SWITCH_MODIFIERS = (
    Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier
)
_BLOCKED_KEYS = frozenset(
    {
        Qt.Key.Key_Meta,
        Qt.Key.Key_Super_L,
        Qt.Key.Key_Super_R,
        Qt.Key.Key_Menu,
        Qt.Key.Key_Close,
        Qt.Key.Key_Exit,
    }
)
_BLOCKED_WITH_CONTROL = frozenset({Qt.Key.Key_Q, Qt.Key.Key_W, Qt.Key.Key_F4})
RAISE_DELAY_MS = 200


def is_escape_shortcut(event: QKeyEvent) -> bool:
    """True for key presses that could close, quit or switch windows."""
    modifiers = event.modifiers()
    key = Qt.Key(event.key())
    if modifiers & _WINDOW_SWITCH_MODIFIERS or key in _BLOCKED_KEYS:
        return True
    return bool(
        modifiers & Qt.KeyboardModifier.ControlModifier and key in _BLOCKED_WITH_CONTROL
    )


class Lockdown(QObject):
    """An application-wide filter that keeps the citizen inside the kiosk."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        window.close_allowed = False
        window.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.raise_timer = NamedTimer(
            "lockdown-raise", RAISE_DELAY_MS, single_shot=True, parent=self
        )
        self.raise_timer.timeout.connect(self.on_raise_timer_timeout)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        logger.info("Kiosk mode: shortcuts, context menus and closing are locked")

    def stop(self) -> None:
        """Remove the application-wide filter."""
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def allow_quit(self) -> None:
        """The app itself is leaving (SIGTERM, nightly restart)."""
        self.window.close_allowed = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Swallow context menus and escape shortcuts; stay on top."""
        kind = event.type()
        if kind == QEvent.Type.ContextMenu:
            return True
        if kind in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            assert isinstance(event, QKeyEvent)
            if is_escape_shortcut(event):
                if kind == QEvent.Type.KeyPress and not event.isAutoRepeat():
                    logger.info(
                        "Blocked a shortcut: key=0x%x modifiers=0x%x",
                        event.key(),
                        event.modifiers().value,
                    )
                return True
        if kind == QEvent.Type.WindowDeactivate and watched is self.window:
            # Something took the focus (a dialog of a library, a WM key):
            # take the screen back once it has settled.
            self.raise_timer.start_named()
        return False

    @Slot()
    def on_raise_timer_timeout(self) -> None:
        """Put the kiosk window back on top."""
        self.window.raise_()
        self.window.activateWindow()
