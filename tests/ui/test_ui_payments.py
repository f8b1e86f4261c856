"""Card payments on the touch screen: a real desk, simulated terminal, outbox."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.app import Core
from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.hardware.camera_monitor import QrScanned
from kiosk.hardware.simulated_terminal import Behaviour
from kiosk.i18n import translations
from kiosk.payment_flow import DECLINED, NOT_CHARGED, OFFLINE, UNCERTAIN
from kiosk.payments.journal import Payment, PaymentJournal, PaymentState
from kiosk.routing import Router
from kiosk.session import (
    ChooseCategory,
    ChooseLanguage,
    ChooseService,
    OpenCategories,
    Screen,
    SkipContact,
    Wake,
)
from kiosk.speech.speaker import SilentSpeaker
from kiosk.store import Outbox
from kiosk.ui.controller import SessionController
from kiosk.ui.pages_entry import DescribePage
from kiosk.ui.pages_finish import SummaryPage
from kiosk.ui.pages_payment import (
    PaidPage,
    PayConfirmPage,
    PaymentEntryPage,
    PayOfferPage,
)
from tests.helpers.payments import Backend, paying_core, terminal_of
from tests.helpers.service import start_serviced_kiosk
from tests.helpers.ui import (
    OFFSCREEN_NOISE,
    FakeClock,
    Kiosk,
    start_kiosk,
    tap,
    type_keys,
)

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

FEE_SERVICE = "parking.resident_permit_application"
WAIT_MS = 10_000
ro = translations("ro").gettext


@pytest.fixture
def backend() -> Backend:
    return Backend()


@pytest.fixture
def pay_core(
    settings: Settings, catalog: Catalog, router: Router, backend: Backend
) -> Iterator[Core]:
    core = paying_core(settings, catalog, router, backend)
    yield core
    core.close()


@pytest.fixture
def kiosk(qtbot: QtBot, pay_core: Core) -> Iterator[Kiosk]:
    running = start_kiosk(qtbot, pay_core)
    yield running
    running.controller.shutdown()


def wait_for(qtbot: QtBot, kiosk: Kiosk, screen: Screen) -> None:
    qtbot.waitUntil(lambda: kiosk.controller.view.screen is screen, timeout=WAIT_MS)
    assert kiosk.window.current_page is kiosk.window.page(screen)


def file_fee_request(qtbot: QtBot, kiosk: Kiosk) -> str:
    """File the permit request up to the fee offer; returns its ticket."""
    controller = kiosk.controller
    for event in (
        Wake(),
        ChooseLanguage("ro"),
        OpenCategories(),
        ChooseCategory("parking"),
        ChooseService(FEE_SERVICE),
        SkipContact(),
    ):
        controller.dispatch(event)
    summary = kiosk.window.page(Screen.SUMMARY)
    assert isinstance(summary, SummaryPage)
    tap(qtbot, summary.send_button)
    wait_for(qtbot, kiosk, Screen.PAY_OFFER)
    ticket = controller.view.ticket
    assert ticket
    return ticket


def offer_page(kiosk: Kiosk) -> PayOfferPage:
    page = kiosk.window.page(Screen.PAY_OFFER)
    assert isinstance(page, PayOfferPage)
    return page


def payments(core: Core) -> list[Payment]:
    with Outbox.in_data_dir(core.settings.storage.data_dir) as outbox:
        return PaymentJournal(outbox).list()


def receipt_text(core: Core, payment: Payment) -> str:
    folder = core.settings.storage.data_dir / "receipts"
    return Path(folder / f"{payment.reference}.txt").read_text(encoding="utf-8")


def test_an_approved_fee_prints_a_receipt_with_the_card_lines(
    qtbot: QtBot, kiosk: Kiosk, pay_core: Core
) -> None:
    ticket = file_fee_request(qtbot, kiosk)
    page = offer_page(kiosk)
    assert page.pay_button.text() == ro("Pay {amount} by card").format(
        amount="94,00 RON"
    )
    assert not kiosk.window.back_button.isVisible()
    tap(qtbot, page.pay_button)
    wait_for(qtbot, kiosk, Screen.DONE)

    [payment] = payments(pay_core)
    assert payment.state is PaymentState.APPROVED
    assert payment.purpose == f"fee:{ticket}"
    assert payment.masked_pan == "**** 0119" and payment.auth_code
    text = receipt_text(pay_core, payment)
    assert "**** 0119" in text
    assert payment.auth_code in text
    assert ticket in text and "94,00 RON" in text
    assert payment.transaction_id and payment.transaction_id in text
    assert "**** 0119" in kiosk.window.message_label.text()
    assert kiosk.controller.view.ticket == ticket


def test_a_declined_fee_is_tried_again_and_approved(
    qtbot: QtBot, kiosk: Kiosk, pay_core: Core
) -> None:
    file_fee_request(qtbot, kiosk)
    terminal_of(pay_core).behaviours = [Behaviour.DECLINE]
    tap(qtbot, offer_page(kiosk).pay_button)
    qtbot.waitUntil(
        lambda: kiosk.window.message_label.text() == ro(DECLINED), timeout=WAIT_MS
    )
    wait_for(qtbot, kiosk, Screen.PAY_OFFER)
    assert offer_page(kiosk).later_button.isVisible()

    tap(qtbot, offer_page(kiosk).pay_button)
    wait_for(qtbot, kiosk, Screen.DONE)
    states = [p.state for p in payments(pay_core)]
    assert states == [PaymentState.DECLINED, PaymentState.APPROVED]


def test_a_timed_out_fee_leaves_the_request_filed(
    qtbot: QtBot, kiosk: Kiosk, pay_core: Core
) -> None:
    ticket = file_fee_request(qtbot, kiosk)
    terminal_of(pay_core).behaviours = [Behaviour.TIME_OUT]
    tap(qtbot, offer_page(kiosk).pay_button)
    qtbot.waitUntil(
        lambda: kiosk.window.message_label.text() == ro(NOT_CHARGED), timeout=WAIT_MS
    )
    tap(qtbot, offer_page(kiosk).later_button)
    wait_for(qtbot, kiosk, Screen.DONE)
    assert kiosk.controller.view.ticket == ticket
    assert [p.state for p in payments(pay_core)] == [PaymentState.NOT_CHARGED]


def test_offline_the_kiosk_says_so_and_the_request_stays_filed(
    qtbot: QtBot, kiosk: Kiosk, pay_core: Core, backend: Backend
) -> None:
    backend.reachable = False
    ticket = file_fee_request(qtbot, kiosk)
    tap(qtbot, offer_page(kiosk).pay_button)
    wait_for(qtbot, kiosk, Screen.DONE)
    assert kiosk.window.message_label.text() == ro(OFFLINE)
    assert kiosk.controller.view.ticket == ticket
    with Outbox.in_data_dir(pay_core.settings.storage.data_dir) as outbox:
        assert outbox.by_ticket(ticket) is not None
    assert payments(pay_core) == []
    assert terminal_of(pay_core).transactions == []


def test_an_uncertain_fee_says_do_not_pay_again(
    qtbot: QtBot, kiosk: Kiosk, pay_core: Core
) -> None:
    file_fee_request(qtbot, kiosk)
    terminal = terminal_of(pay_core)
    terminal.behaviours = [Behaviour.ANSWER_LATER]
    terminal.late_answer_queries = 100
    tap(qtbot, offer_page(kiosk).pay_button)
    wait_for(qtbot, kiosk, Screen.DONE)
    assert kiosk.window.message_label.text() == ro(UNCERTAIN)
    assert [p.state for p in payments(pay_core)] == [PaymentState.IN_FLIGHT]


def test_a_notice_typed_by_reference_is_paid_after_confirming_the_amount(
    qtbot: QtBot, kiosk: Kiosk, pay_core: Core
) -> None:
    kiosk.controller.dispatch(Wake())
    kiosk.controller.dispatch(ChooseLanguage("ro"))
    describe = kiosk.window.page(Screen.DESCRIBE)
    assert isinstance(describe, DescribePage)
    tap(qtbot, describe.pay_button)
    wait_for(qtbot, kiosk, Screen.PAY_REFERENCE)
    assert kiosk.controller.qr_scanning

    reference = kiosk.window.page(Screen.PAY_REFERENCE)
    assert isinstance(reference, PaymentEntryPage)
    type_keys(qtbot, reference.keyboard, "amd-2026-77")
    tap(qtbot, reference.continue_button)
    wait_for(qtbot, kiosk, Screen.PAY_AMOUNT)
    assert not kiosk.controller.qr_scanning

    amount = kiosk.window.page(Screen.PAY_AMOUNT)
    assert isinstance(amount, PaymentEntryPage)
    type_keys(qtbot, amount.keyboard, "150,5")
    tap(qtbot, amount.continue_button)
    wait_for(qtbot, kiosk, Screen.PAY_CONFIRM)
    confirm = kiosk.window.page(Screen.PAY_CONFIRM)
    assert isinstance(confirm, PayConfirmPage)
    assert confirm.amount_label.text() == "150,50 RON"
    assert "AMD-2026-77" in kiosk.window.prompt_label.text()

    tap(qtbot, confirm.pay_button)
    wait_for(qtbot, kiosk, Screen.PAID)
    [payment] = payments(pay_core)
    assert payment.state is PaymentState.APPROVED
    assert payment.purpose == "notice:AMD-2026-77"
    assert payment.amount_bani == 15050
    paid = kiosk.window.page(Screen.PAID)
    assert isinstance(paid, PaidPage)
    assert "**** 0119" in paid.detail_texts()
    text = receipt_text(pay_core, payment)
    assert "AMD-2026-77" in text and "150,50 RON" in text
    assert "**** 0119" in text and str(payment.auth_code) in text

    tap(qtbot, paid.finish_button)
    wait_for(qtbot, kiosk, Screen.ATTRACT)
    assert paid.detail_texts() == []
    assert reference.field.text() == "" and amount.field.text() == ""


def test_a_scanned_notice_is_paid(
    qtbot: QtBot, pay_core: Core, settings: Settings
) -> None:
    serviced = start_serviced_kiosk(qtbot, pay_core)
    try:
        kiosk = serviced.kiosk
        kiosk.controller.dispatch(Wake())
        kiosk.controller.dispatch(ChooseLanguage("ro"))
        tap(qtbot, kiosk.window.page(Screen.DESCRIBE).pay_button)  # type: ignore[attr-defined]
        wait_for(qtbot, kiosk, Screen.PAY_REFERENCE)

        # The camera reports from its own thread, through the device bridge.
        scanned = QrScanned("antonia:pay:ITL-0042:12000", None)
        camera = threading.Thread(target=serviced.wiring.reactor.post, args=(scanned,))
        camera.start()
        camera.join()
        wait_for(qtbot, kiosk, Screen.PAY_CONFIRM)
        confirm = kiosk.window.page(Screen.PAY_CONFIRM)
        assert isinstance(confirm, PayConfirmPage)
        assert confirm.amount_label.text() == "120,00 RON"

        tap(qtbot, confirm.pay_button)
        wait_for(qtbot, kiosk, Screen.PAID)
        [payment] = payments(pay_core)
        assert payment.purpose == "notice:ITL-0042"
        assert payment.state is PaymentState.APPROVED
    finally:
        serviced.wiring.close()
        serviced.kiosk.controller.shutdown()


def test_a_cancelled_payment_charges_nothing(
    qtbot: QtBot, kiosk: Kiosk, pay_core: Core
) -> None:
    file_fee_request(qtbot, kiosk)
    terminal = terminal_of(pay_core)
    terminal.behaviours = [Behaviour.WAIT_FOR_CANCEL]
    tap(qtbot, offer_page(kiosk).pay_button)
    wait_for(qtbot, kiosk, Screen.PAYING)
    assert not kiosk.window.start_over_button.isVisible()
    paying = kiosk.window.page(Screen.PAYING)
    qtbot.waitUntil(lambda: bool(terminal.status().value == "busy"), timeout=WAIT_MS)
    tap(qtbot, paying.cancel_button)  # type: ignore[attr-defined]
    wait_for(qtbot, kiosk, Screen.PAY_OFFER)
    assert kiosk.window.message_label.text() == ro(NOT_CHARGED)
    assert [p.state for p in payments(pay_core)] == [PaymentState.NOT_CHARGED]


def test_a_payment_left_in_flight_is_recovered_when_the_screen_starts(
    qtbot: QtBot, pay_core: Core
) -> None:
    # A crash after the intent was written and before the terminal answered.
    assert pay_core.payments is not None
    journal = pay_core.payments.service.journal
    journal.begin("fee:A-09999", 9400)
    controller = SessionController(pay_core, SilentSpeaker(), FakeClock())
    payment_thread = controller._payments  # noqa: SLF001
    assert payment_thread is not None
    recovered: list[int] = []
    # Emitted on the worker's thread: record it there, wait on this one.
    payment_thread.worker.recovered.connect(recovered.append)
    try:
        controller.start()
        qtbot.waitUntil(lambda: recovered == [1], timeout=WAIT_MS)
        [payment] = payments(pay_core)
        assert payment.state is PaymentState.NOT_CHARGED
    finally:
        controller.shutdown()
        # Deleted here, on the Qt thread: a garbage collection on another
        # thread would stop its timer from there.
        with qtbot.waitSignal(controller.destroyed, timeout=WAIT_MS):
            controller.deleteLater()
