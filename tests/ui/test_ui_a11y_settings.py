"""The citizen's own settings: themes, motion, headphones, screen off, time."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication
from pytestqt.qtbot import QtBot

from kiosk.accessibility import MIN_EXTENSIONS, AccessPrefs
from kiosk.app import Core
from kiosk.config import Settings
from kiosk.i18n import translations
from kiosk.session import ChooseLanguage, Screen, StartOver, Tick, Wake
from kiosk.ui.pages_entry import AttractPage
from tests.helpers.keypad import (
    RecordingSpeaker,
    last_said,
    move_to,
    press,
    start_listening_kiosk,
)
from tests.helpers.ui import OFFSCREEN_NOISE, Kiosk, tap

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Settings of a kiosk with a headphone jack."""
    speech = replace(settings.speech, headphones_device="plughw:1,0")
    return replace(settings, speech=speech)


@pytest.fixture
def kiosk(qtbot: QtBot, core: Core) -> Iterator[Kiosk]:
    running = start_listening_kiosk(qtbot, core)
    yield running
    running.controller.shutdown()


def test_the_settings_are_on_the_first_screen_and_end_with_the_session(
    qtbot: QtBot, kiosk: Kiosk
) -> None:
    access = kiosk.window.access
    bar = access.bar
    for button in (
        bar.contrast_button,
        bar.large_text_button,
        bar.low_layout_button,
        bar.still_button,
        bar.repeat_button,
    ):
        assert button.isVisible(), button.objectName()
    tap(qtbot, bar.contrast_button)
    tap(qtbot, bar.large_text_button)
    assert access.prefs == AccessPrefs(high_contrast=True, text_scale=1.5)
    assert "#ffff00" in kiosk.window.styleSheet()
    tap(qtbot, kiosk.window.page(Screen.ATTRACT).start_button)  # type: ignore[attr-defined]
    kiosk.controller.dispatch(ChooseLanguage("hu"))
    assert access.prefs.high_contrast and access.prefs.large_text
    assert bar.contrast_button.isChecked()
    hu = translations("hu").gettext
    assert bar.contrast_button.text() == f"☑ {hu('High contrast')}"

    kiosk.controller.dispatch(StartOver())
    assert access.prefs == AccessPrefs()
    assert "#ffff00" not in kiosk.window.styleSheet()
    assert not bar.contrast_button.isChecked()


def test_stop_motion_holds_the_attract_screen_still(qtbot: QtBot, kiosk: Kiosk) -> None:
    attract = kiosk.window.page(Screen.ATTRACT)
    assert isinstance(attract, AttractPage)
    assert attract.rotation_timer.isActive()
    tap(qtbot, kiosk.window.access.bar.still_button)
    assert not attract.rotation_timer.isActive()
    text = attract.start_button.text()
    for lang in ("ro", "hu", "en"):
        assert translations(lang).gettext("Touch the screen to start") in text
    # The rotation never runs while a citizen uses the kiosk.
    kiosk.controller.dispatch(Wake())
    assert not attract.rotation_timer.isActive()


def test_headphones_move_speech_and_offer_a_blank_screen(
    qtbot: QtBot, kiosk: Kiosk
) -> None:
    speaker = kiosk.speaker
    assert isinstance(speaker, RecordingSpeaker)
    access = kiosk.window.access
    kiosk.controller.dispatch(Wake())
    kiosk.controller.dispatch(ChooseLanguage("en"))
    assert not access.bar.screen_off_button.isVisible()

    access.set_headphones(True)
    assert speaker.devices == ["plughw:1,0"]
    assert last_said(kiosk) == (
        "en",
        "Headphones connected. You can turn the screen off for privacy.",
    )
    assert access.bar.screen_off_button.isVisible()

    move_to(qtbot, kiosk, "Screen off")
    press(qtbot, kiosk, Qt.Key.Key_Return)
    assert access.cover.isVisible()
    assert access.cover.geometry() == kiosk.window.rect()
    assert last_said(kiosk)[1] == "The screen is off. Speech and keys still work."
    # The keypad and speech carry on under the blank screen.
    move_to(qtbot, kiosk, "Choose from categories")
    press(qtbot, kiosk, Qt.Key.Key_Return)
    assert kiosk.controller.view.screen is Screen.CATEGORIES
    assert access.cover.isVisible()

    access.set_headphones(False)
    assert speaker.devices == ["plughw:1,0", "default"]
    assert not access.cover.isVisible()


