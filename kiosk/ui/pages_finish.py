"""The last screens: contact details, summary, filing and the ticket."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable

import segno
from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import N_
from kiosk.session import (
    ChooseService,
    ConfirmSummary,
    SkipContact,
    StartOver,
    SubmitContact,
    View,
)
from kiosk.ui.keyboard import OnScreenKeyboard
from kiosk.ui.page import Page
from kiosk.ui.pages_choice import ChoiceList
from kiosk.ui.widgets import (
    TouchButton,
    Translate,
    busy_bar,
    scrolling,
    wrapped_label,
)

logger = logging.getLogger(__name__)

QR_SCALE_PX = 8
"""Pixels per QR module: big enough for any phone camera at arm's length."""


class ContactPage(Page):
    """Optional phone and e-mail, the consent box, and the keyboard."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session_values: tuple[str, str, bool] = ("", "", False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # Both fields on one line leave room for the keyboard on a 800 px tall
        # screen.
        fields = QHBoxLayout()
        self.phone_field = QLineEdit()
        self.phone_field.setObjectName("phone")
        self.email_field = QLineEdit()
        self.email_field.setObjectName("email")
        fields.addWidget(self.texts.add(QLabel(), N_("Phone")))
        fields.addWidget(self.phone_field, 2)
        fields.addSpacing(16)
        fields.addWidget(self.texts.add(QLabel(), N_("E-mail")))
        fields.addWidget(self.email_field, 3)
        layout.addLayout(fields)
        self.consent_box = self.texts.add(
            QCheckBox(),
            N_("I agree that the city hall keeps these details to answer me."),
        )
        self.consent_box.setObjectName("consent")
        layout.addWidget(self.consent_box)
        actions = QHBoxLayout()
        self.skip_button = self.texts.add(TouchButton(), N_("Continue without"))
        self.skip_button.clicked.connect(self.on_skip_button_clicked)
        self.continue_button = self.texts.add(
            TouchButton(role="primary"), N_("Continue")
        )
        self.continue_button.clicked.connect(self.on_continue_button_clicked)
        actions.addWidget(self.skip_button)
        actions.addStretch(1)
        actions.addWidget(self.continue_button)
        layout.addLayout(actions)
        # Phone numbers and e-mail addresses need no accented letters; without
        # their row the keys keep their size when the text is at 200 %.
        self.keyboard = OnScreenKeyboard(accents=False)
        layout.addWidget(self.keyboard)
        for field in (self.phone_field, self.email_field):
            field.installEventFilter(self)
        self.keyboard.set_target(self.phone_field)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Point the keyboard at whichever field the citizen touched."""
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QLineEdit):
            self.keyboard.set_target(watched)
        return False

    def show_view(self, view: View, translate: Translate) -> None:
        """Show the details as the citizen entered them."""
        super().show_view(view, translate)
        self.keyboard.retranslate(translate)
        self.phone_field.setPlaceholderText("0722 123 456")
        self.email_field.setPlaceholderText(translate(N_("name@example.com")))
        # As on the describe page: only what the session changed replaces what
        # is in the fields, so a redraw never undoes unsent typing.
        session_values = (view.phone, view.email, view.consent)
        if session_values != self._session_values:
            self._session_values = session_values
            if self.phone_field.text() != view.phone:
                self.phone_field.setText(view.phone)
            if self.email_field.text() != view.email:
                self.email_field.setText(view.email)
            self.consent_box.setChecked(view.consent)

    def focus_input(self) -> None:
        """Start in the phone field."""
        self.phone_field.setFocus(Qt.FocusReason.OtherFocusReason)

    def forget(self) -> None:
        """Empty the fields and untick the consent box."""
        self._session_values = ("", "", False)
        self.phone_field.clear()
        self.email_field.clear()
        self.consent_box.setChecked(False)
        self.keyboard.set_target(self.phone_field)

    @Slot()
    def on_continue_button_clicked(self) -> None:
        """Hand the fields, as typed, to the session to check."""
        self.request(
            SubmitContact(
                self.phone_field.text(),
                self.email_field.text(),
                self.consent_box.isChecked(),
            )
        )

    @Slot()
    def on_skip_button_clicked(self) -> None:
        """No contact details."""
        self.request(SkipContact())


