"""The card terminal's time limit is announced, shown, and can be extended."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from kiosk.accessibility import MIN_EXTENSIONS
from kiosk.app import Core
from kiosk.card_wait import ASK_MORE_TIME, ASKING_AGAIN, CARD_WAIT, MORE_TIME_GIVEN
from kiosk.catalog import Catalog
from kiosk.config import PaymentSettings, Settings
from kiosk.hardware.payment_terminal import Outcome, TerminalStatus
from kiosk.hardware.simulated_terminal import Behaviour
from kiosk.i18n import translations
from kiosk.payment_flow import (
    DECLINED,
    NOT_CHARGED,
    CancelPayment,
    PayCard,
    PaymentAnswered,
    PaymentOrder,
    PaymentOutcome,
    PayNow,
    Settled,
    StopCardPayment,
)
from kiosk.payments.journal import PaymentState
from kiosk.routing import Router
from kiosk.session import (
    ChooseCategory,
    ChooseLanguage,
    ChooseService,
    ConfirmSummary,
    Effect,
    Filed,
    FileRequest,
    MoreTime,
    OpenCategories,
    Say,
    Screen,
    Session,
    Show,
    SkipContact,
    Tick,
    Wake,
)
from tests.helpers.payments import Backend, paying_core, terminal_of

FEE_SERVICE = "parking.resident_permit_application"
LIMIT = PaymentSettings()
WARN_AT = LIMIT.sale_timeout_s - LIMIT.card_warning_s
"""Seconds after the sale starts when the countdown comes up."""


@pytest.fixture
def pay_core(settings: Settings, catalog: Catalog, router: Router) -> Iterator[Core]:
    core = paying_core(settings, catalog, router, Backend())
    yield core
    core.close()


def said(effects: list[Effect]) -> list[Say]:
    return [e for e in effects if isinstance(e, Say)]


def orders(effects: list[Effect]) -> list[PaymentOrder]:
    return [e.order for e in effects if isinstance(e, PayCard)]


def to_paying(core: Core, lang: str = "en") -> tuple[Session, PaymentOrder]:
    """A filed request's fee handed to the terminal at time 10."""
    session = core.new_session()
    session.start(0.0)
    session.handle(Wake(), 0.0)
    session.handle(ChooseLanguage(lang), 0.0)
    session.handle(OpenCategories(), 0.0)
    session.handle(ChooseCategory("parking"), 0.0)
    session.handle(ChooseService(FEE_SERVICE), 0.0)
    session.handle(SkipContact(), 0.0)
    effects = session.handle(ConfirmSummary(), 1.0)
    request = next(e.request for e in effects if isinstance(e, FileRequest))
    session.handle(Filed(core.filing.file(request)), 2.0)
    [order] = orders(session.handle(PayNow(), 10.0))
    assert session.screen is Screen.PAYING
    return session, order


def run(core: Core, order: PaymentOrder) -> PaymentOutcome:
    """The order on the real desk and simulated terminal, as the worker runs it."""
    assert core.payments is not None
    return core.payments.pay(order)


def test_the_default_countdown_leaves_at_least_twenty_seconds() -> None:
    assert LIMIT.card_warning_s >= 20
    assert LIMIT.card_warning_s < LIMIT.sale_timeout_s


@pytest.mark.parametrize("lang", ["ro", "hu", "en"])
def test_the_card_wait_is_said_and_shown_before_the_terminal_gives_up(
    pay_core: Core, lang: str
) -> None:
    _ = translations(lang).gettext
    session, _order = to_paying(pay_core, lang)
    assert session.handle(Tick(), 10.0 + WARN_AT - 1) == []
    effects = session.handle(Tick(), 10.0 + WARN_AT)
    seconds = int(LIMIT.card_warning_s)
    assert session.view.card_countdown_s == seconds
    assert [e.view.card_countdown_s for e in effects if isinstance(e, Show)] == [
        seconds
    ]
    warning = f"{_(CARD_WAIT).format(seconds=seconds)} {_(ASK_MORE_TIME)}"
    assert said(effects) == [Say(warning, lang)]
    # Then it counts down on screen without talking over itself.
    effects = session.handle(Tick(), 10.0 + WARN_AT + 1)
    assert session.view.card_countdown_s == seconds - 1
    assert said(effects) == []
    assert session.screen is Screen.PAYING