def test_any_key_answers_the_idle_warning_again_and_again(
    qtbot: QtBot, kiosk: Kiosk
) -> None:
    settings = kiosk.core.settings.kiosk
    kiosk.controller.dispatch(Wake())
    kiosk.controller.dispatch(ChooseLanguage("ro"))
    ro = translations("ro").gettext
    overlay = kiosk.window.overlay
    for _round in range(MIN_EXTENSIONS + 2):
        kiosk.clock.advance(settings.idle_warning_s)
        kiosk.controller.dispatch(Tick())
        assert overlay.isVisible()
        assert last_said(kiosk)[1].startswith(
            ro("Do you need more time? Touch the screen or press any key.")
        )
        # Help reads the warning; it also counts as an answer.
        kiosk.clock.advance(settings.idle_reset_s - 2)
        kiosk.controller.dispatch(Tick())
        press(qtbot, kiosk, Qt.Key.Key_Down)
        assert not overlay.isVisible()
        assert kiosk.controller.view.screen is Screen.DESCRIBE
    # The key that answers the warning does nothing else.
    assert kiosk.window.access.navigator.current is None


def test_the_read_aloud_button_reads_the_idle_warning_while_it_is_up(
    qtbot: QtBot, kiosk: Kiosk
) -> None:
    kiosk.controller.dispatch(Wake())
    kiosk.controller.dispatch(ChooseLanguage("en"))
    kiosk.clock.advance(kiosk.core.settings.kiosk.idle_warning_s)
    kiosk.controller.dispatch(Tick())
    kiosk.window.access.repeat()
    said = last_said(kiosk)[1]
    assert said.startswith("Do you need more time? The kiosk starts over in")
    QApplication.processEvents()


def test_a_toggle_pressed_by_keypad_says_its_new_state(
    qtbot: QtBot, kiosk: Kiosk
) -> None:
    kiosk.controller.dispatch(Wake())
    kiosk.controller.dispatch(ChooseLanguage("en"))
    assert move_to(qtbot, kiosk, "High contrast").startswith("High contrast, off.")
    press(qtbot, kiosk, Qt.Key.Key_Return)
    assert last_said(kiosk)[1].startswith("High contrast, on.")
    assert kiosk.window.access.prefs.high_contrast


@pytest.mark.parametrize("high_contrast", [False, True], ids=["normal", "high"])
def test_a_toggle_shows_its_state_without_colour_and_says_the_same(
    qtbot: QtBot, kiosk: Kiosk, high_contrast: bool
) -> None:
    access = kiosk.window.access
    access.set_prefs(AccessPrefs(high_contrast=high_contrast))
    kiosk.controller.dispatch(Wake())
    kiosk.controller.dispatch(ChooseLanguage("ro"))
    button = access.bar.low_layout_button
    label = translations("ro").gettext("Lower controls")
    off_text = button.text()
    assert off_text == f"☐ {label}"
    assert move_to(qtbot, kiosk, label).startswith(f"{label}, dezactivat")
    press(qtbot, kiosk, Qt.Key.Key_Return)
    assert button.isChecked()
    # The text itself changes (a ticked box), not only the colours.
    assert button.text() == f"☑ {label}" != off_text
    assert last_said(kiosk)[1].startswith(f"{label}, activat")


def test_the_text_size_button_steps_to_200_percent_and_says_the_size(
    qtbot: QtBot, kiosk: Kiosk
) -> None:
    kiosk.controller.dispatch(Wake())
    kiosk.controller.dispatch(ChooseLanguage("en"))
    access = kiosk.window.access
    button = access.bar.large_text_button
    prompt = kiosk.window.prompt_label
    normal_px = prompt.font().pixelSize()
    assert button.text() == "Text size 100 %"
    for scale, said in ((1.5, "150 %"), (2.0, "200 %"), (1.0, "100 %")):
        tap(qtbot, button)
        assert access.prefs.text_scale == scale
        assert button.text() == f"Text size {said}"
        assert last_said(kiosk) == ("en", f"Text size {said}")
        assert prompt.font().pixelSize() == round(normal_px * scale)
    assert not access.prefs.large_text


def test_the_delete_key_has_a_spoken_name_in_the_citizens_language(
    kiosk: Kiosk,
) -> None:
    kiosk.controller.dispatch(Wake())
    kiosk.controller.dispatch(ChooseLanguage("hu"))
    keyboard = kiosk.window.page(Screen.DESCRIBE).keyboard  # type: ignore[attr-defined]
    assert keyboard.backspace_key.text() == "⌫"
    text, language = kiosk.window.access.describe(keyboard.backspace_key)
    assert (text, language) == ("Törlés", "hu")
    # Every button showing only a pictogram has a name to speak.
    for button in kiosk.window.findChildren(QAbstractButton):
        shown = button.text().strip()
        if shown and all(unicodedata.category(ch) == "So" for ch in shown):
            assert button.accessibleName(), button.objectName() or shown
