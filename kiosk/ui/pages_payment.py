"""The card payment screens: the fee offer, a notice's reference and amount."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from kiosk.card_wait import ASK_MORE_TIME, CARD_WAIT
from kiosk.i18n import N_
from kiosk.payment_flow import (
    CancelPayment,
    PayLater,
    PayNow,
    SubmitAmount,
    SubmitReference,
)
from kiosk.session import Event, StartOver, View
from kiosk.ui.keyboard import OnScreenKeyboard
from kiosk.ui.page import Page
from kiosk.ui.widgets import (
    TouchButton,
    Translate,
    busy_bar,
    scrolling,
    wrapped_label,
)

logger = logging.getLogger(__name__)

PAY_BUTTON_TEXT = N_("Pay {amount} by card")
SPOKEN_PROPERTY = "spoken"
"""A button's label as the keypad says it, when it differs from its text."""


def _label_pay_button(button: TouchButton, view: View, translate: Translate) -> None:
    """The amount on the button, and in words for the keypad's speech."""
    label = translate(PAY_BUTTON_TEXT)
    button.setText(label.format(amount=view.amount))
    button.setProperty(SPOKEN_PROPERTY, label.format(amount=view.amount_words))


class PayOfferPage(Page):
    """A filed request's fee: pay now by card, or later."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.pay_button = TouchButton(role="primary")
        self.pay_button.setObjectName("pay-now")
        self.pay_button.setMinimumHeight(110)
        self.pay_button.clicked.connect(self.on_pay_button_clicked)
        layout.addWidget(self.pay_button)
        self.later_button = self.texts.add(TouchButton(role="big"), N_("Pay later"))
        self.later_button.setObjectName("pay-later")
        self.later_button.setMinimumHeight(90)
        self.later_button.clicked.connect(self.on_later_button_clicked)
        layout.addWidget(self.later_button)
        layout.addStretch(1)

    def show_view(self, view: View, translate: Translate) -> None:
        """Name the amount on the pay button."""
        super().show_view(view, translate)
        _label_pay_button(self.pay_button, view, translate)

    def forget(self) -> None:
        """Drop the amount."""
        self.pay_button.setText("")
        self.pay_button.setProperty(SPOKEN_PROPERTY, "")

    @Slot()
    def on_pay_button_clicked(self) -> None:
        """Start the card payment."""
        self.request(PayNow())

    @Slot()
    def on_later_button_clicked(self) -> None:
        """Leave the fee for later."""
        self.request(PayLater())


class PaymentEntryPage(Page):
    """One line typed on the on-screen keyboard: a reference or an amount."""

    def __init__(
        self,
        submit: Callable[[str], Event],
        placeholder: str,
        name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._submit = submit
        self._placeholder = placeholder
        self._session_entry = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.field = QLineEdit()
        self.field.setObjectName(name)
        self.field.setMaxLength(64)
        self.field.returnPressed.connect(self.on_field_return_pressed)
        row.addWidget(self.field, 1)
        self.continue_button = self.texts.add(
            TouchButton(role="primary"), N_("Continue")
        )
        self.continue_button.clicked.connect(self.on_continue_button_clicked)
        row.addWidget(self.continue_button)
        layout.addLayout(row)
        layout.addStretch(1)
        self.keyboard = OnScreenKeyboard()
        self.keyboard.set_target(self.field)
        layout.addWidget(self.keyboard)

    def show_view(self, view: View, translate: Translate) -> None:
        """Show what the session holds; keep unsent typing across redraws."""
        super().show_view(view, translate)
        self.keyboard.retranslate(translate)
        self.field.setPlaceholderText(translate(self._placeholder))
        if view.entry != self._session_entry:
            self._session_entry = view.entry
            if self.field.text() != view.entry:
                self.field.setText(view.entry)

    def focus_input(self) -> None:
        """Put the cursor in the field."""
        self.field.setFocus(Qt.FocusReason.OtherFocusReason)

    def forget(self) -> None:
        """Empty the field."""
        self._session_entry = ""
        self.field.clear()

    @Slot()
    def on_continue_button_clicked(self) -> None:
        """Hand the text, as typed, to the session to check."""
        self.request(self._submit(self.field.text()))

    @Slot()
    def on_field_return_pressed(self) -> None:
        """A hardware keyboard's Enter counts as Continue."""
        self.on_continue_button_clicked()


