"""An on-screen keyboard with the Romanian and Hungarian letters."""

from __future__ import annotations

import logging

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import N_
from kiosk.ui.widgets import Texts, TouchButton, Translate

logger = logging.getLogger(__name__)

ROWS: tuple[str, ...] = (
    "1234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm,.",
)
ACCENTS = "ăâîșț" + "áéíóöőúüű"
"""Romanian, then Hungarian: every letter a citizen of either language
needs, without a long press that many people never discover."""
EXTRA_KEYS = "@-_+"
"""For e-mail addresses and phone numbers."""
BACKSPACE_NAME = N_("Delete")
"""Spoken name of the ⌫ key, which shows only a symbol."""

KeyboardTarget = QLineEdit | QPlainTextEdit


class OnScreenKeyboard(QWidget):
    """Types into one text field; keys never take the focus away from it."""

    typed = Signal(str)
    """Text inserted (a letter, a space); for activity tracking."""

    def __init__(self, parent: QWidget | None = None, *, accents: bool = True) -> None:
        """A keyboard; ``accents`` adds the row of accented letters."""
        super().__init__(parent)
        self.setObjectName("keyboard")
        self._target: KeyboardTarget | None = None
        self._shift = False
        self._texts = Texts()
        self.keys: dict[str, TouchButton] = {}
        """Character keys by the (lower-case) character they type."""

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(5)
        for row in ROWS + ((ACCENTS,) if accents else ()):
            layout.addLayout(self._key_row(row))
        bottom = QHBoxLayout()
        self.shift_key = self._texts.add(
            TouchButton(role="key", wrap=False), N_("Shift")
        )
        self.shift_key.setCheckable(True)
        self.shift_key.toggled.connect(self.on_shift_key_toggled)
        bottom.addWidget(self.shift_key, 2)
        for char in EXTRA_KEYS:
            bottom.addWidget(self._char_key(char), 1)
        self.space_key = self._texts.add(
            TouchButton(role="key", wrap=False), N_("Space")
        )
        self.space_key.clicked.connect(self.on_space_key_clicked)
        bottom.addWidget(self.space_key, 6)
        self.backspace_key = TouchButton("⌫", role="key", wrap=False)
        self.backspace_key.setAccessibleName(BACKSPACE_NAME)
        self.backspace_key.setAutoRepeat(True)
        self.backspace_key.clicked.connect(self.on_backspace_key_clicked)
        bottom.addWidget(self.backspace_key, 2)
        layout.addLayout(bottom)

    def set_target(self, target: KeyboardTarget | None) -> None:
        """Type into ``target`` from now on."""
        self._target = target

    def retranslate(self, translate: Translate) -> None:
        """Label the named keys in the citizen's language."""
        self._texts.apply(translate)
        self.backspace_key.setAccessibleName(translate(BACKSPACE_NAME))

    def set_repeat(self, delay_s: float, interval_s: float) -> None:
        """How the held ⌫ key repeats; a delay of 0 turns the repeat off."""
        key = self.backspace_key
        key.setAutoRepeat(delay_s > 0)
        if delay_s > 0:
            key.setAutoRepeatDelay(round(delay_s * 1000))
            key.setAutoRepeatInterval(round(interval_s * 1000))

    def press(self, text: str) -> None:
        """Insert ``text`` into the target, as if its keys were pressed."""
        target = self._target
        if target is None:
            return
        if isinstance(target, QLineEdit):
            target.insert(text)
        else:
            target.insertPlainText(text)
        self.typed.emit(text)

    def _key_row(self, row: str) -> QHBoxLayout:
        line = QHBoxLayout()
        line.setSpacing(5)
        for char in row:
            line.addWidget(self._char_key(char))
        return line

    def _char_key(self, char: str) -> TouchButton:
        key = TouchButton(char, role="key", wrap=False)
        key.setProperty("char", char)
        key.clicked.connect(self.on_char_key_clicked)
        self.keys[char] = key
        return key

    @Slot()
    def on_char_key_clicked(self) -> None:
        """A letter, digit or sign key was pressed."""
        key = self.sender()
        if not isinstance(key, TouchButton):
            return
        char = str(key.property("char"))
        if self._shift and char.isalpha():
            char = char.upper()
            self.shift_key.setChecked(False)
        self.press(char)

    @Slot()
    def on_space_key_clicked(self) -> None:
        """The space bar was pressed."""
        self.press(" ")

    @Slot()
    def on_backspace_key_clicked(self) -> None:
        """Delete the character before the cursor (or the selection)."""
        target = self._target
        if isinstance(target, QLineEdit):
            target.backspace()
        elif isinstance(target, QPlainTextEdit):
            target.textCursor().deletePreviousChar()
        if target is not None:
            self.typed.emit("")

    @Slot(bool)
    def on_shift_key_toggled(self, checked: bool) -> None:
        """Show the letters in upper or lower case."""
        self._shift = checked
        for char, key in self.keys.items():
            if char.isalpha():
                key.setText(char.upper() if checked else char)
