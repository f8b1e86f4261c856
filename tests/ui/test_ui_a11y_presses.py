"""Double presses, the delete key's repeat and settings left on the attract screen."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.accessibility import AccessPrefs
from kiosk.app import Core
from kiosk.config import Settings
from kiosk.session import ChooseLanguage, Screen, Wake
from kiosk.ui.keyboard import OnScreenKeyboard
from tests.helpers.keypad import press, start_listening_kiosk
from tests.helpers.ui import OFFSCREEN_NOISE, Kiosk, tap

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

DOUBLE_PRESS_S = 0.5
UNATTENDED_S = 60.0


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A kiosk that ignores double presses and never repeats the delete key."""
    access = replace(
        settings.access,
        double_press_s=DOUBLE_PRESS_S,
        backspace_repeat_delay_s=0.0,
        unattended_reset_s=UNATTENDED_S,
    )
    return replace(settings, access=access)


@pytest.fixture
def kiosk(qtbot: QtBot, core: Core) -> Iterator[Kiosk]:
    running = start_listening_kiosk(qtbot, core)
    yield running
    running.controller.shutdown()


def _describe(kiosk: Kiosk) -> OnScreenKeyboard:
    kiosk.controller.dispatch(Wake())
    kiosk.controller.dispatch(ChooseLanguage("en"))
    page = kiosk.window.page(Screen.DESCRIBE)
    keyboard = page.keyboard  # type: ignore[attr-defined]
    assert isinstance(keyboard, OnScreenKeyboard)
    return keyboard


def test_the_same_key_touched_twice_within_the_delay_types_once(
    qtbot: QtBot, kiosk: Kiosk
) -> None:
    keyboard = _describe(kiosk)
    field = kiosk.window.page(Screen.DESCRIBE).text_field  # type: ignore[attr-defined]
    tap(qtbot, keyboard.keys["l"])
    tap(qtbot, keyboard.keys["l"])
    assert field.toPlainText() == "l"
    # Another key is taken at once.
    tap(qtbot, keyboard.keys["a"])
    assert field.toPlainText() == "la"
    kiosk.clock.advance(DOUBLE_PRESS_S)
    tap(qtbot, keyboard.keys["a"])
    assert field.toPlainText() == "laa"


def test_the_same_keypad_key_struck_twice_within_the_delay_moves_once(
    qtbot: QtBot, kiosk: Kiosk
) -> None:
    _describe(kiosk)
    navigator = kiosk.window.access.navigator
    controls = navigator.controls()
    press(qtbot, kiosk, Qt.Key.Key_Down)
    press(qtbot, kiosk, Qt.Key.Key_Down)
    assert navigator.current is controls[0]
    kiosk.clock.advance(DOUBLE_PRESS_S - 0.01)
    press(qtbot, kiosk, Qt.Key.Key_Down)
    assert navigator.current is controls[0]
    kiosk.clock.advance(0.02)
    press(qtbot, kiosk, Qt.Key.Key_Down)
    assert navigator.current is controls[1]
    # A different key right away counts.
    press(qtbot, kiosk, Qt.Key.Key_Up)
    assert navigator.current is controls[0]


def test_the_delete_key_held_down_deletes_one_letter_when_repeat_is_off(
    qtbot: QtBot, kiosk: Kiosk
) -> None:
    keyboard = _describe(kiosk)
    field = kiosk.window.page(Screen.DESCRIBE).text_field  # type: ignore[attr-defined]
    field.setPlainText("abcdef")
    keyboard.set_target(field)
    field.moveCursor(field.textCursor().MoveOperation.End)
    assert not keyboard.backspace_key.autoRepeat()
    qtbot.mousePress(keyboard.backspace_key, Qt.MouseButton.LeftButton)
    qtbot.wait(800)
    qtbot.mouseRelease(keyboard.backspace_key, Qt.MouseButton.LeftButton)
    assert field.toPlainText() == "abcde"


def test_the_delete_key_repeats_after_the_configured_delay(
    qtbot: QtBot, kiosk: Kiosk
) -> None:
    keyboard = _describe(kiosk)
    keyboard.set_repeat(0.3, 0.05)
    assert keyboard.backspace_key.autoRepeatDelay() == 300
    field = kiosk.window.page(Screen.DESCRIBE).text_field  # type: ignore[attr-defined]
    field.setPlainText("abcdefghij")
    keyboard.set_target(field)
    field.moveCursor(field.textCursor().MoveOperation.End)
    qtbot.mousePress(keyboard.backspace_key, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(field.toPlainText()) <= 7, timeout=3000)
    qtbot.mouseRelease(keyboard.backspace_key, Qt.MouseButton.LeftButton)


def test_settings_left_on_the_attract_screen_are_reset_after_a_while(
    qtbot: QtBot, kiosk: Kiosk
) -> None:
    access = kiosk.window.access
    tap(qtbot, access.bar.contrast_button)
    assert access.prefs == AccessPrefs(high_contrast=True)
    kiosk.clock.advance(UNATTENDED_S - 10)
    # A touch starts the count again.
    tap(qtbot, access.bar.large_text_button)
    kiosk.clock.advance(UNATTENDED_S - 1)
    access.unattended.check()
    assert access.prefs == AccessPrefs(high_contrast=True, text_scale=1.5)
    kiosk.clock.advance(1)
    # The reset comes from the kiosk's own once-a-second check.
    qtbot.waitUntil(lambda: access.prefs == AccessPrefs(), timeout=3000)
    assert not access.bar.contrast_button.isChecked()


def test_settings_are_kept_while_a_citizen_uses_the_kiosk(
    qtbot: QtBot, kiosk: Kiosk
) -> None:
    access = kiosk.window.access
    tap(qtbot, access.bar.contrast_button)
    kiosk.controller.dispatch(Wake())
    kiosk.clock.advance(UNATTENDED_S * 3)
    access.unattended.check()
    assert access.prefs == AccessPrefs(high_contrast=True)
