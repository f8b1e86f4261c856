"""Small building blocks shared by the screens: buttons, labels, texts."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QAbstractButton, QLabel, QPushButton, QWidget

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


BOX_CHECKED = "☑"
"""Drawn before the label of a toggle that is on: a ticked box."""
BOX_EMPTY = "☐"
"""Drawn before the label of a toggle that is off: an empty box."""


def _identity(text: str) -> str:
    return text


class StateButton(TouchButton):
    """A button that shows its state in its text, not by colour alone.

    The text changes with the state, so it shows in every theme and needs
    no colour vision (WCAG 1.4.1). The label alone is the button's
    accessible name, which the keypad speaks before the state.
    """

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self._label = label
        self._translate: Translate = _identity
        self.refresh()

    def retranslate(self, translate: Translate) -> None:
        """Show the label in the language of ``translate``."""
        self._translate = translate
        self.refresh()

    def shown(self, label: str) -> str:
        """The text for ``label`` in the current state; subclasses add it."""
        return label

    def refresh(self) -> None:
        """Redraw after a change of state or language."""
        label = self._translate(self._label)
        self.setAccessibleName(label)
        self.setText(self.shown(label))


class ToggleButton(StateButton):
    """An on/off button: a ticked box before its label when on, empty when off."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(label, parent)
        self.setCheckable(True)
        self.toggled.connect(self.on_self_toggled)
        self.refresh()

    def shown(self, label: str) -> str:
        """The box, ticked or empty, then the label."""
        return f"{BOX_CHECKED if self.isChecked() else BOX_EMPTY} {label}"

    @Slot(bool)
    def on_self_toggled(self, checked: bool) -> None:
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

    def shown(self, label: str) -> str:
        """The label and the size, e.g. "Text size 150 %"."""
        return f"{label} {self._percent} %"

    def refresh(self) -> None:
        """The whole text is spoken: the label and the size."""
        super().refresh()
        self.setAccessibleName("")


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