def test_more_time_starts_a_new_sale_for_the_same_order_again_and_again(
    pay_core: Core,
) -> None:
    _ = translations("en").gettext
    session, order = to_paying(pay_core)
    rounds = MIN_EXTENSIONS + 2
    terminal = terminal_of(pay_core)
    terminal.behaviours = [Behaviour.TIME_OUT] * rounds
    assert pay_core.payments is not None
    journal = pay_core.payments.service.journal
    now = 10.0
    for _round in range(rounds):
        session.handle(Tick(), now + WARN_AT)
        assert session.view.card_countdown_s is not None
        effects = session.handle(MoreTime(), now + WARN_AT + 5)
        assert said(effects) == [Say(_(MORE_TIME_GIVEN), "en")]
        assert session.view.card_countdown_s is None
        # The terminal still ends its sale at its own limit: no card came.
        outcome = run(pay_core, order)
        assert isinstance(outcome, Settled) and outcome.no_card
        assert journal.list(PaymentState.IN_FLIGHT) == []
        now += LIMIT.sale_timeout_s
        effects = session.handle(PaymentAnswered(outcome), now)
        assert orders(effects) == [order]
        assert session.screen is Screen.PAYING
        assert said(effects)[0].text.startswith(_(ASKING_AGAIN))
    # The new sale's countdown starts from the new sale.
    assert session.handle(Tick(), now + WARN_AT - 1) == []
    session.handle(PaymentAnswered(run(pay_core, order)), now + 20)
    assert session.screen is Screen.DONE
    outcomes = [t.outcome for t in terminal.transactions]
    assert outcomes == [Outcome.TIMED_OUT] * rounds + [Outcome.APPROVED]
    states = [p.state for p in journal.list()]
    assert states.count(PaymentState.APPROVED) == 1
    assert states.count(PaymentState.NOT_CHARGED) == rounds


def test_without_more_time_a_time_out_goes_back_to_the_offer(
    pay_core: Core,
) -> None:
    _ = translations("en").gettext
    session, order = to_paying(pay_core)
    session.handle(Tick(), 10.0 + WARN_AT)
    terminal_of(pay_core).behaviours = [Behaviour.TIME_OUT]
    effects = session.handle(PaymentAnswered(run(pay_core, order)), 100.0)
    assert orders(effects) == []
    assert session.screen is Screen.PAY_OFFER
    assert session.view.message == _(NOT_CHARGED)
    assert session.view.card_countdown_s is None
    # The offer's own idle time starts with the answer, not with the sale.
    assert session.handle(Tick(), 101.0) == []


def test_a_touch_before_the_warning_asks_for_nothing(pay_core: Core) -> None:
    session, order = to_paying(pay_core)
    assert session.handle(MoreTime(), 20.0) == []
    terminal_of(pay_core).behaviours = [Behaviour.TIME_OUT]
    effects = session.handle(PaymentAnswered(run(pay_core, order)), 100.0)
    assert orders(effects) == []
    assert session.screen is Screen.PAY_OFFER


def test_cancel_during_the_warning_wins_over_more_time(pay_core: Core) -> None:
    session, order = to_paying(pay_core)
    session.handle(Tick(), 10.0 + WARN_AT)
    session.handle(MoreTime(), 10.0 + WARN_AT + 1)
    session.handle(Tick(), 10.0 + WARN_AT + 2)
    effects = session.handle(CancelPayment(), 10.0 + WARN_AT + 3)
    assert effects[-1] == StopCardPayment()
    # The terminal ran out just before the cancel reached it: still no
    # new sale, the citizen asked to stop.
    terminal_of(pay_core).behaviours = [Behaviour.TIME_OUT]
    effects = session.handle(PaymentAnswered(run(pay_core, order)), 100.0)
    assert orders(effects) == []
    assert session.screen is Screen.PAY_OFFER