class SummaryPage(Page):
    """Everything the citizen entered, and the send button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        # The citizen's words may be long, and the text large: they scroll,
        # and the send button stays on the page below them.
        words = QWidget()
        words_layout = QVBoxLayout(words)
        words_layout.setContentsMargins(0, 0, 0, 0)
        self.text_title = self.texts.add(
            wrapped_label(role="subtitle"), N_("Your words:")
        )
        self.text_value = wrapped_label(object_name="summary-text")
        self.contact_title = self.texts.add(
            wrapped_label(role="subtitle"), N_("Contact:")
        )
        self.contact_value = wrapped_label(object_name="summary-contact")
        for widget in (
            self.text_title,
            self.text_value,
            self.contact_title,
            self.contact_value,
        ):
            words_layout.addWidget(widget)
        words_layout.addStretch(1)
        layout.addWidget(scrolling(words), 1)
        self.send_button = self.texts.add(TouchButton(role="primary"), N_("Send"))
        self.send_button.setMinimumHeight(100)
        self.send_button.clicked.connect(self.on_send_button_clicked)
        layout.addWidget(self.send_button)

    def show_view(self, view: View, translate: Translate) -> None:
        """Fill in the text and the contact details."""
        super().show_view(view, translate)
        self.text_value.setText(view.text)
        contact = ", ".join(part for part in (view.phone, view.email) if part)
        self.contact_value.setText(contact or translate(N_("none")))

    def forget(self) -> None:
        """Drop the citizen's words and contact details from the labels."""
        self.text_value.clear()
        self.contact_value.clear()

    @Slot()
    def on_send_button_clicked(self) -> None:
        """File the request."""
        self.request(ConfirmSummary())


class FilingPage(Page):
    """A busy indicator while the worker saves and prints."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.busy = busy_bar()
        layout.addWidget(self.busy)
        layout.addStretch(1)


class DonePage(Page):
    """The ticket number, its QR code, and an offer for a second topic."""

    def __init__(
        self, qr_payload: Callable[[str], str | None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._qr_payload = qr_payload
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.ticket_label = QLabel()
        self.ticket_label.setObjectName("ticket")
        self.ticket_label.setProperty("role", "ticket")
        self.ticket_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_label = QLabel()
        self.qr_label.setObjectName("qr")
        top.addWidget(self.ticket_label, 1)
        top.addWidget(self.qr_label)
        layout.addLayout(top)
        self.secondary_label = self.texts.add(
            wrapped_label(role="subtitle"),
            N_("You also mentioned this. File it as well?"),
        )
        layout.addWidget(self.secondary_label)
        self.choice_list = ChoiceList(columns=1)
        self.choice_list.chosen.connect(self.on_choice_list_chosen)
        layout.addWidget(self.choice_list, 1)
        self.finish_button = self.texts.add(TouchButton(role="primary"), N_("Finish"))
        self.finish_button.clicked.connect(self.on_finish_button_clicked)
        layout.addWidget(self.finish_button)

    def show_view(self, view: View, translate: Translate) -> None:
        """Show the ticket large, with a QR code that holds it."""
        super().show_view(view, translate)
        ticket = view.ticket or ""
        self.ticket_label.setText(ticket)
        payload = self._qr_payload(ticket) if ticket else None
        self.qr_label.setPixmap(qr_pixmap(payload or ticket) if ticket else QPixmap())
        self.choice_list.set_choices(view.choices)
        self.secondary_label.setVisible(bool(view.choices))
        self.choice_list.setVisible(bool(view.choices))

    def forget(self) -> None:
        """Drop the ticket and its code."""
        self.ticket_label.clear()
        self.qr_label.clear()
        self.choice_list.set_choices(())

    @Slot(str)
    def on_choice_list_chosen(self, key: str) -> None:
        """File the second topic too."""
        self.request(ChooseService(key))

    @Slot()
    def on_finish_button_clicked(self) -> None:
        """The citizen is done."""
        self.request(StartOver())


def qr_pixmap(payload: str) -> QPixmap:
    """A QR code of ``payload``, drawn in memory."""
    buffer = io.BytesIO()
    segno.make_qr(payload, error="m").save(
        buffer, kind="png", scale=QR_SCALE_PX, border=2
    )
    pixmap = QPixmap()
    pixmap.loadFromData(buffer.getvalue(), "PNG")
    return pixmap
