"""Card payments in the session, without a screen, on a real payment desk."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kiosk.app import Core
from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.hardware.simulated_terminal import Behaviour
from kiosk.i18n import translations
from kiosk.payment_flow import (
    DECLINED,
    NOT_CHARGED,
    OFFLINE,
    PAUSED,
    TERMINAL_DOWN,
    UNCERTAIN,
    CancelPayment,
    NoticeScanned,
    OpenPayByReference,
    PayCard,
    PayLater,
    PaymentAnswered,
    PayNow,
    Refused,
    StopCardPayment,
    SubmitAmount,
    SubmitReference,
)
from kiosk.payments.journal import PaymentJournal, PaymentState
from kiosk.payments.service import RefusalReason
from kiosk.routing import Router
from kiosk.session import (
    FEE_VARIES,
    Back,
    ChooseCategory,
    ChooseLanguage,
    ChooseService,
    ConfirmSummary,
    Effect,
    Filed,
    FileRequest,
    OpenCategories,
    Screen,
    Session,
    Show,
    SkipContact,
    StartOver,
    Tick,
    Wake,
)
from tests.helpers.payments import Backend, paying_core, terminal_of

FEE_SERVICE = "parking.resident_permit_application"
"""94 RON in the shipped catalogue."""
VARYING_SERVICE = "urbanism.certificate"
FREE_SERVICE = "parking.spot_issue"
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
def session(pay_core: Core) -> Session:
    session = pay_core.new_session()
    session.start(now=0.0)
    return session


def shown(effects: list[Effect]) -> list[Screen]:
    return [e.view.screen for e in effects if isinstance(e, Show)]


def file_service(core: Core, session: Session, code: str) -> list[Effect]:
    session.handle(Wake(), 0.0)
    session.handle(ChooseLanguage("ro"), 0.0)
    session.handle(OpenCategories(), 0.0)
    session.handle(ChooseCategory(code.split(".")[0]), 0.0)
    session.handle(ChooseService(code), 0.0)
    session.handle(SkipContact(), 0.0)
    effects = session.handle(ConfirmSummary(), 1.0)
    request = next(e.request for e in effects if isinstance(e, FileRequest))
    return session.handle(Filed(core.filing.file(request)), 2.0)


def pay(core: Core, session: Session, now: float = 3.0) -> list[Effect]:
    """Press pay and run the order on the real desk, as the worker would."""
    effects = session.handle(PayNow(), now)
    assert shown(effects) == [Screen.PAYING]
    orders = [e.order for e in effects if isinstance(e, PayCard)]
    assert len(orders) == 1
    assert core.payments is not None
    outcome = core.payments.pay(orders[0])
    return session.handle(PaymentAnswered(outcome), now + 1)


def to_reference(session: Session) -> None:
    session.handle(Wake(), 0.0)
    session.handle(ChooseLanguage("ro"), 0.0)
    assert session.view.payments
    assert shown(session.handle(OpenPayByReference(), 0.5)) == [Screen.PAY_REFERENCE]


def test_a_fee_is_offered_once_the_request_is_filed(
    pay_core: Core, session: Session
) -> None:
    effects = file_service(pay_core, session, FEE_SERVICE)
    assert shown(effects) == [Screen.PAY_OFFER]
    assert session.view.amount == "94,00 RON"
    assert "94,00 RON" in session.view.prompt
    assert session.view.ticket and session.view.ticket in session.view.prompt
    with pay_core.outbox.transaction():
        assert pay_core.outbox.by_ticket(session.view.ticket) is not None


def test_an_approved_fee_ends_on_the_ticket_with_the_card_lines(
    pay_core: Core, session: Session
) -> None:
    file_service(pay_core, session, FEE_SERVICE)
    ticket = session.view.ticket
    effects = pay(pay_core, session)
    assert shown(effects) == [Screen.DONE]
    view = session.view
    assert view.ticket == ticket
    assert view.message and "**** 0119" in view.message
    labels = dict(view.payment_lines)
    assert labels[ro("Card")] == "**** 0119"
    assert labels[ro("Authorisation code")] in view.message


def test_a_declined_fee_can_be_tried_again(pay_core: Core, session: Session) -> None:
    file_service(pay_core, session, FEE_SERVICE)
    terminal_of(pay_core).behaviours = [Behaviour.DECLINE]
    effects = pay(pay_core, session)
    assert shown(effects) == [Screen.PAY_OFFER]
    assert session.view.message == ro(DECLINED)
    assert shown(pay(pay_core, session, now=5.0)) == [Screen.DONE]


def test_a_timed_out_fee_says_nothing_was_charged(
    pay_core: Core, session: Session
) -> None:
    file_service(pay_core, session, FEE_SERVICE)
    terminal_of(pay_core).behaviours = [Behaviour.TIME_OUT]
    pay(pay_core, session)
    assert session.screen is Screen.PAY_OFFER
    assert session.view.message == ro(NOT_CHARGED)


def test_offline_the_fee_is_refused_and_the_request_stays_filed(
    pay_core: Core, session: Session, backend: Backend
) -> None:
    backend.reachable = False
    file_service(pay_core, session, FEE_SERVICE)
    ticket = session.view.ticket
    pay(pay_core, session)
    assert session.screen is Screen.DONE
    assert session.view.ticket == ticket
    assert session.view.message == ro(OFFLINE)
    assert terminal_of(pay_core).transactions == []


def test_an_unplugged_terminal_lets_the_citizen_retry(
    pay_core: Core, session: Session
) -> None:
    file_service(pay_core, session, FEE_SERVICE)
    terminal_of(pay_core).behaviours = [Behaviour.UNAVAILABLE]
    pay(pay_core, session)
    assert session.screen is Screen.PAY_OFFER
    assert session.view.message == ro(TERMINAL_DOWN)


def test_an_uncertain_fee_says_do_not_pay_again(
    pay_core: Core, session: Session, settings: Settings
) -> None:
    file_service(pay_core, session, FEE_SERVICE)
    terminal = terminal_of(pay_core)
    terminal.behaviours = [Behaviour.ANSWER_LATER]
    terminal.late_answer_queries = 100
    pay(pay_core, session)
    assert session.screen is Screen.DONE
    assert session.view.message == ro(UNCERTAIN)
    assert pay_core.payments is not None
    in_flight = pay_core.payments.service.journal.list(PaymentState.IN_FLIGHT)
    assert len(in_flight) == 1


def test_another_payment_in_flight_pauses_card_payments(
    pay_core: Core, session: Session
) -> None:
    file_service(pay_core, session, FEE_SERVICE)
    session.handle(PayNow(), 3.0)
    effects = session.handle(
        PaymentAnswered(Refused(RefusalReason.ANOTHER_IN_FLIGHT)), 4.0
    )
    assert shown(effects) == [Screen.DONE]
    assert session.view.message == ro(PAUSED)


def test_paying_later_shows_the_ticket(pay_core: Core, session: Session) -> None:
    file_service(pay_core, session, FEE_SERVICE)
    assert shown(session.handle(PayLater(), 3.0)) == [Screen.DONE]
    assert session.view.message is None
    assert terminal_of(pay_core).transactions == []


def test_a_varying_fee_is_not_offered_and_the_screen_says_so(
    pay_core: Core, session: Session
) -> None:
    assert shown(file_service(pay_core, session, VARYING_SERVICE)) == [Screen.DONE]
    assert ro(FEE_VARIES) in session.view.prompt


def test_a_free_service_goes_straight_to_the_ticket(
    pay_core: Core, session: Session
) -> None:
    assert shown(file_service(pay_core, session, FREE_SERVICE)) == [Screen.DONE]
    assert ro(FEE_VARIES) not in session.view.prompt


def test_without_a_terminal_no_fee_is_offered(
    pay_core: Core, catalog: Catalog, router: Router, settings: Settings
) -> None:
    session = Session(catalog, router, settings.kiosk)
    session.start(0.0)
    assert shown(file_service(pay_core, session, FEE_SERVICE)) == [Screen.DONE]
    session.handle(StartOver(), 3.0)
    session.handle(Wake(), 3.0)
    session.handle(ChooseLanguage("ro"), 3.0)
    assert not session.view.payments
    assert session.handle(OpenPayByReference(), 3.0) == []


def test_paying_holds_the_screen_until_the_terminal_answers(
    pay_core: Core, session: Session, settings: Settings
) -> None:
    file_service(pay_core, session, FEE_SERVICE)
    session.handle(PayNow(), 3.0)
    assert session.screen is Screen.PAYING
    assert session.handle(StartOver(), 4.0) == []
    assert session.handle(Back(), 4.0) == []
    assert session.handle(ChooseLanguage("hu"), 4.0) == []
    # Time passing only counts the terminal's wait down; it never resets.
    late = session.handle(Tick(), 4.0 + settings.kiosk.idle_warning_s * 10)
    assert set(shown(late)) == {Screen.PAYING}
    assert session.handle(CancelPayment(), 5.0)[-1] == StopCardPayment()
    assert session.screen is Screen.PAYING


def test_a_payment_answer_after_a_reset_is_ignored(
    pay_core: Core, session: Session
) -> None:
    file_service(pay_core, session, FEE_SERVICE)
    session.handle(PayLater(), 3.0)
    session.handle(StartOver(), 4.0)
    outcome = Refused(RefusalReason.OFFLINE)
    assert session.handle(PaymentAnswered(outcome), 5.0) == []
    assert session.screen is Screen.ATTRACT


def test_a_typed_reference_without_amount_asks_for_it(
    pay_core: Core, session: Session
) -> None:
    to_reference(session)
    effects = session.handle(SubmitReference("ab"), 1.0)
    assert shown(effects) == [Screen.PAY_REFERENCE]
    assert session.view.message and session.view.entry == "ab"
    assert shown(session.handle(SubmitReference("amd-2026-77"), 2.0)) == [
        Screen.PAY_AMOUNT
    ]
    assert "AMD-2026-77" in session.view.prompt
    assert shown(session.handle(SubmitAmount("12,3,4"), 3.0)) == [Screen.PAY_AMOUNT]
    assert session.view.message and session.view.entry == "12,3,4"
    assert shown(session.handle(SubmitAmount("150,5"), 4.0)) == [Screen.PAY_CONFIRM]
    assert session.view.amount == "150,50 RON"
    assert session.view.reference == "AMD-2026-77"


def test_a_notice_paid_by_reference_ends_on_its_paid_screen(
    pay_core: Core, session: Session
) -> None:
    to_reference(session)
    session.handle(SubmitReference("AMD-2026-77"), 1.0)
    session.handle(SubmitAmount("150,50"), 2.0)
    effects = session.handle(PayNow(), 3.0)
    order = next(e.order for e in effects if isinstance(e, PayCard))
    assert order.quote.purpose == "notice:AMD-2026-77"
    assert order.quote.amount_bani == 15050
    assert order.ticket is None
    assert pay_core.payments is not None
    session.handle(PaymentAnswered(pay_core.payments.pay(order)), 4.0)
    assert session.screen is Screen.PAID
    assert dict(session.view.payment_lines)[ro("Card")] == "**** 0119"
    assert "AMD-2026-77" in session.view.prompt
    journal = PaymentJournal(pay_core.outbox)
    assert journal.paid("notice:AMD-2026-77") is not None


def test_a_scanned_notice_goes_straight_to_confirmation(session: Session) -> None:
    to_reference(session)
    effects = session.handle(NoticeScanned("antonia:pay:AMD-9:2500"), 1.0)
    assert shown(effects) == [Screen.PAY_CONFIRM]
    assert session.view.amount == "25,00 RON"
    assert session.view.reference == "AMD-9"
    assert shown(session.handle(Back(), 2.0)) == [Screen.PAY_REFERENCE]


def test_a_scanned_receipt_is_not_taken_for_a_notice(session: Session) -> None:
    to_reference(session)
    effects = session.handle(NoticeScanned("antonia:ticket:demo:A-00001"), 1.0)
    assert shown(effects) == [Screen.PAY_REFERENCE]
    assert session.view.message


def test_a_scan_outside_the_reference_screen_is_ignored(session: Session) -> None:
    session.handle(Wake(), 0.0)
    session.handle(ChooseLanguage("ro"), 0.0)
    assert session.handle(NoticeScanned("antonia:pay:AMD-9:2500"), 1.0) == []
    assert session.screen is Screen.DESCRIBE


def test_a_declined_notice_returns_to_its_confirmation(
    pay_core: Core, session: Session
) -> None:
    to_reference(session)
    session.handle(NoticeScanned("antonia:pay:AMD-9:2500"), 1.0)
    terminal_of(pay_core).behaviours = [Behaviour.DECLINE]
    pay(pay_core, session)
    assert session.screen is Screen.PAY_CONFIRM
    assert session.view.message == ro(DECLINED)


def test_an_uncertain_notice_says_it_is_being_checked(
    pay_core: Core, session: Session
) -> None:
    to_reference(session)
    session.handle(NoticeScanned("antonia:pay:AMD-9:2500"), 1.0)
    terminal = terminal_of(pay_core)
    terminal.behaviours = [Behaviour.ANSWER_LATER]
    terminal.late_answer_queries = 100
    pay(pay_core, session)
    assert session.screen is Screen.PAID
    assert session.view.message == ro(UNCERTAIN)
    assert session.view.payment_lines == ()


def test_the_paid_screen_resets_and_drops_the_payment(
    pay_core: Core, session: Session, settings: Settings
) -> None:
    to_reference(session)
    session.handle(NoticeScanned("antonia:pay:AMD-9:2500"), 1.0)
    pay(pay_core, session, now=2.0)
    assert session.screen is Screen.PAID
    effects = session.handle(Tick(), 3.0 + settings.kiosk.done_screen_s)
    assert shown(effects) == [Screen.ATTRACT]
    assert session._draft.payment is None  # noqa: SLF001
    assert session._draft.notice is None  # noqa: SLF001
