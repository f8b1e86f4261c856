"""What citizens see of device trouble: out of service, and power notices."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from kiosk.config import LANGUAGES
from kiosk.i18n import N_, translations
from kiosk.ui.widgets import wrapped_label

OUT_OF_SERVICE = N_("This kiosk is out of service for a moment.")
COME_BACK = N_("Please come back later, or ask at the information desk.")
ON_BATTERY = N_("Power cut: the kiosk runs on its battery.")
CLOSING = N_("The battery is low: the kiosk will close after this request.")
BANNER_HEIGHT_PX = 64


class _Covering(QWidget):
    """A child widget that keeps covering its parent when it is resized."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._covered = parent
        parent.installEventFilter(self)

    def place(self) -> None:
        """Fit the parent's rectangle."""
        self.setGeometry(self._covered.rect())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Follow the parent's size."""
        if watched is self._covered and event.type() == QEvent.Type.Resize:
            self.place()
        return False


class OutOfServiceOverlay(_Covering):
    """Covers the window while the service door is open; swallows touches."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("out-of-service")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(
            "QWidget#out-of-service { background: #3a0d0d; }"
            "QLabel { color: #ffffff; background: transparent; }"
        )
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.labels: list[QLabel] = []
        # Nobody's language is known here: say it in every kiosk language.
        for lang in LANGUAGES:
            gettext = translations(lang).gettext
            label = wrapped_label(role="prompt")
            label.setText(f"{gettext(OUT_OF_SERVICE)}\n{gettext(COME_BACK)}")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label)
            self.labels.append(label)
        layout.addStretch(1)
        self.hide()

    def show_over(self, on_top: bool = True) -> None:
        """Cover the window; ``on_top`` False leaves a service screen above."""
        self.place()
        if on_top:
            self.raise_()
        self.show()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """Touches go nowhere while out of service."""
        event.accept()


class PowerBanner(QFrame):
    """A strip along the bottom of the window about the power supply."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._covered = parent
        self.setObjectName("power-banner")
        self.setStyleSheet(
            "QFrame#power-banner { background: #fff1c2;"
            " border-top: 3px solid #a34d00; }"
            "QLabel { background: transparent; }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 6, 20, 6)
        self.label = wrapped_label(object_name="power-notice")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.label)
        parent.installEventFilter(self)
        self.hide()

    def show_notice(self, text: str) -> None:
        """Show ``text`` at the bottom of the window."""
        self.label.setText(text)
        self._place()
        self.raise_()
        self.show()

    def _place(self) -> None:
        rect = self._covered.rect()
        self.setGeometry(
            0, rect.height() - BANNER_HEIGHT_PX, rect.width(), BANNER_HEIGHT_PX
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Stay at the bottom when the window is resized."""
        if watched is self._covered and event.type() == QEvent.Type.Resize:
            self._place()
        return False
