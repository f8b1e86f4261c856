"""The idle warning: a dimmed layer with a countdown and a "more time" button."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.i18n import N_
from kiosk.ui.widgets import Texts, TouchButton, Translate, wrapped_label


class IdleOverlay(QWidget):
    """Covers the whole window while the session counts down to a reset."""

    more_time_requested = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._covered = parent
        self.setObjectName("overlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._texts = Texts()
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        panel = QFrame()
        panel.setObjectName("overlay-panel")
        inner = QVBoxLayout(panel)
        self.question = self._texts.add(
            wrapped_label(role="prompt"), N_("Do you need more time?")
        )
        self.question.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.countdown = wrapped_label(role="countdown", object_name="countdown")
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.more_time_button = self._texts.add(
            TouchButton(role="primary"), N_("Yes, more time")
        )
        self.more_time_button.setMinimumHeight(100)
        self.more_time_button.clicked.connect(self.on_more_time_button_clicked)
        for widget in (self.question, self.countdown, self.more_time_button):
            inner.addWidget(widget)
        # The panel takes the middle three fifths of the width, and the
        # height its wrapped texts and button need there: a row with
        # stretches (not an alignment) lets the layout ask for that height.
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(panel, 3)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(1)
        parent.installEventFilter(self)
        self.hide()

    def show_countdown(self, seconds: int, translate: Translate) -> None:
        """Show (or update) the warning with ``seconds`` left."""
        self._texts.apply(translate)
        self.countdown.setText(
            translate(N_("The kiosk starts over in {seconds} s.")).format(
                seconds=seconds
            )
        )
        self.setGeometry(self._covered.rect())
        self.raise_()
        self.show()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """A touch anywhere on the warning means the citizen is still here."""
        self.more_time_requested.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Keep covering the window when it is resized."""
        if watched is self._covered and event.type() == QEvent.Type.Resize:
            self.setGeometry(self._covered.rect())
        return False

    @Slot()
    def on_more_time_button_clicked(self) -> None:
        """The citizen asked for more time."""
        self.more_time_requested.emit()
