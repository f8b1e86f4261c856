"""Operating the screen from a hardware keypad, as on accessible cash machines.

Arrow keys (or Tab) move a visible focus through the screen's controls in
reading order: the page first, then the top bar, then the accessibility bar.
Enter presses the focused control, Escape goes one screen back, Help (or
F1) reads the screen again, and Pause (or a media Play/Pause key) holds
the speech and goes on with it. Each move speaks the control's label. Keys
held down do not repeat, and nothing depends on how long a key is held. A
guard may ignore the same key struck twice in quick succession.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QWidget,
)

from kiosk.ui.double_press import PressGuard

logger = logging.getLogger(__name__)

NEXT_KEYS = frozenset({Qt.Key.Key_Down, Qt.Key.Key_Right, Qt.Key.Key_Tab})
PREVIOUS_KEYS = frozenset({Qt.Key.Key_Up, Qt.Key.Key_Left, Qt.Key.Key_Backtab})
ACTIVATE_KEYS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Select})
BACK_KEYS = frozenset({Qt.Key.Key_Escape, Qt.Key.Key_Back, Qt.Key.Key_Cancel})
REPEAT_KEYS = frozenset({Qt.Key.Key_F1, Qt.Key.Key_Help})
PAUSE_KEYS = frozenset(
    {
        Qt.Key.Key_Pause,
        Qt.Key.Key_MediaPause,
        Qt.Key.Key_MediaTogglePlayPause,
        Qt.Key.Key_MediaPlay,
    }
)
"""Each press pauses the speech or goes on with it."""
_CURSOR_KEYS = frozenset({Qt.Key.Key_Left, Qt.Key.Key_Right})
"""Left and right stay with a text field that has the keypad focus."""
_KEYPAD_KEYS = (
    NEXT_KEYS | PREVIOUS_KEYS | ACTIVATE_KEYS | BACK_KEYS | REPEAT_KEYS | PAUSE_KEYS
)
FOCUS_PROPERTY = "keypad"
"""Dynamic property the style sheet draws the focus ring from."""

Control = QAbstractButton | QLineEdit | QPlainTextEdit


def _text_field(widget: QWidget) -> bool:
    return isinstance(widget, QLineEdit | QPlainTextEdit)


class KeypadNavigator(QObject):
    """Moves a visible focus through the window's controls with keys."""

    focused = Signal(object)
    """A control (QWidget) received the keypad focus."""
    pressing = Signal(object)
    """A control is about to be pressed with Enter."""
    activated = Signal(object)
    """A control was pressed with Enter."""
    back_requested = Signal()
    repeat_requested = Signal()
    pause_requested = Signal()
    """The Pause key: hold the speech, or go on with it."""
    key_used = Signal()
    """The keypad took a key: the citizen is there (and a warning goes away)."""

    def __init__(
        self,
        root: QWidget,
        *,
        content: QWidget,
        trailing: QWidget,
        modal: Callable[[], QWidget | None],
        skip: Callable[[QWidget], bool],
        guard: PressGuard | None = None,
    ) -> None:
        """Navigate inside ``root``.

        Args:
            root: the window.
            content: controls inside it come first (the page).
            trailing: controls inside it come last (the accessibility bar).
            modal: a layer on top whose controls are the only ones, or None.
            skip: controls to leave out (e.g. on-screen keyboard keys).
            guard: decides whether a key struck again too soon counts.
        """
        super().__init__(root)
        self._root = root
        self._content = content
        self._trailing = trailing
        self._modal = modal
        self._skip = skip
        self._guard = guard
        self._current: QWidget | None = None

    @property
    def current(self) -> QWidget | None:
        """The control with the keypad focus, if any."""
        if self._current is not None and not shiboken6.isValid(self._current):
            self._current = None
        return self._current

    def controls(self) -> list[QWidget]:
        """The controls a key can reach now, in reading order."""
        modal = self._modal()
        scope = modal if modal is not None else self._root
        found = [
            w
            for w in scope.findChildren(QWidget)
            if isinstance(w, Control)
            and w.isVisible()
            and w.isEnabled()
            and (modal is not None or not self._skip(w))
        ]
        return sorted(found, key=self._order_key(found))

    def _order_key(
        self, found: Sequence[QWidget]
    ) -> Callable[[QWidget], tuple[int, ...]]:
        # Rows: a control starting above the middle of the row's first
        # control belongs to that row; within a row, left to right.
        place = {id(w): w.mapTo(self._root, QPoint(0, 0)) for w in found}
        rows: dict[int, int] = {}
        row, row_middle = -1, -(10**9)
        for w in sorted(found, key=lambda w: (self._group(w), place[id(w)].y())):
            top = place[id(w)].y()
            if top >= row_middle:
                row, row_middle = row + 1, top + w.height() // 2
            rows[id(w)] = row
        return lambda w: (self._group(w), rows[id(w)], place[id(w)].x())

    def _group(self, widget: QWidget) -> int:
        if self._content.isAncestorOf(widget):
            return 0
        if self._trailing.isAncestorOf(widget):
            return 2
        return 1

    def clear(self) -> None:
        """Remove the focus ring (a new screen starts without one)."""
        current = self.current
        self._current = None
        if current is not None:
            _mark(current, False)

    def move(self, step: int) -> None:
        """Move the focus ``step`` controls on, wrapping round at the ends."""
        controls = self.controls()
        if not controls:
            return
        current = self.current
        if current in controls:
            index = (controls.index(current) + step) % len(controls)
        else:
            index = 0 if step > 0 else len(controls) - 1
        self.focus(controls[index])

    def focus(self, widget: QWidget) -> None:
        """Give ``widget`` the keypad focus, show the ring and announce it."""
        self.clear()
        self._current = widget
        _mark(widget, True)
        area = _scroll_area_of(widget)
        if area is not None:
            area.ensureWidgetVisible(widget)
        if _text_field(widget):
            widget.setFocus(Qt.FocusReason.TabFocusReason)
        self.focused.emit(widget)

    def activate(self) -> None:
        """Press the focused control; with none, read the screen again."""
        current = self.current
        if current is None or not current.isVisible():
            self.repeat_requested.emit()
            return
        if isinstance(current, QAbstractButton):
            self.pressing.emit(current)
            current.click()
            self.activated.emit(current)
        else:
            self.move(1)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Turn keypad keys inside the window into moves and presses."""
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if not isinstance(watched, QWidget) or not (
            watched is self._root or self._root.isAncestorOf(watched)
        ):
            return False
        return self.handle_key(event)

    def handle_key(self, event: QKeyEvent) -> bool:
        """Act on one key press; True if the key was the keypad's."""
        key = Qt.Key(event.key())
        if event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        ):
            return False
        current = self.current
        if key in _CURSOR_KEYS and current is not None and _text_field(current):
            return False
        if self._modal() is not None:
            # Any key answers the idle warning, and does nothing else.
            self.key_used.emit()
            return True
        if event.isAutoRepeat():
            # Holding a key down does nothing more than pressing it once.
            return key in NEXT_KEYS | PREVIOUS_KEYS | ACTIVATE_KEYS | PAUSE_KEYS
        if key not in _KEYPAD_KEYS:
            return False
        if self._guard is not None and not self._guard.accept(key):
            # A second strike of the same key too soon: taken and dropped.
            return True
        if key in NEXT_KEYS:
            self.move(1)
        elif key in PREVIOUS_KEYS:
            self.move(-1)
        elif key in ACTIVATE_KEYS:
            self.activate()
        elif key in BACK_KEYS:
            self.back_requested.emit()
        elif key in PAUSE_KEYS:
            self.pause_requested.emit()
        else:
            self.repeat_requested.emit()
        self.key_used.emit()
        return True


def _mark(widget: QWidget, on: bool) -> None:
    widget.setProperty(FOCUS_PROPERTY, "focus" if on else None)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


def _scroll_area_of(widget: QWidget) -> QScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return parent
        parent = parent.parentWidget()
    return None
