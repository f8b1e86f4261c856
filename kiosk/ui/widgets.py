"""Small building blocks shared by the screens: buttons, labels, texts."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QEvent, QRect, QSize, Qt, Slot
from PySide6.QtGui import QFont, QFontMetrics, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QStyleOptionButton,
    QStylePainter,
    QWidget,
)

Translate = Callable[[str], str]
"""A gettext function for the citizen's language."""

_W = TypeVar("_W", bound=QAbstractButton | QLabel)

TOUCH_MIN_PX = 60
"""Smallest touch target side: 15 mm at about 96 dpi (56.7 px), rounded up."""


LAYOUT_PASSES = 4
"""Rounds of layout requests settled at once: a wrapped text nested this deep."""


def settle_layouts() -> None:
    """Run the layout requests waiting in the event queue now.

    A text that wraps changes its widget's height, which changes its
    parent's, one queued request per level. Settling them before the
    screen is painted means no frame shows a text cut off on the way.
    """
    for _ in range(LAYOUT_PASSES):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


def wrap_lines(text: str, metrics: QFontMetrics, width: int) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width`` pixels.

    Line breaks already in the text are kept. A word wider than ``width``
    gets a line of its own: words are never split.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and metrics.horizontalAdvance(candidate) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


class TouchButton(QPushButton):
    """A push button big enough for a finger, that never steals focus.

    A label too long for the button's width goes on several lines, broken
    between words; the button then asks its layout for the height those
    lines need (height for width), as a word-wrapping label does.
    """

    def __init__(
        self,
        text: str = "",
        parent: QWidget | None = None,
        *,
        role: str = "",
        wrap: bool = True,
    ) -> None:
        super().__init__(text, parent)
        self._wrap = wrap
        # Only the height is a hard minimum. The width's lower bound is in
        # the minimum size hint, which also keeps the longest word whole: a
        # layout lets a set minimum width override the hint.
        self._min_side = TOUCH_MIN_PX
        self.setMinimumHeight(TOUCH_MIN_PX)
        # The text field keeps the focus while the citizen presses buttons,
        # so the on-screen keyboard keeps typing into it.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # Narrower than its one-line text when a row is short of room (down
        # to the longest word); as high as its lines need, and no higher.
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self._lines = 1
        if role:
            self.setProperty("role", role)

    def set_min_side(self, side: int) -> None:
        """Never narrower or lower than ``side`` pixels (the touch minimum)."""
        self._min_side = side
        self.setMinimumHeight(max(self.minimumHeight(), side))
        self.updateGeometry()

    def _frame(self, width: int) -> QSize:
        """Border and padding around the text, for a button ``width`` wide."""
        option = QStyleOptionButton()
        self.initStyleOption(option)
        option.rect = QRect(0, 0, width, 10_000)
        room = self.style().subElementRect(
            QStyle.SubElement.SE_PushButtonContents, option, self
        )
        return QSize(width - room.width(), option.rect.height() - room.height())

    def text_metrics(self) -> QFontMetrics:
        """The metrics to lay the text out with.

        The style sheet may draw a checked button's text in bold (the chosen
        language is), while the widget's own font stays regular: a
        checkable button is measured in bold, so its text fits either way.
        """
        if not self.isCheckable():
            return self.fontMetrics()
        bold = QFont(self.font())
        bold.setBold(True)
        return QFontMetrics(bold)

    def painted_text(self, width: int | None = None) -> str:
        """The text as drawn on a button ``width`` wide (now: its own width)."""
        if not self._wrap:
            return self.text()
        width = self.width() if width is None else width
        room = width - self._frame(width).width()
        return "\n".join(wrap_lines(self.text(), self.text_metrics(), room))

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        """The height depends on the width once the text wraps."""
        return self._wrap and bool(self.text())

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        """The height the wrapped text needs at ``width``, border included."""
        text = self.painted_text(width)
        need = self.text_metrics().size(0, text).height() + self._frame(width).height()
        return max(need, self.minimumHeight(), super().sizeHint().height())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """The one-line width; the height of the lines at the present width.

        A layout holds a fixed-height widget to its hint's height, so the
        hint must grow with the lines the text wraps onto.
        """
        hint = super().sizeHint()
        if self.isCheckable():
            # The plain hint measures the regular font; see text_metrics.
            lines = self.text().split("\n")
            metrics = self.text_metrics()
            widest = max(metrics.horizontalAdvance(line) for line in lines)
            hint.setWidth(max(hint.width(), widest + self._frame(widest + 100).width()))
        if self.hasHeightForWidth() and self.width() > 0:
            hint.setHeight(max(hint.height(), self.heightForWidth(self.width())))
        return hint

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        """Ask for a new height when the text now takes more or fewer lines."""
        super().resizeEvent(event)
        lines = self.painted_text().count("\n") + 1
        if lines != self._lines:
            self._lines = lines
            self.updateGeometry()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """As narrow as the longest word; the text then takes more lines."""
        metrics = self.text_metrics()
        words = self.text().replace("\n", " ").split(" ")
        widest = max((metrics.horizontalAdvance(word) for word in words), default=0)
        frame = self._frame(widest + 100)
        hint = super().minimumSizeHint()
        return QSize(max(widest + frame.width(), self._min_side), hint.height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        """Draw as a push button does, with the text on as many lines as needed."""
        painter = QStylePainter(self)
        option = QStyleOptionButton()
        self.initStyleOption(option)
        option.text = self.painted_text()
        painter.drawControl(QStyle.ControlElement.CE_PushButton, option)


BOX_CHECKED = "☑"
"""Drawn before the label of a toggle that is on: a ticked box."""
BOX_EMPTY = "☐"
"""Drawn before the label of a toggle that is off: an empty box."""


def _identity(text: str) -> str:
    return text


class StateButton(TouchButton):
    """A button that shows its state in its text, not by colour alone.

    The text changes with the state, so it shows in every theme and needs
    no colour vision (WCAG 1.4.1). The label alone is the button's
    accessible name, which the keypad speaks before the state.
    """

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self._label = label
        self._translate: Translate = _identity
        self.refresh()

    def retranslate(self, translate: Translate) -> None:
        """Show the label in the language of ``translate``."""
        self._translate = translate
        self.refresh()

    def shown(self, label: str) -> str:
        """The text for ``label`` in the current state; subclasses add it."""
        return label

    def refresh(self) -> None:
        """Redraw after a change of state or language."""
        label = self._translate(self._label)
        self.setAccessibleName(label)
        self.setText(self.shown(label))


class ToggleButton(StateButton):
    """An on/off button: a ticked box before its label when on, empty when off."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(label, parent)
        self.setCheckable(True)
        self.toggled.connect(self.on_self_toggled)
        self.refresh()

    def shown(self, label: str) -> str:
        """The box, ticked or empty, then the label."""
        return f"{BOX_CHECKED if self.isChecked() else BOX_EMPTY} {label}"

    @Slot(bool)
    def on_self_toggled(self, checked: bool) -> None:
        """Show the new state."""
        self.refresh()


class TextSizeButton(StateButton):
    """Steps the text size; shows the size in force as a percentage."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        self._percent = 100
        super().__init__(label, parent)

    @property
    def percent(self) -> int:
        """The text size shown, in per cent of the normal size."""
        return self._percent

    def set_percent(self, percent: int) -> None:
        """Show ``percent`` as the size in force."""
        self._percent = percent
        self.refresh()

    def shown(self, label: str) -> str:
        """The label and the size, e.g. "Text size 150 %"."""
        return f"{label} {self._percent} %"

    def refresh(self) -> None:
        """The whole text is spoken: the label and the size."""
        super().refresh()
        self.setAccessibleName("")


def busy_bar() -> QProgressBar:
    """A bar that moves for as long as the kiosk works on something."""
    bar = QProgressBar()
    # A range of 0..0 makes Qt animate an endless "busy" bar.
    bar.setRange(0, 0)
    bar.setTextVisible(False)
    bar.setMinimumHeight(40)
    return bar


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


def scrolling(content: QWidget) -> QScrollArea:
    """``content`` in a frameless area that scrolls up and down when too tall.

    The scroll bar is as wide as a touch target (see kiosk.ui.theme): a tap
    above or below its handle moves a page, so nobody needs to drag.
    """
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(content)
    return area


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
