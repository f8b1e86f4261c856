"""The terminal's wait for a card, on the screen with the simulated terminal.

The terminal's limit runs in real time (a few seconds here); the session's
countdown runs on the test's clock, moved by hand.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.app import Core
from kiosk.card_wait import ASK_MORE_TIME, ASKING_AGAIN, CARD_WAIT, MORE_TIME_GIVEN
from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.hardware.payment_terminal import Outcome, TerminalStatus
from kiosk.hardware.simulated_terminal import Behaviour
from kiosk.i18n import translations
from kiosk.payment_flow import NOT_CHARGED, PayNow
from kiosk.routing import Router
from kiosk.session import (
    ChooseCategory,
    ChooseLanguage,
    ChooseService,
    ConfirmSummary,
    OpenCategories,
    Screen,
    SkipContact,
    Tick,
    Wake,
)
from kiosk.ui.pages_payment import PayingPage
from tests.helpers.keypad import last_said, press
from tests.helpers.payments import Backend, paying_core, terminal_of
from tests.helpers.ui import OFFSCREEN_NOISE, Kiosk, tap

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

SALE_S = 3.0
"""The terminal's limit: long enough for a key press, short for a test."""
WARNING_S = 2.0
WAIT_MS = 15_000
ro = translations("ro").gettext


@pytest.fixture
def pay_core(settings: Settings, catalog: Catalog, router: Router) -> Iterator[Core]:
    payment = dataclasses.replace(
        settings.payment, sale_timeout_s=SALE_S, card_warning_s=WARNING_S
    )
    short = dataclasses.replace(settings, payment=payment)
    core = paying_core(short, catalog, router, Backend())
    yield core
    core.close()


@pytest.fixture
def kiosk(paying_kiosk: Kiosk) -> Kiosk:
    return paying_kiosk


def _paying(qtbot: QtBot, kiosk: Kiosk) -> PayingPage:
    controller = kiosk.controller
    for event in (
        Wake(),
        ChooseLanguage("ro"),
        OpenCategories(),
        ChooseCategory("parking"),
        ChooseService("parking.resident_permit_application"),
        SkipContact(),
        ConfirmSummary(),
    ):
        controller.dispatch(event)
    qtbot.waitUntil(lambda: controller.view.screen is Screen.PAY_OFFER, timeout=WAIT_MS)
    controller.dispatch(PayNow())
    assert controller.view.screen is Screen.PAYING
    page = kiosk.window.page(Screen.PAYING)
    assert isinstance(page, PayingPage)
    return page


def _warn(kiosk: Kiosk, page: PayingPage) -> None:
    """Move the session's clock to the warning and check it is shown and said."""
    assert not page.countdown.isVisible()
    kiosk.clock.advance(SALE_S - WARNING_S)
    kiosk.controller.dispatch(Tick())
    seconds = int(WARNING_S)
    assert page.countdown.isVisible() and page.more_time_hint.isVisible()
    assert page.countdown.text() == ro(CARD_WAIT).format(seconds=seconds)
    assert last_said(kiosk) == (
        "ro",
        f"{ro(CARD_WAIT).format(seconds=seconds)} {ro(ASK_MORE_TIME)}",
    )


def test_a_key_during_the_countdown_gets_a_new_sale_and_cancel_still_works(
    qtbot: QtBot, kiosk: Kiosk, pay_core: Core
) -> None:
    terminal = terminal_of(pay_core)
    terminal.behaviours = [Behaviour.WAIT_FOR_CANCEL] * 3
    page = _paying(qtbot, kiosk)
    for sale in (1, 2):
        qtbot.waitUntil(
            lambda: terminal.status() is TerminalStatus.BUSY, timeout=WAIT_MS
        )
        _warn(kiosk, page)
        # Any key is "more time" (the keypad's own move does no harm here).
        press(qtbot, kiosk, Qt.Key.Key_Down)
        assert ("ro", ro(MORE_TIME_GIVEN)) in kiosk.speaker.spoken[-3:]
        assert not page.countdown.isVisible()

        # The terminal gives up on its own; a new sale follows at once.
        def ended(sale: int = sale) -> bool:
            return len(terminal.transactions) == sale

        qtbot.waitUntil(ended, timeout=WAIT_MS)
        qtbot.waitUntil(
            lambda: kiosk.window.message_label.text() == ro(ASKING_AGAIN),
            timeout=WAIT_MS,
        )
        assert kiosk.controller.view.screen is Screen.PAYING
    qtbot.waitUntil(lambda: terminal.status() is TerminalStatus.BUSY, timeout=WAIT_MS)
    _warn(kiosk, page)
    tap(qtbot, page.cancel_button)
    qtbot.waitUntil(
        lambda: kiosk.controller.view.screen is Screen.PAY_OFFER, timeout=WAIT_MS
    )
    assert kiosk.window.message_label.text() == ro(NOT_CHARGED)
    assert [t.outcome for t in terminal.transactions] == [
        Outcome.TIMED_OUT,
        Outcome.TIMED_OUT,
        Outcome.CANCELLED,
    ]


def test_without_an_answer_the_time_out_returns_to_the_offer(
    qtbot: QtBot, kiosk: Kiosk, pay_core: Core
) -> None:
    terminal = terminal_of(pay_core)
    terminal.behaviours = [Behaviour.WAIT_FOR_CANCEL]
    page = _paying(qtbot, kiosk)
    qtbot.waitUntil(lambda: terminal.status() is TerminalStatus.BUSY, timeout=WAIT_MS)
    _warn(kiosk, page)
    qtbot.waitUntil(
        lambda: kiosk.controller.view.screen is Screen.PAY_OFFER, timeout=WAIT_MS
    )
    assert kiosk.window.message_label.text() == ro(NOT_CHARGED)
    assert last_said(kiosk)[1].startswith(ro(NOT_CHARGED))
    assert [t.outcome for t in terminal.transactions] == [Outcome.TIMED_OUT]