def reference_page() -> PaymentEntryPage:
    """The screen for typing a notice's payment reference."""
    return PaymentEntryPage(
        SubmitReference, N_("For example: AMD-2026-001234"), "payment-reference"
    )


def amount_page() -> PaymentEntryPage:
    """The screen for typing the amount a notice does not state."""
    return PaymentEntryPage(SubmitAmount, N_("For example: 150,50"), "payment-amount")


class PayConfirmPage(Page):
    """The amount and the reference, and the button that starts the payment."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.amount_label = QLabel()
        self.amount_label.setObjectName("payment-amount-shown")
        self.amount_label.setProperty("role", "ticket")
        self.amount_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.amount_label)
        self.pay_button = TouchButton(role="primary")
        self.pay_button.setObjectName("pay-confirm")
        self.pay_button.setMinimumHeight(110)
        self.pay_button.clicked.connect(self.on_pay_button_clicked)
        layout.addWidget(self.pay_button)
        layout.addStretch(1)

    def show_view(self, view: View, translate: Translate) -> None:
        """Show the amount large."""
        super().show_view(view, translate)
        self.amount_label.setText(view.amount)
        _label_pay_button(self.pay_button, view, translate)

    def forget(self) -> None:
        """Drop the amount."""
        self.amount_label.clear()
        self.pay_button.setText("")
        self.pay_button.setProperty(SPOKEN_PROPERTY, "")

    @Slot()
    def on_pay_button_clicked(self) -> None:
        """Start the card payment."""
        self.request(PayNow())


class PayingPage(Page):
    """A busy bar while the terminal runs the sale, and a cancel button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.busy = busy_bar()
        layout.addWidget(self.busy)
        # The terminal's time limit, counted down on the page itself so the
        # cancel button stays in reach while it is up.
        self.countdown = wrapped_label(role="countdown", object_name="card-countdown")
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.countdown)
        self.more_time_hint = self.texts.add(
            wrapped_label(role="prompt", object_name="card-more-time"), ASK_MORE_TIME
        )
        self.more_time_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.more_time_hint)
        layout.addStretch(1)
        self.cancel_button = self.texts.add(TouchButton(), N_("Cancel the payment"))
        self.cancel_button.setObjectName("pay-cancel")
        self.cancel_button.clicked.connect(self.on_cancel_button_clicked)
        layout.addWidget(self.cancel_button)
        self.forget()

    def show_view(self, view: View, translate: Translate) -> None:
        """Show the countdown while the terminal's limit is near."""
        super().show_view(view, translate)
        seconds = view.card_countdown_s
        if seconds is None:
            self.forget()
            return
        self.countdown.setText(translate(CARD_WAIT).format(seconds=seconds))
        self.countdown.show()
        self.more_time_hint.show()

    def forget(self) -> None:
        """Hide the countdown."""
        self.countdown.clear()
        self.countdown.hide()
        self.more_time_hint.hide()

    @Slot()
    def on_cancel_button_clicked(self) -> None:
        """Ask the terminal to stop waiting for the card."""
        self.request(CancelPayment())


class PaidPage(Page):
    """What was paid by reference (masked card only), and the finish button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.details = QWidget()
        self.details.setObjectName("payment-details")
        self._form = QFormLayout(self.details)
        # Several lines at 200 % text fill the page: they scroll, and the
        # finish button stays below them.
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 0, 0)
        holder_layout.addWidget(self.details)
        holder_layout.addStretch(1)
        layout.addWidget(scrolling(holder), 1)
        self.finish_button = self.texts.add(TouchButton(role="primary"), N_("Finish"))
        self.finish_button.clicked.connect(self.on_finish_button_clicked)
        layout.addWidget(self.finish_button)

    def show_view(self, view: View, translate: Translate) -> None:
        """List the payment's lines, as on the receipt."""
        super().show_view(view, translate)
        self.forget()
        for label, value in view.payment_lines:
            shown = wrapped_label()
            shown.setText(value)
            self._form.addRow(f"{label}:", shown)

    def forget(self) -> None:
        """Drop the payment's details."""
        while self._form.rowCount():
            self._form.removeRow(0)

    def detail_texts(self) -> list[str]:
        """The values shown, in order (for tests and the screen reader)."""
        texts = []
        for row in range(self._form.rowCount()):
            item = self._form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            widget = item.widget() if item is not None else None
            if isinstance(widget, QLabel):
                texts.append(widget.text())
        return texts

    @Slot()
    def on_finish_button_clicked(self) -> None:
        """The citizen is done."""
        self.request(StartOver())
