"""Bad input through the touch screen: a clear message, nothing lost."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from pytestqt.qtbot import QtBot

from kiosk.i18n import translations
from kiosk.session import ChooseLanguage, Screen, Wake
from kiosk.ui.pages_entry import DescribePage
from kiosk.ui.pages_finish import ContactPage
from tests.helpers.ui import OFFSCREEN_NOISE, Kiosk, tap, type_keys

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

NOT_UNDERSTOOD = (
    "Sorry, we did not understand. Please say it in other words, or choose a category."
)
EMPTY = "Please tell us what you need, or choose a category."
TOO_LONG = (
    "Your text is {count} characters long. Please shorten it to at most "
    "{limit} characters."
)


def _describe(kiosk: Kiosk, language: str = "ro") -> DescribePage:
    kiosk.controller.dispatch(Wake())
    kiosk.controller.dispatch(ChooseLanguage(language))
    page = kiosk.window.page(Screen.DESCRIBE)
    assert isinstance(page, DescribePage)
    return page


def _assert_message(kiosk: Kiosk, source: str, language: str = "ro") -> None:
    shown = kiosk.window.message_label
    translated = translations(language).gettext(source)
    assert translated != source, "the message has no translation"
    assert shown.isVisible()
    assert shown.text() == translated


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        pytest.param("", EMPTY, id="empty"),
        pytest.param("   ", EMPTY, id="blank"),
        pytest.param("\x00\x07\x1b\u202e\t\x7f", EMPTY, id="only-control-characters"),
        pytest.param("😀🎉🙈👍", NOT_UNDERSTOOD, id="only-emoji"),
        pytest.param(
            "Ich möchte meinen Reisepass verlängern", NOT_UNDERSTOOD, id="german"
        ),
        pytest.param("我想交房产税", NOT_UNDERSTOOD, id="chinese"),
        pytest.param("x" * 20_000, TOO_LONG, id="huge-paste"),
    ],
)
def test_bad_description_shows_a_message_and_keeps_the_text(
    qtbot: QtBot, kiosk: Kiosk, typed: str, message: str
) -> None:
    describe = _describe(kiosk)
    describe.text_field.setPlainText(typed)
    tap(qtbot, describe.continue_button)

    assert kiosk.controller.view.screen is Screen.DESCRIBE
    assert kiosk.window.current_page is describe
    source = message
    if message is TOO_LONG:
        source = TOO_LONG
        translated = translations("ro").gettext(TOO_LONG)
        assert kiosk.window.message_label.text() == translated.format(
            count=20_000, limit=1000
        )
    elif message is NOT_UNDERSTOOD:
        # The router words its own re-prompt, per language, as data.
        prompts = json.loads(
            resources.files("kiosk.data").joinpath("routing_prompts.json").read_text()
        )
        assert kiosk.window.message_label.isVisible()
        assert kiosk.window.message_label.text() == prompts["reprompt"]["ro"]
    else:
        _assert_message(kiosk, source)
    assert describe.text_field.toPlainText() == typed


def test_control_characters_inside_a_request_are_dropped_before_routing(
    qtbot: QtBot, kiosk: Kiosk
) -> None:
    describe = _describe(kiosk)
    describe.text_field.setPlainText("vreau să plătesc\x00 impozitul\x1b pe casă\u202e")
    tap(qtbot, describe.continue_button)

    assert kiosk.controller.view.screen in (Screen.PROPOSAL, Screen.CHOICES)
    assert kiosk.controller.view.text == "vreau să plătesc impozitul pe casă"


def test_message_is_in_the_citizens_language(qtbot: QtBot, kiosk: Kiosk) -> None:
    describe = _describe(kiosk, "hu")
    tap(qtbot, describe.continue_button)

    _assert_message(kiosk, EMPTY, "hu")
    assert describe.continue_button.text() == "Tovább"


def test_invalid_email_shows_a_message_and_keeps_the_fields(
    qtbot: QtBot, kiosk: Kiosk
) -> None:
    describe = _describe(kiosk)
    type_keys(qtbot, describe.keyboard, "vreau să plătesc impozitul pe casă")
    tap(qtbot, describe.continue_button)
    proposal = kiosk.window.current_page
    yes = getattr(proposal, "yes_button", None)
    if yes is not None:
        tap(qtbot, yes)
    else:
        tap(qtbot, proposal.choice_list.buttons[0])  # type: ignore[attr-defined]
    contact = kiosk.window.page(Screen.CONTACT)
    assert isinstance(contact, ContactPage)
    assert kiosk.window.current_page is contact

    tap(qtbot, contact.email_field)
    type_keys(qtbot, contact.keyboard, "ana@@example")
    tap(qtbot, contact.consent_box)
    tap(qtbot, contact.continue_button)

    assert kiosk.controller.view.screen is Screen.CONTACT
    _assert_message(kiosk, "This e-mail address is not valid, e.g. name@example.com.")
    assert contact.email_field.text() == "ana@@example"
    assert contact.consent_box.isChecked()


def test_language_switch_mid_flow_keeps_the_text(qtbot: QtBot, kiosk: Kiosk) -> None:
    describe = _describe(kiosk)
    type_keys(qtbot, describe.keyboard, "impozit")
    tap(qtbot, kiosk.window.language_buttons["hu"])

    assert kiosk.controller.view.language == "hu"
    assert kiosk.controller.view.screen is Screen.DESCRIBE
    assert kiosk.window.prompt_label.text() == translations("hu").gettext(
        "Tell us what you need, in your own words."
    )
    assert describe.text_field.toPlainText() == "impozit"
    assert kiosk.window.language_buttons["hu"].isChecked()
    assert not kiosk.window.language_buttons["ro"].isChecked()


def test_idle_warning_does_not_undo_unsent_typing(qtbot: QtBot, kiosk: Kiosk) -> None:
    describe = _describe(kiosk)
    type_keys(qtbot, describe.keyboard, "parcare")
    kiosk.clock.advance(kiosk.core.settings.kiosk.idle_warning_s + 1)
    kiosk.controller.on_tick_timer_timeout()
    assert kiosk.window.overlay.isVisible()

    tap(qtbot, kiosk.window.overlay.more_time_button)

    assert not kiosk.window.overlay.isVisible()
    assert describe.text_field.toPlainText() == "parcare"
