"""The idle warning and the reset that wipes the citizen's draft."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from kiosk.i18n import translations
from kiosk.session import ChooseLanguage, Screen, Wake
from kiosk.ui.pages_entry import DescribePage
from kiosk.ui.pages_finish import ContactPage
from tests.helpers.ui import OFFSCREEN_NOISE, Kiosk, tap, type_keys

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def _tick_after(kiosk: Kiosk, seconds: float) -> None:
    kiosk.clock.advance(seconds)
    kiosk.controller.on_tick_timer_timeout()


def test_idle_warning_counts_down_then_reset_wipes_the_draft(
    qtbot: QtBot, kiosk: Kiosk
) -> None:
    settings = kiosk.core.settings.kiosk
    kiosk.controller.dispatch(Wake())
    kiosk.controller.dispatch(ChooseLanguage("ro"))
    describe = kiosk.window.page(Screen.DESCRIBE)
    assert isinstance(describe, DescribePage)
    type_keys(qtbot, describe.keyboard, "vreau să plătesc impozitul pe casă")
    tap(qtbot, describe.continue_button)
    assert kiosk.controller.view.text

    _tick_after(kiosk, settings.idle_warning_s - 1)
    assert not kiosk.window.overlay.isVisible()

    _tick_after(kiosk, 2)
    overlay = kiosk.window.overlay
    assert overlay.isVisible()
    expected = translations("ro").gettext("The kiosk starts over in {seconds} s.")
    assert overlay.countdown.text() == expected.format(
        seconds=int(settings.idle_reset_s)
    )
    assert overlay.more_time_button.text() == translations("ro").gettext(
        "Yes, more time"
    )

    _tick_after(kiosk, 5)
    assert overlay.countdown.text() == expected.format(
        seconds=int(settings.idle_reset_s) - 5
    )

    _tick_after(kiosk, settings.idle_reset_s)
    assert kiosk.controller.view.screen is Screen.ATTRACT
    assert kiosk.window.current_page is kiosk.window.page(Screen.ATTRACT)
    assert not overlay.isVisible()
    assert kiosk.controller.session.view.text == ""
    assert describe.text_field.toPlainText() == ""
    contact = kiosk.window.page(Screen.CONTACT)
    assert isinstance(contact, ContactPage)
    assert contact.email_field.text() == ""


def test_more_time_keeps_the_citizen_where_they_were(
    qtbot: QtBot, kiosk: Kiosk
) -> None:
    settings = kiosk.core.settings.kiosk
    kiosk.controller.dispatch(Wake())
    kiosk.controller.dispatch(ChooseLanguage("en"))
    _tick_after(kiosk, settings.idle_warning_s + 1)
    assert kiosk.window.overlay.isVisible()

    tap(qtbot, kiosk.window.overlay.more_time_button)
    assert not kiosk.window.overlay.isVisible()
    _tick_after(kiosk, settings.idle_warning_s - 1)

    assert kiosk.controller.view.screen is Screen.DESCRIBE
    assert not kiosk.window.overlay.isVisible()


def test_touching_the_keyboard_counts_as_activity(qtbot: QtBot, kiosk: Kiosk) -> None:
    settings = kiosk.core.settings.kiosk
    kiosk.controller.dispatch(Wake())
    kiosk.controller.dispatch(ChooseLanguage("en"))
    describe = kiosk.window.page(Screen.DESCRIBE)
    assert isinstance(describe, DescribePage)
    for _ in range(3):
        kiosk.clock.advance(settings.idle_warning_s - 5)
        type_keys(qtbot, describe.keyboard, "a")
        kiosk.controller.on_tick_timer_timeout()

    assert not kiosk.window.overlay.isVisible()
    assert describe.text_field.toPlainText() == "aaa"