def test_cancel_while_the_countdown_shows_hides_it_and_stops_the_sale(
    pay_core: Core,
) -> None:
    session, order = to_paying(pay_core)
    session.handle(Tick(), 10.0 + WARN_AT)
    assert session.view.card_countdown_s is not None
    effects = session.handle(CancelPayment(), 10.0 + WARN_AT + 1)
    assert effects[-1] == StopCardPayment()
    assert session.view.card_countdown_s is None
    assert session.handle(MoreTime(), 10.0 + WARN_AT + 2) == []
    assert session.handle(Tick(), 10.0 + WARN_AT + 3) == []


def test_a_cancelled_sale_is_not_started_again(pay_core: Core) -> None:
    session, order = to_paying(pay_core)
    session.handle(Tick(), 10.0 + WARN_AT)
    session.handle(MoreTime(), 10.0 + WARN_AT + 1)
    terminal = terminal_of(pay_core)
    terminal.behaviours = [Behaviour.WAIT_FOR_CANCEL]
    answers: list[PaymentOutcome] = []
    worker = threading.Thread(target=lambda: answers.append(run(pay_core, order)))
    worker.start()
    try:
        # Stopped at the terminal (a dropped link does the same), not by
        # the citizen: the sale still ended without a time-out.
        for _attempt in range(500):
            if terminal.status() is TerminalStatus.BUSY:
                break
            threading.Event().wait(0.01)
        terminal.cancel()
    finally:
        worker.join(timeout=10)
    [outcome] = answers
    assert isinstance(outcome, Settled) and not outcome.no_card
    effects = session.handle(PaymentAnswered(outcome), 60.0)
    assert orders(effects) == []
    assert session.screen is Screen.PAY_OFFER


def test_a_declined_card_is_not_retried_even_with_more_time_asked(
    pay_core: Core,
) -> None:
    _ = translations("en").gettext
    session, order = to_paying(pay_core)
    session.handle(Tick(), 10.0 + WARN_AT)
    session.handle(MoreTime(), 10.0 + WARN_AT + 1)
    terminal_of(pay_core).behaviours = [Behaviour.DECLINE]
    effects = session.handle(PaymentAnswered(run(pay_core, order)), 80.0)
    assert orders(effects) == []
    assert session.view.message == _(DECLINED)


def test_an_answer_recovered_from_the_terminal_starts_no_new_sale(
    pay_core: Core,
) -> None:
    session, order = to_paying(pay_core)
    session.handle(Tick(), 10.0 + WARN_AT)
    session.handle(MoreTime(), 10.0 + WARN_AT + 1)
    terminal = terminal_of(pay_core)
    # The answer is lost and the card was approved: settled from the
    # terminal's records, and the session ends on the ticket.
    terminal.behaviours = [Behaviour.LOSE_ANSWER]
    effects = session.handle(PaymentAnswered(run(pay_core, order)), 80.0)
    assert orders(effects) == []
    assert session.screen is Screen.DONE


@pytest.mark.parametrize("lang", ["ro", "hu", "en"])
def test_the_fee_and_its_result_are_spoken_in_words(pay_core: Core, lang: str) -> None:
    _ = translations(lang).gettext
    session, order = to_paying(pay_core, lang)
    words = {"ro": "94 de lei", "hu": "94 lej", "en": "94 lei"}[lang]
    spoken = session.spoken(session.view)
    assert words in spoken and "RON" not in spoken
    effects = session.handle(PaymentAnswered(run(pay_core, order)), 20.0)
    assert session.screen is Screen.DONE
    [done] = said(effects)
    service = pay_core.catalog.service(FEE_SERVICE).name(lang)
    paid = _("You paid {amount} for {service}.").format(amount=words, service=service)
    assert done.text.startswith(paid)
    # The card's digits and the code are on the screen and the paper only.
    assert "0119" not in done.text and "*" not in done.text
    assert "0119" in (session.view.message or "")
