"""Small building blocks shared by the screens: buttons, labels, texts."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QAbstractButton, QLabel, QPushButton, QWidget

from kiosk.accessibility import STATE_OFF, STATE_ON

Translate = Callable[[str], str]
"""A gettext function for the citizen's language."""

_W = TypeVar("_W", bound=QAbstractButton | QLabel)

TOUCH_MIN_PX = 60
"""Smallest touch target side: 15 mm at about 96 dpi (56.7 px), rounded up."""


class TouchButton(QPushButton):
    """A push button big enough for a finger, that never steals focus."""

    def __init__(
        self, text: str = "", parent: QWidget | None = None, *, role: str = ""
    ) -> None:
        super().__init__(text, parent)
        self.setMinimumSize(TOUCH_MIN_PX, TOUCH_MIN_PX)
        # The text field keeps the focus while the citizen presses buttons,
        # so the on-screen keyboard keeps typing into it.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        if role:
            self.setProperty("role", role)


CHECK_MARK = "✓"
"""Drawn before the "on" word of a toggle that is on."""


def _identity(text: str) -> str:
    return text


class StateButton(TouchButton):
    """A button with its label on one line and its state in words below it.

    The state is text, so it shows in every theme without relying on colour
    (WCAG 1.4.1). The label alone is the button's accessible name, which the
    keypad speaks before the state.
    """

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self._label = label
        self._translate: Translate = _identity
        self.refresh()

    def retranslate(self, translate: Translate) -> None:
        """Show the label and the state in the language of ``translate``."""
        self._translate = translate
        self.refresh()

    def state_text(self, translate: Translate) -> str:
        """The second line; subclasses say what their state is."""
        return ""

    def refresh(self) -> None:
        """Redraw the two lines after a change of state or language."""
        label = self._translate(self._label)
        self.setAccessibleName(label)
        self.setText(f"{label}\n{self.state_text(self._translate)}")


class ToggleButton(StateButton):
    """An on/off button that says "✓ On" or "Off" under its label."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(label, parent)
        self.setCheckable(True)
        self.toggled.connect(self.on_toggled)
        self.refresh()

    def state_text(self, translate: Translate) -> str:
        """A check mark and "On", or "Off"."""
        if self.isChecked():
            return f"{CHECK_MARK} {_capital(translate(STATE_ON))}"
        return _capital(translate(STATE_OFF))

    @Slot(bool)
    def on_toggled(self, checked: bool) -> None:
        """Show the new state."""
        self.refresh()


class TextSizeButton(StateButton):
    """Steps the text size; shows the size in force as a percentage."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        self._percent = 100
        super().__init__(label, parent)

    @property
    def percent(self) -> int:
        """The text size shown, in per cent of the normal size."""
        return self._percent

    def set_percent(self, percent: int) -> None:
        """Show ``percent`` as the size in force."""
        self._percent = percent
        self.refresh()

    def state_text(self, translate: Translate) -> str:
        """The size, e.g. "150 %"."""
        return f"{self._percent} %"

    def refresh(self) -> None:
        """Both lines are spoken: the label and the size."""
        super().refresh()
        self.setAccessibleName("")


def _capital(word: str) -> str:
    return word[:1].upper() + word[1:]


def wrapped_label(
    parent: QWidget | None = None, *, role: str = "", object_name: str = ""
) -> QLabel:
    """A word-wrapping label with a style role."""
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if role:
        label.setProperty("role", role)
    if object_name:
        label.setObjectName(object_name)
    return label


class Texts:
    """Widgets whose label is an English source string, retranslated on render."""

    def __init__(self) -> None:
        self._items: list[tuple[QAbstractButton | QLabel, str]] = []

    def add(self, widget: _W, source: str) -> _W:
        """Remember that ``widget`` shows ``source`` in the citizen's language."""
        self._items.append((widget, source))
        widget.setText(source)
        return widget

    def apply(self, translate: Translate) -> None:
        """Set every remembered widget's text in the language of ``translate``."""
        for widget, source in self._items:
            widget.setText(translate(source))
