"""Kiosk mode: no way out, a dim screen that only wakes, content that drifts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QContextMenuEvent, QKeyEvent
from pytestqt.qtbot import QtBot

from kiosk.session import Screen, Wake
from kiosk.ui.dimmer import ScreenDimmer
from kiosk.ui.drift import AttractDrift, drift_offset
from kiosk.ui.lockdown import Lockdown
from kiosk.ui.nightly import NightlyRestart, next_restart
from kiosk.ui.pages_entry import AttractPage
from tests.helpers.ui import OFFSCREEN_NOISE, Kiosk, tap

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

BUCHAREST = ZoneInfo("Europe/Bucharest")
DIM_AFTER_S = 120.0

Mod = Qt.KeyboardModifier


def _key(key: Qt.Key, modifiers: Qt.KeyboardModifier = Mod.NoModifier) -> QKeyEvent:
    return QKeyEvent(QEvent.Type.KeyPress, key, modifiers)


@pytest.mark.parametrize(
    ("key", "modifiers"),
    [
        (Qt.Key.Key_F4, Mod.AltModifier),
        (Qt.Key.Key_Tab, Mod.AltModifier),
        (Qt.Key.Key_Tab, Mod.AltModifier | Mod.ShiftModifier),
        (Qt.Key.Key_Q, Mod.ControlModifier),
        (Qt.Key.Key_W, Mod.ControlModifier),
        (Qt.Key.Key_Super_L, Mod.NoModifier),
        (Qt.Key.Key_D, Mod.MetaModifier),
    ],
)
def test_kiosk_mode_swallows_shortcuts_that_leave_the_app(
    kiosk: Kiosk, key: Qt.Key, modifiers: Qt.KeyboardModifier
) -> None:
    lockdown = Lockdown(kiosk.window)
    try:
        assert lockdown.eventFilter(kiosk.window, _key(key, modifiers))
    finally:
        lockdown.stop()


def test_kiosk_mode_lets_typing_through_but_no_context_menu(kiosk: Kiosk) -> None:
    lockdown = Lockdown(kiosk.window)
    try:
        assert not lockdown.eventFilter(kiosk.window, _key(Qt.Key.Key_A))
        assert not lockdown.eventFilter(
            kiosk.window, _key(Qt.Key.Key_A, Mod.ShiftModifier)
        )
        menu = QContextMenuEvent(
            QContextMenuEvent.Reason.Mouse, QPoint(5, 5), QPoint(5, 5)
        )
        assert lockdown.eventFilter(kiosk.window, menu)
    finally:
        lockdown.stop()


def test_kiosk_mode_refuses_to_close_until_the_app_itself_quits(kiosk: Kiosk) -> None:
    lockdown = Lockdown(kiosk.window)
    try:
        assert kiosk.window.close() is False
        assert kiosk.window.isVisible()
        assert kiosk.controller.tick_timer.isActive()

        lockdown.allow_quit()
        assert kiosk.window.close() is True
        assert not kiosk.controller.tick_timer.isActive()
    finally:
        lockdown.stop()


@pytest.fixture
def dimmer(kiosk: Kiosk) -> Iterator[ScreenDimmer]:
    dimmer = ScreenDimmer(kiosk.window, kiosk.controller, DIM_AFTER_S, kiosk.clock)
    yield dimmer
    dimmer.stop()


def test_the_attract_screen_dims_and_the_first_touch_only_wakes_it(
    qtbot: QtBot, kiosk: Kiosk, dimmer: ScreenDimmer
) -> None:
    attract = kiosk.window.page(Screen.ATTRACT)
    assert isinstance(attract, AttractPage)
    kiosk.clock.advance(DIM_AFTER_S - 1)
    dimmer.check()
    assert not dimmer.dimmed
    kiosk.clock.advance(1)
    dimmer.check()
    assert dimmer.dimmed

    tap(qtbot, attract.start_button)

    assert not dimmer.dimmed
    assert kiosk.controller.view.screen is Screen.ATTRACT
    tap(qtbot, attract.start_button)
    assert kiosk.controller.view.screen is Screen.LANGUAGE


def test_only_the_attract_screen_dims_and_someone_arriving_wakes_it(
    kiosk: Kiosk, dimmer: ScreenDimmer
) -> None:
    kiosk.clock.advance(DIM_AFTER_S)
    dimmer.check()
    assert dimmer.dimmed
    kiosk.controller.dispatch(Wake())  # the camera saw someone step up
    assert not dimmer.dimmed

    kiosk.clock.advance(DIM_AFTER_S * 3)
    dimmer.check()
    assert kiosk.controller.view.screen is not Screen.ATTRACT
    assert not dimmer.dimmed


def test_the_attract_content_drifts_and_stands_still_elsewhere(kiosk: Kiosk) -> None:
    layout = kiosk.window.layout()
    assert layout is not None
    home = layout.contentsMargins()
    drift = AttractDrift(layout, kiosk.controller, parent=kiosk.window)
    drift.on_controller_view_changed(kiosk.controller.view)
    assert drift.timer.isActive()
    for _ in range(40):
        drift.advance()
    moved = layout.contentsMargins()
    assert (moved.left(), moved.top()) != (home.left(), home.top())
    assert moved.left() + moved.right() == home.left() + home.right()

    kiosk.controller.dispatch(Wake())

    assert not drift.timer.isActive()
    assert layout.contentsMargins() == home


def test_the_drift_is_slow_and_stays_inside_the_margins() -> None:
    steps = [drift_offset(n) for n in range(2000)]
    assert max(abs(dx) for dx, _ in steps) <= 18
    assert max(abs(dy) for _, dy in steps) <= 12
    for (x0, y0), (x1, y1) in zip(steps, steps[1:], strict=False):
        assert abs(x1 - x0) <= 1 and abs(y1 - y0) <= 1


def test_the_next_restart_is_at_local_wall_time_across_the_spring_change() -> None:
    before_change = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    at = next_restart(before_change, time(4, 30), BUCHAREST)
    # 29 March 2026: clocks go from 03:00 EET to 04:00 EEST (UTC+3).
    assert at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert next_restart(at, time(4, 30), BUCHAREST) == at + timedelta(days=1)


class FakeWallClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_the_nightly_restart_waits_for_the_attract_screen(qtbot: QtBot) -> None:
    clock = FakeWallClock(datetime(2026, 6, 1, 12, 0, tzinfo=UTC))
    idle = [False]
    nightly = NightlyRestart(time(4, 30), BUCHAREST, lambda: idle[0], clock)
    assert nightly.next_at == datetime(2026, 6, 2, 1, 30, tzinfo=UTC)
    assert not nightly.check()

    clock.now = nightly.next_at + timedelta(minutes=1)
    assert not nightly.check()  # a citizen is still filing
    idle[0] = True
    with qtbot.waitSignal(nightly.due, timeout=1000):
        assert nightly.check()
    assert not nightly.check()  # once


def test_a_kiosk_busy_all_morning_restarts_the_next_night(qtbot: QtBot) -> None:
    clock = FakeWallClock(datetime(2026, 6, 1, 12, 0, tzinfo=UTC))
    nightly = NightlyRestart(time(4, 30), BUCHAREST, lambda: False, clock)
    first = nightly.next_at
    clock.now = first + timedelta(hours=3)
    assert not nightly.check()
    assert nightly.next_at == first + timedelta(days=1)
