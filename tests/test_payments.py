from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from kiosk.catalog import Catalog
from kiosk.hardware.payment_terminal import Outcome, Sale, TerminalResult
from kiosk.hardware.simulated_terminal import Behaviour, SimulatedTerminal
from kiosk.payments.amounts import format_amount, parse_amount, parse_notice
from kiosk.payments.journal import PaymentJournal, PaymentState
from kiosk.payments.receipt import payment_receipt_lines
from kiosk.payments.service import (
    PaymentRefusedError,
    PaymentService,
    PaymentUncertainError,
    Quote,
    RefusalReason,
)
from kiosk.store import NewRequest, Outbox

if TYPE_CHECKING:
    from tests.payment_fixtures import Backend

pytest_plugins = ("tests.payment_fixtures",)

QUOTE = Quote("fee:A-00001", 9400)


def approved(terminal: SimulatedTerminal) -> list[TerminalResult]:
    return [t for t in terminal.transactions if t.outcome.charged and not t.reversed]


def test_an_approved_sale_is_recorded_with_the_terminal_answer(
    payment_service: PaymentService, simulated_terminal: SimulatedTerminal
) -> None:
    payment = payment_service.pay(QUOTE)

    assert payment.state is PaymentState.APPROVED
    assert payment.charged
    (sale,) = simulated_terminal.transactions
    assert sale.reference == payment.reference
    assert payment.transaction_id == sale.transaction_id
    assert payment.masked_pan == "**** 0119"
    assert payment.auth_code == sale.auth_code != ""
    assert payment.terminal_id == "SIM00001"


@pytest.mark.parametrize(
    ("behaviour", "state"),
    [
        (Behaviour.DECLINE, PaymentState.DECLINED),
        (Behaviour.TIME_OUT, PaymentState.NOT_CHARGED),
    ],
)
def test_a_sale_that_charges_nothing_is_recorded_as_such(
    payment_service: PaymentService,
    simulated_terminal: SimulatedTerminal,
    behaviour: Behaviour,
    state: PaymentState,
) -> None:
    simulated_terminal.behaviours = [behaviour]

    payment = payment_service.pay(QUOTE)

    assert payment.state is state
    assert not payment.charged
    assert payment.auth_code is None


def test_a_lost_answer_is_found_with_the_last_transaction_query(
    payment_service: PaymentService, simulated_terminal: SimulatedTerminal
) -> None:
    simulated_terminal.behaviours = [Behaviour.LOSE_ANSWER]

    payment = payment_service.pay(QUOTE)

    assert payment.state is PaymentState.APPROVED
    assert payment.note == "recovered from the terminal"
    assert len(approved(simulated_terminal)) == 1


def test_an_answer_given_only_to_a_later_query_is_waited_for(
    payment_service: PaymentService,
    simulated_terminal: SimulatedTerminal,
    waits: list[float],
) -> None:
    simulated_terminal.behaviours = [Behaviour.ANSWER_LATER]

    payment = payment_service.pay(QUOTE)

    assert payment.state is PaymentState.APPROVED
    assert waits == [1.0, 1.0]


def test_an_answer_that_never_comes_blocks_payments_until_recovered(
    payment_service: PaymentService,
    simulated_terminal: SimulatedTerminal,
    journal: PaymentJournal,
) -> None:
    simulated_terminal.behaviours = [Behaviour.ANSWER_LATER]
    simulated_terminal.late_answer_queries = 100

    with pytest.raises(PaymentUncertainError) as caught:
        payment_service.pay(QUOTE)
    assert caught.value.payment.state is PaymentState.IN_FLIGHT
    with pytest.raises(PaymentRefusedError) as refused:
        payment_service.pay(Quote("fee:A-00002", 500))
    assert refused.value.reason is RefusalReason.ANOTHER_IN_FLIGHT

    simulated_terminal.late_answer_queries = 0
    simulated_terminal._queries_left = 0
    (recovered,) = payment_service.recover()

    assert recovered.state is PaymentState.APPROVED
    assert journal.list(PaymentState.IN_FLIGHT) == []
    assert payment_service.pay(Quote("fee:A-00002", 500)).charged


def test_the_citizen_can_cancel_a_sale_waiting_for_the_card(
    journal: PaymentJournal, terminal_state: Path, backend: Backend
) -> None:
    started = threading.Event()
    terminal = SimulatedTerminal(
        terminal_state,
        behaviours=[Behaviour.WAIT_FOR_CANCEL],
        step_hook=lambda step: started.set() if step == "busy" else None,
    )
    service = PaymentService(journal, terminal, backend)
    outcome: list[PaymentState] = []
    worker = threading.Thread(target=lambda: outcome.append(service.pay(QUOTE).state))
    worker.start()
    try:
        assert started.wait(10)
        service.cancel()
    finally:
        worker.join(10)

    assert outcome == [PaymentState.NOT_CHARGED]
    assert terminal.transactions[-1].outcome is Outcome.CANCELLED


def test_offline_card_payments_are_refused_but_the_request_stays_filed(
    payment_service: PaymentService,
    simulated_terminal: SimulatedTerminal,
    backend: Backend,
    outbox: Outbox,
    journal: PaymentJournal,
    catalog: Catalog,
) -> None:
    backend.reachable = False
    request = outbox.enqueue(
        NewRequest("parking.resident_permit_application", "parcari", "ro", "permis")
    )
    quote = payment_service.quote_fee(
        request, catalog.service("parking.resident_permit_application")
    )

    with pytest.raises(PaymentRefusedError) as refused:
        payment_service.pay(quote)

    assert refused.value.reason is RefusalReason.OFFLINE
    assert outbox.get(request.uuid) == request
    assert journal.list() == []
    assert simulated_terminal.transactions == []


