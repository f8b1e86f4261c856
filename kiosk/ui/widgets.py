"""Small building blocks shared by the screens: buttons, labels, texts."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt
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
