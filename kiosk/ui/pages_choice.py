"""Screens where the citizen picks: tiles, lists and the router's proposal."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import N_
from kiosk.session import (
    Choice,
    ChooseCategory,
    ChooseService,
    ConfirmProposal,
    OpenCategories,
    RejectProposal,
    Screen,
    View,
)
from kiosk.ui.page import Page
from kiosk.ui.widgets import TouchButton, Translate, wrapped_label

logger = logging.getLogger(__name__)


class ChoiceList(QScrollArea):
    """A scrollable grid of big buttons, one per choice."""

    chosen = Signal(str)
    """The key of the pressed choice."""

    def __init__(self, columns: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = columns
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._choices: tuple[Choice, ...] = ()
        self.buttons: list[TouchButton] = []
        self._holder = QWidget()
        self._grid = QGridLayout(self._holder)
        self._grid.setSpacing(10)
        self.setWidget(self._holder)

    def set_choices(self, choices: tuple[Choice, ...]) -> None:
        """Show these choices (rebuilt only when they changed)."""
        if choices == self._choices:
            return
        self._choices = choices
        for button in self.buttons:
            # Hidden at once: the keypad must not reach a button on its way out.
            button.hide()
            button.deleteLater()
        self.buttons = []
        for index, choice in enumerate(choices):
            text = f"{choice.label}\n{choice.detail}" if choice.detail else choice.label
            button = TouchButton(text, role="choice")
            button.setProperty("key", choice.key)
            button.setMinimumHeight(88 if choice.detail else 72)
            button.clicked.connect(self.on_choice_button_clicked)
            self._grid.addWidget(button, index // self.columns, index % self.columns)
            # Shown now rather than by the layout's queued call, so the list
            # takes its height (wrapped names included) before it is painted.
            button.show()
            self.buttons.append(button)
        self._grid.setRowStretch(len(choices) // self.columns + 1, 1)
        self.verticalScrollBar().setValue(0)

    @Slot()
    def on_choice_button_clicked(self) -> None:
        """A choice button was pressed."""
        button = self.sender()
        if isinstance(button, TouchButton):
            self.chosen.emit(str(button.property("key")))


class ChoicesPage(Page):
    """Category tiles, a category's services, or the router's short list."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._screen = Screen.CATEGORIES
        layout = QVBoxLayout(self)
        self.choice_list = ChoiceList(columns=3)
        self.choice_list.chosen.connect(self.on_choice_list_chosen)
        layout.addWidget(self.choice_list, 1)
        self.categories_button = self.texts.add(
            TouchButton(), N_("None of these: show all categories")
        )
        self.categories_button.clicked.connect(self.on_categories_button_clicked)
        layout.addWidget(self.categories_button)

    def show_view(self, view: View, translate: Translate) -> None:
        """Lay the choices out: tiles in a grid, services one per line."""
        super().show_view(view, translate)
        self._screen = view.screen
        columns = 3 if view.screen is Screen.CATEGORIES else 1
        if columns != self.choice_list.columns:
            self.choice_list.columns = columns
            self.choice_list.set_choices(())
        self.choice_list.set_choices(view.choices)
        self.categories_button.setVisible(view.screen is Screen.CHOICES)

    @Slot(str)
    def on_choice_list_chosen(self, key: str) -> None:
        """Open the category or pick the service."""
        if self._screen is Screen.CATEGORIES:
            self.request(ChooseCategory(key))
        else:
            self.request(ChooseService(key))

    @Slot()
    def on_categories_button_clicked(self) -> None:
        """None of the offered services fits."""
        self.request(OpenCategories())


class ProposalPage(Page):
    """The router's best guess with yes / no, and the next-best choices."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        answers = QHBoxLayout()
        self.no_button = self.texts.add(
            TouchButton(role="big"), N_("No, something else")
        )
        self.no_button.clicked.connect(self.on_no_button_clicked)
        self.yes_button = self.texts.add(TouchButton(role="primary"), N_("Yes"))
        self.yes_button.setMinimumHeight(100)
        self.no_button.setMinimumHeight(100)
        self.yes_button.clicked.connect(self.on_yes_button_clicked)
        answers.addWidget(self.no_button, 1)
        answers.addWidget(self.yes_button, 1)
        layout.addLayout(answers)
        self.others_label = self.texts.add(
            wrapped_label(role="subtitle"), N_("Or maybe one of these:")
        )
        layout.addWidget(self.others_label)
        self.choice_list = ChoiceList(columns=1)
        self.choice_list.chosen.connect(self.on_choice_list_chosen)
        layout.addWidget(self.choice_list, 1)

    def show_view(self, view: View, translate: Translate) -> None:
        """Show the alternatives, if the session offers any."""
        super().show_view(view, translate)
        self.choice_list.set_choices(view.choices)
        self.others_label.setVisible(bool(view.choices))
        self.choice_list.setVisible(bool(view.choices))

    @Slot()
    def on_yes_button_clicked(self) -> None:
        """The proposal is right."""
        self.request(ConfirmProposal())

    @Slot()
    def on_no_button_clicked(self) -> None:
        """The proposal is wrong."""
        self.request(RejectProposal())

    @Slot(str)
    def on_choice_list_chosen(self, key: str) -> None:
        """One of the alternatives fits better."""
        self.request(ChooseService(key))


class ExternalPage(Page):
    """A matter for another institution: nothing to file here."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.hint = self.texts.add(
            wrapped_label(role="subtitle"),
            N_("Press Back to change your request, or Start over."),
        )
        layout.addWidget(self.hint)
        layout.addStretch(1)
