"""Paying with the hardware keypad and speech only: no touch, no sight.

A keypad has no letters, so a citizen who cannot type reaches the amount
another way: a notice is held up to the camera (its QR code holds the
reference and the amount), and a filed request's fee is offered by itself.
"""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.app import Core
from kiosk.categories import categories
from kiosk.hardware.camera_monitor import QrScanned
from kiosk.i18n import translations
from kiosk.payments.journal import PaymentJournal, PaymentState
from kiosk.session import PAID_FEE, PAID_NOTICE, Screen
from kiosk.store import Outbox
from kiosk.ui.pages_payment import PAY_BUTTON_TEXT
from kiosk.ui.service_wiring import ServiceWiring
from tests.helpers.keypad import (
    choose,
    last_said,
    move_to,
    press,
    said_since,
)
from tests.helpers.ui import OFFSCREEN_NOISE, Kiosk

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

LANGUAGE_NAMES = {"ro": "Română", "hu": "Magyar", "en": "English"}
NOTICE = "antonia:pay:ITL-0042:12000"
NOTICE_SPELLED = "I T L 0 0 4 2"
WORDS_120 = {"ro": "120 de lei", "hu": "120 lej", "en": "120 lei"}
WORDS_94 = {"ro": "94 de lei", "hu": "94 lej", "en": "94 lei"}
FEE_SERVICE = "parking.resident_permit_application"
WAIT_MS = 10_000
PRESENT_CARD = (
    "To pay {amount}, present your card to the card terminal. Follow its instructions."
)


@pytest.fixture
def kiosk(paying_kiosk: Kiosk) -> Kiosk:
    return paying_kiosk


def _start(qtbot: QtBot, kiosk: Kiosk, lang: str) -> None:
    ro = translations("ro").gettext
    assert move_to(qtbot, kiosk, ro("Touch the screen to start"))
    press(qtbot, kiosk, Qt.Key.Key_Return)
    choose(qtbot, kiosk, LANGUAGE_NAMES[lang])
    assert kiosk.controller.view.screen is Screen.DESCRIBE


def _wait_for(qtbot: QtBot, kiosk: Kiosk, screen: Screen) -> None:
    qtbot.waitUntil(lambda: kiosk.controller.view.screen is screen, timeout=WAIT_MS)


def _states(core: Core) -> list[PaymentState]:
    with Outbox.in_data_dir(core.settings.storage.data_dir) as outbox:
        return [p.state for p in PaymentJournal(outbox).list()]


@pytest.mark.parametrize("lang", ["ro", "hu", "en"])
def test_the_keypad_and_speech_alone_pay_a_notice_held_up_to_the_camera(
    qtbot: QtBot, kiosk: Kiosk, pay_core: Core, lang: str
) -> None:
    _ = translations(lang).gettext
    wiring = ServiceWiring(kiosk.window, kiosk.controller, pay_core, lambda code: None)
    try:
        _start(qtbot, kiosk, lang)
        choose(qtbot, kiosk, _("Pay a fine or tax by reference"))
        assert kiosk.controller.view.screen is Screen.PAY_REFERENCE
        # The prompt says how to get there without typing: the QR code.
        assert last_said(kiosk) == (
            lang,
            _(
                "Type the payment reference from your notice. "
                "Or hold its QR code up to the camera."
            ),
        )

        # The camera reports from its own thread, as the real one does.
        scanned = QrScanned(NOTICE, None)
        camera = threading.Thread(target=wiring.reactor.post, args=(scanned,))
        camera.start()
        camera.join()
        _wait_for(qtbot, kiosk, Screen.PAY_CONFIRM)
        confirm = _("Pay {amount} for {reference} by card?").format(
            amount=WORDS_120[lang], reference=NOTICE_SPELLED
        )
        assert last_said(kiosk) == (lang, confirm)

        mark = len(kiosk.speaker.spoken)
        # The button shows "120,00 RON"; the keypad says the amount in words.
        choose(qtbot, kiosk, _(PAY_BUTTON_TEXT).format(amount=WORDS_120[lang]))
        _wait_for(qtbot, kiosk, Screen.PAID)
        spoken = said_since(kiosk, mark)
        assert _(PRESENT_CARD).format(amount=WORDS_120[lang]) in spoken
        paid = _(PAID_NOTICE).format(amount=WORDS_120[lang], reference=NOTICE_SPELLED)
        assert spoken[-1].startswith(paid)
        assert last_said(kiosk)[0] == lang
        assert "RON" not in spoken[-1] and "0119" not in spoken[-1]
        assert _states(pay_core) == [PaymentState.APPROVED]

        # Help reads the result again.
        press(qtbot, kiosk, Qt.Key.Key_F1)
        assert last_said(kiosk)[1].startswith(paid)
    finally:
        wiring.close()


def test_the_keypad_and_speech_alone_pay_a_filed_requests_fee(
    qtbot: QtBot, kiosk: Kiosk, pay_core: Core
) -> None:
    lang = "hu"
    _ = translations(lang).gettext
    _start(qtbot, kiosk, lang)
    parking = next(c for c in categories(pay_core.catalog) if c.group == "parking")
    service = pay_core.catalog.service(FEE_SERVICE)
    choose(qtbot, kiosk, _("Choose from categories"))
    choose(qtbot, kiosk, _(parking.label))
    choose(qtbot, kiosk, service.name(lang))
    choose(qtbot, kiosk, _("Continue without"))
    choose(qtbot, kiosk, _("Send"))
    _wait_for(qtbot, kiosk, Screen.PAY_OFFER)
    ticket = kiosk.controller.view.ticket
    assert ticket
    offer = _(
        "Your request is filed. Your ticket number is {ticket}. The fee is "
        "{amount}: do you want to pay it now by card?"
    ).format(ticket=" ".join(ticket.replace("-", "")), amount=WORDS_94[lang])
    assert last_said(kiosk)[1].endswith(offer)

    mark = len(kiosk.speaker.spoken)
    choose(qtbot, kiosk, _(PAY_BUTTON_TEXT).format(amount=WORDS_94[lang]))
    _wait_for(qtbot, kiosk, Screen.DONE)
    spoken = said_since(kiosk, mark)
    assert _(PRESENT_CARD).format(amount=WORDS_94[lang]) in spoken
    paid = _(PAID_FEE).format(amount=WORDS_94[lang], service=service.name(lang))
    assert spoken[-1].startswith(paid)
    # Then the ticket, sign by sign, and where the receipt is.
    assert " ".join(ch for ch in ticket if ch.isalnum()) in spoken[-1]
    assert spoken[-1].endswith(_("Please take your receipt."))
    assert _states(pay_core) == [PaymentState.APPROVED]
