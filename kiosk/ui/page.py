"""The base of every screen: render a View, ask for session events."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from kiosk.session import Event, View
from kiosk.ui.widgets import Texts, Translate


class Page(QWidget):
    """One screen of the flow; it renders views and emits events, nothing else."""

    event_requested = Signal(object)
    """A session event the citizen's touch stands for."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.texts = Texts()

    def show_view(self, view: View, translate: Translate) -> None:
        """Show ``view``; the base class retranslates the fixed labels."""
        self.texts.apply(translate)

    def request(self, event: Event) -> None:
        """Ask the controller to send ``event`` to the session."""
        self.event_requested.emit(event)

    def focus_input(self) -> None:
        """Give the keyboard focus to the page's main field, if it has one."""

    def forget(self) -> None:
        """Drop whatever the citizen entered or was shown (session reset)."""