def test_an_unplugged_terminal_refuses_and_records_nothing_charged(
    payment_service: PaymentService, simulated_terminal: SimulatedTerminal
) -> None:
    simulated_terminal.behaviours = [Behaviour.UNAVAILABLE]

    with pytest.raises(PaymentRefusedError) as refused:
        payment_service.pay(QUOTE)

    assert refused.value.reason is RefusalReason.TERMINAL_UNAVAILABLE
    assert payment_service.journal.list()[0].state is PaymentState.NOT_CHARGED
    assert payment_service.pay(QUOTE).charged


def test_a_purpose_already_paid_is_never_charged_again(
    payment_service: PaymentService, simulated_terminal: SimulatedTerminal
) -> None:
    first = payment_service.pay(QUOTE)
    second = payment_service.pay(QUOTE)

    assert second == first
    assert len(simulated_terminal.transactions) == 1


class WrongAmountTerminal(SimulatedTerminal):
    """A terminal that charges one ban more than asked."""

    def start_sale(self, sale: Sale) -> TerminalResult:
        return super().start_sale(replace(sale, amount_bani=sale.amount_bani + 1))


def test_a_charge_that_does_not_match_the_intent_is_reversed(
    journal: PaymentJournal, terminal_state: Path, backend: Backend
) -> None:
    terminal = WrongAmountTerminal(terminal_state)
    service = PaymentService(journal, terminal, backend)

    payment = service.pay(QUOTE)

    assert payment.state is PaymentState.REVERSED
    assert "expected 9400" in (payment.note or "")
    assert approved(terminal) == []


def test_an_approval_unknown_to_the_journal_is_flagged_for_a_technician(
    payment_service: PaymentService,
    simulated_terminal: SimulatedTerminal,
    caplog: pytest.LogCaptureFixture,
) -> None:
    simulated_terminal.start_sale(Sale("FROMELSEWHERE", 1200))

    assert payment_service.recover() == []

    (flagged,) = payment_service.journal.list(PaymentState.NEEDS_TECHNICIAN)
    assert flagged.reference == "FROMELSEWHERE"
    assert "Payment needs a technician" in caplog.text


def test_a_fee_quote_comes_from_the_catalogue(outbox: Outbox, catalog: Catalog) -> None:
    service = catalog.service("urbanism.address_certificate")
    request = outbox.enqueue(NewRequest(service.code, service.department, "ro", "x"))

    quote = PaymentService.quote_fee(request, service)

    assert quote == Quote(f"fee:{request.ticket}", 500, request.uuid)
    with pytest.raises(PaymentRefusedError):
        PaymentService.quote_fee(
            request, catalog.service("general.registry_submission")
        )


def test_pay_by_reference_charges_the_confirmed_amount(
    payment_service: PaymentService,
) -> None:
    notice = parse_notice("antonia:pay:ditl-2026-0042:15075")
    assert notice.amount_bani == 15075

    payment = payment_service.pay(PaymentService.quote_notice(notice, 15075))

    assert payment.purpose == "notice:DITL-2026-0042"
    assert payment.amount_bani == 15075


def test_receipt_lines_show_the_masked_card_and_the_ids(
    payment_service: PaymentService,
) -> None:
    payment = payment_service.pay(QUOTE)

    lines = dict(payment_receipt_lines(payment, "ro"))

    assert lines["Sumă plătită"] == "94,00 RON"
    assert lines["Card"] == "**** 0119"
    assert lines["Cod de autorizare"] == payment.auth_code
    assert lines["Terminal"] == "SIM00001"
    assert lines["Tranzacție"] == payment.transaction_id


def test_receipt_lines_of_an_unpaid_fee_say_so(
    payment_service: PaymentService, simulated_terminal: SimulatedTerminal
) -> None:
    simulated_terminal.behaviours = [Behaviour.DECLINE]

    payment = payment_service.pay(QUOTE)

    assert payment_receipt_lines(payment, "en") == (("Card payment", "not paid"),)


def test_a_full_card_number_is_refused_before_it_can_be_stored() -> None:
    with pytest.raises(ValueError, match="unmasked"):
        TerminalResult(
            "R1", Outcome.APPROVED, 100, "RON", "T", "X", "4111111111111111", "1"
        )


@pytest.mark.parametrize(
    ("text", "bani"),
    [("12", 1200), ("12,5", 1250), ("12.05", 1205), ("0,01", 1), ("7 RON", 700)],
)
def test_typed_amounts_become_bani(text: str, bani: int) -> None:
    assert parse_amount(text) == bani


@pytest.mark.parametrize("text", ["", "0", "-5", "12,345", "abc", "99999999"])
def test_bad_amounts_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(text)


def test_amounts_are_formatted_the_romanian_way() -> None:
    assert format_amount(123450) == "1.234,50 RON"
    assert format_amount(5) == "0,05 RON"


def test_the_journal_survives_reopening_the_outbox(data_dir: Path) -> None:
    with Outbox.in_data_dir(data_dir) as box:
        PaymentJournal(box).begin("fee:A-00009", 100)
    with Outbox.in_data_dir(data_dir) as box:
        (payment,) = PaymentJournal(box).list(PaymentState.IN_FLIGHT)
        assert payment.purpose == "fee:A-00009"
