"""The kiosk's main window: one page per screen, plus the common chrome."""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.config import LANGUAGES
from kiosk.i18n import N_, translations
from kiosk.session import Back, ChooseLanguage, MoreTime, Screen, StartOver, View
from kiosk.ui.access import Accessibility
from kiosk.ui.controller import SessionController
from kiosk.ui.overlay import IdleOverlay
from kiosk.ui.page import Page
from kiosk.ui.pages_choice import ChoicesPage, ExternalPage, ProposalPage
from kiosk.ui.pages_entry import LANGUAGE_NAMES, AttractPage, DescribePage, LanguagePage
from kiosk.ui.pages_finish import ContactPage, DonePage, FilingPage, SummaryPage
from kiosk.ui.pages_payment import (
    PaidPage,
    PayConfirmPage,
    PayingPage,
    PayOfferPage,
    amount_page,
    reference_page,
)
from kiosk.ui.style import STYLE_SHEET
from kiosk.ui.widgets import Texts, TouchButton, settle_layouts, wrapped_label

logger = logging.getLogger(__name__)

_FIXED_PAY = (Screen.PAY_OFFER, Screen.PAYING, Screen.PAID)
_NO_LANGUAGE_SWITCH = (Screen.FILING, Screen.DONE, *_FIXED_PAY)
"""The session ignores a language change here, so the buttons are hidden."""
_NO_BACK = (Screen.ATTRACT, Screen.LANGUAGE, Screen.FILING, Screen.DONE, *_FIXED_PAY)
_NO_START_OVER = (Screen.ATTRACT, Screen.FILING, Screen.PAYING)
_ACTIVITY_EVENTS = (
    QEvent.Type.MouseButtonPress,
    QEvent.Type.TouchBegin,
    QEvent.Type.KeyPress,
)


