"""The whole flow with a hardware keypad and speech only: no touch, no sight."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.accessibility import keypad_hint
from kiosk.app import Core
from kiosk.i18n import translations
from kiosk.session import Screen
from kiosk.store import Outbox
from tests.helpers.keypad import (
    choose,
    last_said,
    move_to,
    press,
    said_since,
    start_listening_kiosk,
)
from tests.helpers.ui import OFFSCREEN_NOISE, Kiosk

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

LANGUAGE_NAMES = {"ro": "Română", "hu": "Magyar", "en": "English"}
CATEGORY = "Taxes and local fees"
SERVICE = "tax.building_declaration"


@pytest.fixture
def kiosk(qtbot: QtBot, core: Core) -> Iterator[Kiosk]:
    """The kiosk at its real size, with a speaker that keeps every sentence."""
    running = start_listening_kiosk(qtbot, core)
    yield running
    running.controller.shutdown()


def _on(kiosk: Kiosk, screen: Screen) -> None:
    assert kiosk.controller.view.screen is screen


@pytest.mark.parametrize("lang", ["ro", "hu", "en"])
def test_the_keypad_and_speech_alone_file_a_request(
    qtbot: QtBot, kiosk: Kiosk, lang: str
) -> None:
    _ = translations(lang).gettext
    ro = translations("ro").gettext

    # The attract screen: the first control is the big start button.
    assert move_to(qtbot, kiosk, ro("Touch the screen to start"))
    press(qtbot, kiosk, Qt.Key.Key_Return)
    _on(kiosk, Screen.LANGUAGE)
    # The prompt in every language, each in its own voice, the default first.
    assert kiosk.speaker.spoken[-3:] == [
        (
            code,
            f"{translations(code).gettext('Choose your language')} "
            f"{keypad_hint(translations(code).gettext)}",
        )
        for code in ("ro", "hu", "en")
    ]

    # Each language's name is said by a voice of that language.
    sentence = choose(qtbot, kiosk, LANGUAGE_NAMES[lang])
    assert sentence.startswith(f"{LANGUAGE_NAMES[lang]}. ")
    _on(kiosk, Screen.DESCRIBE)
    assert last_said(kiosk) == (lang, _("Tell us what you need, in your own words."))

    choose(qtbot, kiosk, _("Choose from categories"))
    _on(kiosk, Screen.CATEGORIES)
    assert last_said(kiosk) == (lang, _("Choose a category"))

    count = len(kiosk.window.access.navigator.controls())
    tile = choose(qtbot, kiosk, _(CATEGORY))
    # The first tile comes first: the page before the bars, in reading order.
    assert tile.endswith(_("{index} of {count}").format(index=1, count=count))
    _on(kiosk, Screen.SERVICES)
    assert last_said(kiosk) == (lang, _("Choose what you need"))

    service = kiosk.core.catalog.service(SERVICE)
    department = kiosk.core.catalog.department(service.department).name(lang)
    heard = choose(qtbot, kiosk, service.name(lang))
    assert heard.startswith(f"{service.name(lang)}, {department}.")
    _on(kiosk, Screen.CONTACT)
    assert last_said(kiosk) == (
        lang,
        _(
            "Do you want an answer? Leave a phone number or an e-mail address. "
            "This is optional."
        ),
    )

    choose(qtbot, kiosk, _("Continue without"))
    _on(kiosk, Screen.SUMMARY)
    expected = _("Please check: {service}, handled by {department}. Send it?")
    assert last_said(kiosk) == (
        lang,
        expected.format(service=service.name(lang), department=department),
    )

    mark = len(kiosk.speaker.spoken)
    choose(qtbot, kiosk, _("Send"))
    qtbot.waitUntil(lambda: kiosk.controller.view.screen is Screen.DONE, timeout=10_000)
    ticket = kiosk.controller.view.ticket
    assert ticket
    # What was filed, where it goes and the ticket sign by sign, for a
    # citizen who cannot see the screen; then where the receipt is.
    done = _(
        "Your request is filed: {service}, handled by {department}. "
        "Your ticket number is {ticket}."
    ).format(
        service=service.name(lang),
        department=department,
        ticket=" ".join(ch for ch in ticket if ch.isalnum()),
    )
    assert said_since(kiosk, mark)[-1] == f"{done} {_('Please take your receipt.')}"
    assert last_said(kiosk)[0] == lang

    # Help reads the screen again, ticket included.
    press(qtbot, kiosk, Qt.Key.Key_F1)
    assert last_said(kiosk)[1].startswith(done)

    data_dir = kiosk.core.settings.storage.data_dir
    with Outbox.in_data_dir(data_dir) as outbox:
        stored = outbox.by_ticket(ticket)
    assert stored is not None
    assert stored.service_code == SERVICE
    assert stored.language == lang
    assert stored.text == service.name(lang)
    assert stored.phone is None and stored.email is None
    assert stored.consent is False


def test_escape_goes_back_and_help_repeats_with_the_keypad_hint(
    qtbot: QtBot, kiosk: Kiosk
) -> None:
    _ = translations("en").gettext
    press(qtbot, kiosk, Qt.Key.Key_Down)
    press(qtbot, kiosk, Qt.Key.Key_Return)
    choose(qtbot, kiosk, "English")
    choose(qtbot, kiosk, _("Choose from categories"))
    _on(kiosk, Screen.CATEGORIES)

    press(qtbot, kiosk, Qt.Key.Key_F1)
    assert last_said(kiosk) == (
        "en",
        f"{_('Choose a category')} "
        f"{_('Use the arrow keys to move, and Enter to choose.')} "
        f"{_('Press Pause to pause the speech, and again to go on.')}",
    )
    press(qtbot, kiosk, Qt.Key.Key_Escape)
    _on(kiosk, Screen.DESCRIBE)


def test_keys_held_down_do_not_repeat(qtbot: QtBot, kiosk: Kiosk) -> None:
    press(qtbot, kiosk, Qt.Key.Key_Down)
    first = kiosk.window.access.navigator.current
    held = QKeyEvent(
        QEvent.Type.KeyPress,
        Qt.Key.Key_Down,
        Qt.KeyboardModifier.NoModifier,
        "",
        True,
    )
    QApplication.sendEvent(kiosk.window, held)
    assert kiosk.window.access.navigator.current is first
    assert kiosk.controller.view.screen is Screen.ATTRACT


def test_the_focus_ring_is_drawn_on_the_focused_control_only(
    qtbot: QtBot, kiosk: Kiosk
) -> None:
    press(qtbot, kiosk, Qt.Key.Key_Down)
    press(qtbot, kiosk, Qt.Key.Key_Return)
    press(qtbot, kiosk, Qt.Key.Key_Down)
    navigator = kiosk.window.access.navigator
    first = navigator.current
    assert first is not None and first.property("keypad") == "focus"
    press(qtbot, kiosk, Qt.Key.Key_Down)
    assert first.property("keypad") is None
    assert navigator.current is not None
    assert navigator.current.property("keypad") == "focus"
    # The ring is thick and changes the colours (see test_a11y_contrast).
    assert "8px solid" in kiosk.window.styleSheet()
