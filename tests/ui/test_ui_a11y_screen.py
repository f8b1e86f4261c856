"""Sizes and places measured on the real widgets, at the kiosk's resolution."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollBar,
    QStyle,
    QStyleOptionButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from kiosk.accessibility import (
    MIN_TARGET_MM,
    REACH_HIGH_MM,
    AccessPrefs,
    ScreenGeometry,
)
from kiosk.config import ScreenSettings
from kiosk.hardware.payment_terminal import TerminalStatus
from kiosk.hardware.simulated_terminal import Behaviour
from kiosk.payment_flow import (
    CancelPayment,
    OpenPayByReference,
    PayLater,
    PayNow,
    SubmitAmount,
    SubmitReference,
)
from kiosk.session import (
    ChooseCategory,
    ChooseLanguage,
    ChooseService,
    ConfirmSummary,
    OpenCategories,
    Screen,
    SkipContact,
    StartOver,
    SubmitText,
    Tick,
    Wake,
)
from kiosk.ui.pages_payment import PayingPage
from kiosk.ui.widgets import TouchButton
from tests.helpers.payments import terminal_of
from tests.helpers.ui import OFFSCREEN_NOISE, Kiosk

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

MODES = {
    "normal": AccessPrefs(),
    "high-contrast": AccessPrefs(high_contrast=True),
    "large-text": AccessPrefs(text_scale=1.5),
    "large-text-low": AccessPrefs(text_scale=1.5, low_layout=True),
    "text-200": AccessPrefs(text_scale=2.0),
    "text-200-low": AccessPrefs(text_scale=2.0, low_layout=True),
    "text-200-high-contrast": AccessPrefs(text_scale=2.0, high_contrast=True),
}


PAYMENT_SCREENS = {
    Screen.PAY_OFFER,
    Screen.PAY_REFERENCE,
    Screen.PAY_AMOUNT,
    Screen.PAY_CONFIRM,
    Screen.PAYING,
    Screen.PAID,
}
WAIT_MS = 10_000


@pytest.fixture
def kiosk(paying_kiosk: Kiosk) -> Kiosk:
    """The kiosk window at the default [screen] resolution, 1920x1080."""
    return paying_kiosk


def _settle() -> None:
    # Buttons made for a new screen are shown by a queued call.
    QApplication.processEvents()


def _visit_every_screen(qtbot: QtBot, kiosk: Kiosk) -> Iterator[Screen]:
    """Put each screen of the flow (the idle warning, payments) up in turn."""
    controller = kiosk.controller
    prefs = kiosk.window.access.prefs

    def start_over() -> None:
        # The settings belong to one citizen: the reset drops them, so the
        # next "citizen" of the walk picks them again.
        controller.dispatch(StartOver())
        kiosk.window.access.set_prefs(prefs)
        controller.dispatch(Wake())
        controller.dispatch(ChooseLanguage("ro"))

    steps = [
        None,
        Wake(),
        ChooseLanguage("ro"),
        OpenCategories(),
        ChooseCategory("parking"),
        ChooseService("parking.resident_permit_application"),
        SkipContact(),
    ]
    for event in steps:
        if event is not None:
            controller.dispatch(event)
        _settle()
        yield controller.view.screen
    start_over()
    controller.dispatch(SubmitText("vreau să plătesc impozitul pe casă"))
    _settle()
    yield controller.view.screen
    kiosk.clock.advance(kiosk.core.settings.kiosk.idle_warning_s + 1)
    controller.dispatch(Tick())
    _settle()
    assert kiosk.window.overlay.isVisible()
    yield controller.view.screen
    start_over()
    controller.dispatch(OpenCategories())
    controller.dispatch(ChooseCategory("parking"))
    controller.dispatch(ChooseService("parking.resident_permit_application"))
    controller.dispatch(SkipContact())
    controller.dispatch(ConfirmSummary())
    yield from _visit_payment_screens(qtbot, kiosk)
    start_over()
    controller.dispatch(OpenPayByReference())
    _settle()
    yield controller.view.screen
    controller.dispatch(SubmitReference("AMD-2026-77"))
    _settle()
    yield controller.view.screen
    controller.dispatch(SubmitAmount("150,50"))
    _settle()
    yield controller.view.screen
    controller.dispatch(PayNow())
    _wait_for(qtbot, kiosk, Screen.PAID)
    _settle()
    yield controller.view.screen


def _wait_for(qtbot: QtBot, kiosk: Kiosk, screen: Screen) -> None:
    qtbot.waitUntil(lambda: kiosk.controller.view.screen is screen, timeout=WAIT_MS)


def _visit_payment_screens(qtbot: QtBot, kiosk: Kiosk) -> Iterator[Screen]:
    """The filed fee's offer, the terminal's countdown, then the ticket."""
    controller = kiosk.controller
    terminal = terminal_of(kiosk.core)
    _wait_for(qtbot, kiosk, Screen.PAY_OFFER)
    _settle()
    yield controller.view.screen
    terminal.behaviours = [Behaviour.WAIT_FOR_CANCEL]
    controller.dispatch(PayNow())
    qtbot.waitUntil(lambda: terminal.status() is TerminalStatus.BUSY, timeout=WAIT_MS)
    payment = kiosk.core.settings.payment
    kiosk.clock.advance(payment.sale_timeout_s - payment.card_warning_s)
    controller.dispatch(Tick())
    _settle()
    page = kiosk.window.page(Screen.PAYING)
    assert isinstance(page, PayingPage) and page.countdown.isVisible()
    yield controller.view.screen
    controller.dispatch(CancelPayment())
    _wait_for(qtbot, kiosk, Screen.PAY_OFFER)
    # Back on the offer with "nothing was charged", the longest message.
    _settle()
    yield controller.view.screen
    controller.dispatch(PayLater())
    _settle()
    yield controller.view.screen


def _targets(window: QWidget) -> list[QWidget]:
    overlay = window.overlay  # type: ignore[attr-defined]
    scope = overlay if overlay.isVisible() else window
    return [
        w
        for w in scope.findChildren(QWidget)
        if isinstance(w, QAbstractButton | QLineEdit | QPlainTextEdit | QScrollBar)
        and w.isVisible()
        and not (scope is window and overlay.isAncestorOf(w))
    ]


def _name(widget: QWidget) -> str:
    text = widget.text() if isinstance(widget, QAbstractButton) else ""
    return f"{type(widget).__name__}({widget.objectName() or text!r})"


@pytest.mark.parametrize("mode", list(MODES))
def test_every_touch_target_is_at_least_15_mm(
    qtbot: QtBot, kiosk: Kiosk, mode: str
) -> None:
    geometry = ScreenGeometry.from_settings(kiosk.core.settings.screen)
    assert kiosk.window.size().toTuple() == (geometry.width_px, geometry.height_px)
    kiosk.window.access.set_prefs(MODES[mode])
    small: list[tuple[str, str, float, float]] = []
    seen = 0
    visited = set()
    for screen in _visit_every_screen(qtbot, kiosk):
        visited.add(screen)
        # Everything fits: the window never grows past the screen.
        assert kiosk.window.height() <= geometry.height_px, screen
        assert kiosk.window.width() <= geometry.width_px, screen
        for widget in _targets(kiosk.window):
            seen += 1
            width_mm = geometry.mm(widget.width())
            height_mm = geometry.mm(widget.height())
            if isinstance(widget, QScrollBar):
                width_mm = geometry.mm(min(widget.width(), widget.height()))
                height_mm = width_mm
            if min(width_mm, height_mm) < MIN_TARGET_MM:
                small.append((screen.value, _name(widget), width_mm, height_mm))
    assert PAYMENT_SCREENS | {Screen.DONE} <= visited
    assert seen > 150
    assert small == []


def test_the_low_layout_keeps_every_control_within_a_seated_reach(
    qtbot: QtBot, kiosk: Kiosk
) -> None:
    geometry = ScreenGeometry.from_settings(kiosk.core.settings.screen)
    window = kiosk.window

    def too_high() -> list[tuple[str, str, float]]:
        found = []
        for widget in _targets(window):
            top = widget.mapTo(window, QPoint(0, 0)).y()
            height_mm = geometry.height_above_floor_mm(top)
            if height_mm > REACH_HIGH_MM:
                found.append((kiosk.controller.view.screen.value, _name(widget), top))
        return found

    # With the default mounting the top of the screen is out of reach, and
    # the normal layout puts the language buttons there.
    assert geometry.unreachable_top_px > 0
    kiosk.controller.dispatch(Wake())
    _settle()
    assert too_high()

    kiosk.controller.dispatch(StartOver())
    window.access.set_prefs(AccessPrefs(low_layout=True))
    out_of_reach = []
    visited = set()
    for screen in _visit_every_screen(qtbot, kiosk):
        visited.add(screen)
        out_of_reach += too_high()
    assert PAYMENT_SCREENS | {Screen.DONE} <= visited
    assert out_of_reach == []


def test_the_reach_band_follows_the_configured_mounting() -> None:
    geometry = ScreenGeometry.from_settings(
        ScreenSettings(width_mm=477.0, height_mm=268.0, bottom_mm=1100.0)
    )
    # 1100 + 268 = 1368 mm at the top: 148 mm of 268 are above 1220 mm.
    assert geometry.unreachable_top_px == 597
    assert geometry.height_above_floor_mm(geometry.unreachable_top_px) <= 1220.0
    assert geometry.min_target_px == 61
    low = ScreenGeometry.from_settings(ScreenSettings(bottom_mm=300.0))
    assert low.unreachable_bottom_px > 0


def test_large_text_makes_every_text_at_least_one_and_a_half_times_larger(
    kiosk: Kiosk,
) -> None:
    kiosk.controller.dispatch(Wake())
    kiosk.controller.dispatch(ChooseLanguage("en"))
    _settle()
    labels = [
        w
        for w in kiosk.window.findChildren(QWidget)
        if isinstance(w, QLabel | QAbstractButton) and w.isVisible()
    ]
    before = {id(w): w.font().pixelSize() for w in labels}
    kiosk.window.access.set_prefs(AccessPrefs(text_scale=1.5))
    _settle()
    assert len(labels) > 40
    for widget in labels:
        assert widget.font().pixelSize() >= 1.5 * before[id(widget)], _name(widget)


def _text_fits(widget: QLabel | QAbstractButton, font: QFont | None = None) -> bool:
    """Whether every line of the text fits inside the border and padding.

    Measured in the widget's own font, or in ``font`` where the style draws
    another (a checked button in bold).
    """
    # A TouchButton draws its label on as many lines as its width needs;
    # measuring text() would take it as one long line and call a label
    # that wraps cut off. The lines it paints are what must fit.
    text = widget.painted_text() if isinstance(widget, TouchButton) else widget.text()
    metrics = widget.fontMetrics() if font is None else QFontMetrics(font)
    need = metrics.size(0, text)
    if isinstance(widget, QPushButton):
        option = QStyleOptionButton()
        option.initFrom(widget)
        option.text = widget.text()
        room = widget.style().subElementRect(
            QStyle.SubElement.SE_PushButtonContents, option, widget
        )
    else:
        room = widget.contentsRect()
    # One pixel of slack: glyph bounds are rounded up.
    return need.width() <= room.width() + 1 and need.height() <= room.height() + 1


def _cut_off(window: QWidget) -> list[tuple[str, str]]:
    """Visible texts that do not fit their widget or fall outside the screen.

    A text fits when each of its lines fits the widget's contents, inside the
    border and padding (for a wrapping label: the height its width needs). The
    widget itself must lie inside every parent up to the window, unless a
    scroll area holds it: scrolling reaches it there.
    """
    overlay = window.overlay  # type: ignore[attr-defined]
    scope = overlay if overlay.isVisible() else window
    found = []
    for widget in scope.findChildren(QWidget):
        if not isinstance(widget, QLabel | QAbstractButton) or not widget.isVisible():
            continue
        if scope is window and overlay.isAncestorOf(widget):
            continue
        if not widget.text().strip():
            continue
        if isinstance(widget, QLabel) and widget.wordWrap():
            if widget.height() < widget.heightForWidth(widget.width()):
                found.append(("wrapped text too tall", _name(widget)))
        elif not _text_fits(widget):
            found.append(("text needs more room", _name(widget)))
        child, parent = widget, widget.parentWidget()
        while parent is not None and child is not window:
            if isinstance(parent.parentWidget(), QAbstractScrollArea):
                break
            where = QRect(child.mapTo(parent, QPoint(0, 0)), child.size())
            if not parent.rect().contains(where):
                found.append((f"outside {_name(parent)}", _name(widget)))
                break
            child, parent = parent, parent.parentWidget()
    return found


@pytest.mark.parametrize("mode", list(MODES))
def test_no_text_is_cut_off_on_any_screen(
    qtbot: QtBot, kiosk: Kiosk, mode: str
) -> None:
    kiosk.window.access.set_prefs(MODES[mode])
    cut: list[tuple[str, str, str]] = []
    for screen in _visit_every_screen(qtbot, kiosk):
        cut += [(screen.value, *problem) for problem in _cut_off(kiosk.window)]
    assert cut == []


def test_the_cut_off_check_catches_texts_that_do_not_fit(kiosk: Kiosk) -> None:
    # The check reads a TouchButton's text as it paints it, on several lines;
    # this makes sure it still sees a text that the widget really cuts off.
    kiosk.controller.dispatch(Wake())
    kiosk.controller.dispatch(ChooseLanguage("en"))
    _settle()
    assert _cut_off(kiosk.window) == []
    page = kiosk.window.page(Screen.DESCRIBE)
    # A word wider than the button: no line break can help.
    kiosk.window.start_over_button.setFixedWidth(70)
    # Wrapped onto several lines, in a button held to one line's height.
    pay = page.pay_button  # type: ignore[attr-defined]
    pay.setFixedSize(320, 61)
    # A wrapping label lower than its lines.
    kiosk.window.prompt_label.setFixedHeight(10)
    # A button pushed past the edge of its page.
    continue_button = page.continue_button  # type: ignore[attr-defined]
    continue_button.setMinimumWidth(0)
    _settle()
    continue_button.move(page.width() - 10, continue_button.y())
    found = _cut_off(kiosk.window)
    assert ("text needs more room", "TouchButton('Start over')") in found
    assert ("text needs more room", "TouchButton('pay-by-reference')") in found
    assert ("wrapped text too tall", "QLabel('prompt')") in found
    assert ("outside DescribePage('')", "TouchButton('Continue')") in found
    assert "\n" in pay.painted_text()


@pytest.mark.parametrize("scale", [1.0, 1.5, 2.0])
def test_the_chosen_language_fits_in_the_bold_it_is_drawn_in(
    kiosk: Kiosk, scale: float
) -> None:
    # The style sheet draws the checked language bold; the widget's own
    # font stays regular, so a check of that font alone would miss this.
    kiosk.controller.dispatch(Wake())
    kiosk.window.access.set_prefs(AccessPrefs(text_scale=scale))
    short = []
    for lang in ("ro", "hu", "en"):
        kiosk.controller.dispatch(ChooseLanguage(lang))
        _settle()
        button = kiosk.window.language_buttons[lang]  # type: ignore[attr-defined]
        assert button.isChecked()
        bold = QFont(button.font())
        bold.setBold(True)
        if not _text_fits(button, bold):
            short.append(button.text())
    assert short == []


def test_text_at_200_percent_is_twice_the_normal_size(kiosk: Kiosk) -> None:
    kiosk.controller.dispatch(Wake())
    kiosk.controller.dispatch(ChooseLanguage("en"))
    _settle()
    labels = [
        w
        for w in kiosk.window.findChildren(QWidget)
        if isinstance(w, QLabel | QAbstractButton) and w.isVisible()
    ]
    before = {id(w): w.font().pixelSize() for w in labels}
    kiosk.window.access.set_prefs(AccessPrefs(text_scale=2.0))
    _settle()
    assert len(labels) > 40
    for widget in labels:
        assert widget.font().pixelSize() >= 2 * before[id(widget)], _name(widget)


def test_the_payment_pages_take_every_colour_from_the_theme(kiosk: Kiosk) -> None:
    # Contrast is checked on the theme's colour pairs (test_a11y_contrast);
    # a widget with a style sheet of its own would step around them.
    own = [
        _name(widget)
        for screen in PAYMENT_SCREENS
        for widget in kiosk.window.page(screen).findChildren(QWidget)
        if widget.styleSheet()
    ]
    assert own == []
    for screen in PAYMENT_SCREENS:
        assert not kiosk.window.page(screen).styleSheet()