class MainWindow(QWidget):
    """Renders the session's views and turns touches into session events."""

    rendered = Signal(object)
    """A View has just been laid out (painting follows on the next frame)."""

    def __init__(
        self, controller: SessionController, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setObjectName("kiosk-window")
        self.setWindowTitle("Antonia")
        self.close_allowed = True
        """False in kiosk mode: only the app itself may close the window."""
        self.setStyleSheet(STYLE_SHEET)
        self._texts = Texts()
        self._build_chrome()
        self.pages = self._build_pages()
        self.overlay = IdleOverlay(self)
        self.overlay.more_time_requested.connect(self.on_overlay_more_time_requested)
        controller.view_changed.connect(self.on_controller_view_changed)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        # After the window's own filter, so the keypad sees keys first.
        self.access = Accessibility(self, controller.settings, controller.speaker)

    def _build_chrome(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 14)
        top = QHBoxLayout()
        self.language_buttons: dict[str, TouchButton] = {}
        for lang in LANGUAGES:
            button = TouchButton(LANGUAGE_NAMES.get(lang, lang), role="lang")
            button.setCheckable(True)
            button.setProperty("language", lang)
            button.clicked.connect(self.on_language_button_clicked)
            top.addWidget(button)
            self.language_buttons[lang] = button
        top.addStretch(1)
        self._status_index = top.count()
        self.back_button = self._texts.add(TouchButton(), N_("Back"))
        self.back_button.clicked.connect(self.on_back_button_clicked)
        top.addWidget(self.back_button)
        self.start_over_button = self._texts.add(TouchButton(), N_("Start over"))
        self.start_over_button.clicked.connect(self.on_start_over_button_clicked)
        top.addWidget(self.start_over_button)
        layout.addLayout(top)
        self.prompt_label = wrapped_label(role="prompt", object_name="prompt")
        layout.addWidget(self.prompt_label)
        self.message_label = wrapped_label(object_name="message")
        self.message_label.hide()
        layout.addWidget(self.message_label)
        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)
        self._top_bar = top

    def add_status_widget(self, widget: QWidget) -> None:
        """Show a status widget (e.g. the microphone's) in the top bar."""
        self._top_bar.insertWidget(self._status_index, widget)

    def _build_pages(self) -> dict[Screen, Page]:
        choices = ChoicesPage()
        pages: dict[Screen, Page] = {
            Screen.ATTRACT: AttractPage(),
            Screen.LANGUAGE: LanguagePage(),
            Screen.DESCRIBE: DescribePage(),
            Screen.CATEGORIES: choices,
            Screen.SERVICES: choices,
            Screen.CHOICES: choices,
            Screen.PROPOSAL: ProposalPage(),
            Screen.EXTERNAL: ExternalPage(),
            Screen.CONTACT: ContactPage(),
            Screen.SUMMARY: SummaryPage(),
            Screen.FILING: FilingPage(),
            Screen.DONE: DonePage(self.controller.qr_payload),
            Screen.PAY_OFFER: PayOfferPage(),
            Screen.PAY_REFERENCE: reference_page(),
            Screen.PAY_AMOUNT: amount_page(),
            Screen.PAY_CONFIRM: PayConfirmPage(),
            Screen.PAYING: PayingPage(),
            Screen.PAID: PaidPage(),
        }
        for page in dict.fromkeys(pages.values()):
            self.stack.addWidget(page)
            page.event_requested.connect(self.controller.dispatch)
        return pages

    def page(self, screen: Screen) -> Page:
        """The page that renders ``screen``."""
        return self.pages[screen]

    @property
    def current_page(self) -> Page:
        """The page on screen now."""
        widget = self.stack.currentWidget()
        assert isinstance(widget, Page)
        return widget

    @Slot(object)
    def on_controller_view_changed(self, view: View) -> None:
        """Render ``view``: the page, the prompt, the message, the chrome."""
        translate = translations(view.language).gettext
        if view.screen is Screen.ATTRACT:
            # A reset: nothing the last citizen entered may stay in a widget.
            for each in dict.fromkeys(self.pages.values()):
                each.forget()
        page = self.pages[view.screen]
        page.show_view(view, translate)
        switched = self.stack.currentWidget() is not page
        if switched:
            self._size_by(page)
            self.stack.setCurrentWidget(page)
            page.focus_input()
        self._render_chrome(view)
        if view.idle_countdown_s is None:
            self.overlay.hide()
        else:
            self.overlay.show_countdown(view.idle_countdown_s, translate)
        self.rendered.emit(view)
        settle_layouts()

    def _size_by(self, page: Page) -> None:
        # A stack is as tall as its tallest page; with large text and a long
        # message that pushed the window past the screen. Only the page on
        # show counts: the hidden ones ignore their size.
        ignored = QSizePolicy.Policy.Ignored
        preferred = QSizePolicy.Policy.Preferred
        for each in dict.fromkeys(self.pages.values()):
            policy = preferred if each is page else ignored
            each.setSizePolicy(policy, policy)

    def _render_chrome(self, view: View) -> None:
        self._texts.apply(translations(view.language).gettext)
        self.prompt_label.setText(view.prompt)
        self.prompt_label.setVisible(view.screen is not Screen.ATTRACT)
        self.message_label.setText(view.message or "")
        self.message_label.setVisible(bool(view.message))
        show_languages = view.screen not in _NO_LANGUAGE_SWITCH
        for lang, button in self.language_buttons.items():
            button.setChecked(lang == view.language)
            button.setVisible(show_languages)
        self.back_button.setVisible(view.screen not in _NO_BACK)
        self.start_over_button.setVisible(view.screen not in _NO_START_OVER)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Any touch in the window counts as the citizen being there."""
        if (
            event.type() in _ACTIVITY_EVENTS
            and isinstance(watched, QWidget)
            and (watched is self or self.isAncestorOf(watched))
        ):
            self.controller.note_activity()
        return False

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        """Stop the clock and the worker with the window."""
        if not self.close_allowed:
            # Alt+F4 through a window manager, or any other outside request.
            logger.info("Refused to close the kiosk window")
            event.ignore()
            return
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.controller.shutdown()
        super().closeEvent(event)

    @Slot()
    def on_language_button_clicked(self) -> None:
        """Switch the citizen's language (the session decides if it may)."""
        button = self.sender()
        if isinstance(button, TouchButton):
            self.controller.dispatch(ChooseLanguage(str(button.property("language"))))
            # Clicking toggled the button; if the session refused the switch
            # no view follows, so put the check marks right here.
            self._render_chrome(self.controller.view)

    @Slot()
    def on_start_over_button_clicked(self) -> None:
        """Drop everything and go back to the start."""
        self.controller.dispatch(StartOver())

    @Slot()
    def on_back_button_clicked(self) -> None:
        """One screen back."""
        self.controller.dispatch(Back())

    @Slot()
    def on_overlay_more_time_requested(self) -> None:
        """The citizen is still here."""
        self.controller.dispatch(MoreTime())
