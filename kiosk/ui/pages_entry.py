"""The first screens: attract, language and describe-your-request."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.config import LANGUAGES
from kiosk.i18n import N_, translations
from kiosk.payment_flow import OpenPayByReference
from kiosk.session import ChooseLanguage, OpenCategories, SubmitText, View, Wake
from kiosk.ui.keyboard import OnScreenKeyboard
from kiosk.ui.page import Page
from kiosk.ui.timer import NamedTimer
from kiosk.ui.widgets import TouchButton, Translate

logger = logging.getLogger(__name__)

LANGUAGE_NAMES = {"ro": "Română", "hu": "Magyar", "en": "English"}
"""Each language in its own words: never translated."""

ATTRACT_ROTATION_MS = 3000
_ATTRACT_TEXT = N_("Touch the screen to start")


class AttractPage(Page):
    """A screen-sized button whose invitation cycles through the languages."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._index = 0
        layout = QVBoxLayout(self)
        self.start_button = TouchButton(role="attract")
        self.start_button.setObjectName("attract")
        self.start_button.setSizePolicy(
            QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding
        )
        self.start_button.clicked.connect(self.on_start_button_clicked)
        layout.addWidget(self.start_button)
        self.rotation_timer = NamedTimer(
            "attract-rotation", ATTRACT_ROTATION_MS, parent=self
        )
        self.rotation_timer.timeout.connect(self.on_rotation_timer_timeout)

    def show_view(self, view: View, translate: Translate) -> None:
        """Start with the kiosk's default language, then rotate."""
        super().show_view(view, translate)
        self._index = LANGUAGES.index(view.language)
        self._show_invitation()
        self.rotation_timer.start_named()

    def hideEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        """Stop rotating while another screen is up."""
        self.rotation_timer.stop()

    def _show_invitation(self) -> None:
        lang = LANGUAGES[self._index]
        self.start_button.setText(translations(lang).gettext(_ATTRACT_TEXT))

    @Slot()
    def on_rotation_timer_timeout(self) -> None:
        """Show the invitation in the next language."""
        self._index = (self._index + 1) % len(LANGUAGES)
        self._show_invitation()

    @Slot()
    def on_start_button_clicked(self) -> None:
        """The citizen touched the screen."""
        self.request(Wake())


class LanguagePage(Page):
    """One big button per language."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.buttons: dict[str, TouchButton] = {}
        for lang in LANGUAGES:
            button = TouchButton(LANGUAGE_NAMES.get(lang, lang), role="big")
            button.setProperty("language", lang)
            button.setMinimumHeight(110)
            button.clicked.connect(self.on_language_button_clicked)
            layout.addWidget(button)
            self.buttons[lang] = button
        layout.addStretch(1)

    @Slot()
    def on_language_button_clicked(self) -> None:
        """A language was chosen."""
        button = self.sender()
        if isinstance(button, TouchButton):
            self.request(ChooseLanguage(str(button.property("language"))))


class DescribePage(Page):
    """A text field, the on-screen keyboard and the way to the categories."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session_text = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.text_field = QPlainTextEdit()
        self.text_field.setObjectName("description")
        self.text_field.setMinimumHeight(96)
        self.text_field.setMaximumHeight(160)
        # Between its minimum and maximum the field takes what the keyboard
        # leaves: a preferred height would be kept even when the screen is
        # short of room (200 % text), and the keys squeezed instead.
        self.text_field.setSizePolicy(
            QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored
        )
        # Continue beside the field, the other ways below it: with 200 % text
        # three buttons on one line would wrap and push the keyboard down.
        entry = QHBoxLayout()
        entry.addWidget(self.text_field, 1)
        layout.addLayout(entry)
        actions = QHBoxLayout()
        self.categories_button = self.texts.add(
            TouchButton(), N_("Choose from categories")
        )
        self.categories_button.clicked.connect(self.on_categories_button_clicked)
        self.continue_button = self.texts.add(
            TouchButton(role="primary"), N_("Continue")
        )
        self.continue_button.clicked.connect(self.on_continue_button_clicked)
        actions.addWidget(self.categories_button)
        self.pay_button = self.texts.add(
            TouchButton(), N_("Pay a fine or tax by reference")
        )
        self.pay_button.setObjectName("pay-by-reference")
        self.pay_button.clicked.connect(self.on_pay_button_clicked)
        actions.addWidget(self.pay_button)
        actions.addStretch(1)
        entry.addWidget(self.continue_button)
        layout.addLayout(actions)
        self.keyboard = OnScreenKeyboard()
        self.keyboard.set_target(self.text_field)
        layout.addWidget(self.keyboard)

    def show_view(self, view: View, translate: Translate) -> None:
        """Show the text the session holds (kept across errors)."""
        super().show_view(view, translate)
        self.keyboard.retranslate(translate)
        self.pay_button.setVisible(view.payments)
        self.text_field.setPlaceholderText(
            translate(N_("For example: I want to pay the tax on my house"))
        )
        # Only a change made by the session replaces the field: a redraw for
        # another reason (language, idle warning) must not undo unsent typing.
        if view.text != self._session_text:
            self._session_text = view.text
            if self.text_field.toPlainText() != view.text:
                self.text_field.setPlainText(view.text)
                self.text_field.moveCursor(QTextCursor.MoveOperation.End)

    def focus_input(self) -> None:
        """Put the cursor in the text field."""
        self.text_field.setFocus(Qt.FocusReason.OtherFocusReason)

    def forget(self) -> None:
        """Empty the text field."""
        self._session_text = ""
        self.text_field.clear()

    @Slot()
    def on_continue_button_clicked(self) -> None:
        """Send the description as typed, untouched."""
        self.request(SubmitText(self.text_field.toPlainText()))

    @Slot()
    def on_categories_button_clicked(self) -> None:
        """Show the category tiles instead."""
        self.request(OpenCategories())

    @Slot()
    def on_pay_button_clicked(self) -> None:
        """Pay a notice by its reference instead."""
        self.request(OpenPayByReference())
