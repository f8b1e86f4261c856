"""The session's card payment screens: what each payment event leads to.

Two ways in: the fee of a just-filed request (offered on the pay-offer
screen) and a notice paid by its reference (typed or scanned, with the
amount typed when the notice holds none). Both confirm, hand a
:class:`~kiosk.payment_flow.PaymentOrder` to the payment worker and wait on
the paying screen, where the card wait's countdown and "more time" run
(kiosk.card_wait). The worker's answer leads to the done or paid screen,
or back to the confirmation to try again. The steps work on the session
through :class:`Flow`; they hold only the card wait of the running order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from kiosk.card_wait import (
    ASK_MORE_TIME,
    ASKING_AGAIN,
    CARD_WAIT,
    MORE_TIME_GIVEN,
    CardWait,
    SaleLimit,
)
from kiosk.draft import Draft
from kiosk.events import Effect, MoreTime, Say
from kiosk.i18n import N_
from kiosk.idle import IdleClock
from kiosk.payment_flow import (
    DECLINED,
    NOT_CHARGED,
    NOT_WRITTEN,
    RECEIPT_NOT_PRINTED,
    RETRY_REASONS,
    TAKEN_BACK,
    UNCERTAIN,
    CancelPayment,
    NoticeScanned,
    NotStarted,
    OpenPayByReference,
    PayCard,
    PayLater,
    PaymentAnswered,
    PaymentOrder,
    PayNow,
    Refused,
    Settled,
    StopCardPayment,
    SubmitAmount,
    SubmitReference,
    paid_message,
    refusal_message,
)
from kiosk.payments.amounts import parse_amount, parse_notice
from kiosk.payments.journal import Payment, PaymentState
from kiosk.payments.service import PaymentService
from kiosk.request_text import without_control_characters
from kiosk.view_model import Screen, View
from kiosk.views import PRINTER_DOWN

logger = logging.getLogger(__name__)

FIXED_PAY = (Screen.PAY_OFFER, Screen.PAYING, Screen.PAID)
"""Payment screens with no way back and no language switch."""


class Flow(Protocol):
    """What the payment steps need of the session they run in."""

    @property
    def view(self) -> View:
        """What the screen shows now."""
        ...

    @property
    def draft(self) -> Draft:
        """What the current citizen has entered."""
        ...

    @property
    def gettext(self) -> Callable[[str], str]:
        """Translation into the citizen's language."""
        ...

    def go(
        self,
        screen: Screen,
        message: str | None = None,
        ticket: str | None = None,
        printed: bool = False,
        push: bool = True,
    ) -> list[Effect]:
        """Show and say ``screen``; ``push`` lets Back return here."""
        ...

    def show(self, view: View) -> list[Effect]:
        """Show this view as it is, saying nothing."""
        ...


class PaymentSteps:
    """The card payment transitions of one session."""

    def __init__(
        self, flow: Flow, clock: IdleClock, sale_limit: SaleLimit, *, payments: bool
    ) -> None:
        self.flow = flow
        self.clock = clock
        self.sale_limit = sale_limit
        """The terminal's wait for a card, and when to warn before it ends."""
        self.payments = payments
        """Whether this kiosk takes card payments (it has a terminal)."""
        self.card_wait: CardWait | None = None
        """The order on the terminal and its clock, while paying."""

    @property
    def _screen(self) -> Screen:
        return self.flow.view.screen

    def on_pay_now(self, event: PayNow, now: float) -> list[Effect]:
        """Hand the confirmed amount to the terminal."""
        draft = self.flow.draft
        if (
            self._screen not in (Screen.PAY_OFFER, Screen.PAY_CONFIRM)
            or not draft.quote
        ):
            return []
        if draft.notice is not None:
            subject = draft.notice.reference
        else:
            subject = draft.service.name(draft.language) if draft.service else ""
        order = PaymentOrder(draft.quote, draft.language, subject, draft.ticket)
        self.card_wait = CardWait(order, self.sale_limit, now)
        return [*self.flow.go(Screen.PAYING, push=False), PayCard(order)]

    def on_pay_later(self, event: PayLater, now: float) -> list[Effect]:
        """Leave the fee for later: the filed request's done screen."""
        if self._screen is not Screen.PAY_OFFER:
            return []
        return self._fee_done(now)

    def on_open_pay_by_reference(
        self, event: OpenPayByReference, now: float
    ) -> list[Effect]:
        """Start paying a notice: ask for its reference."""
        if not self.payments or self._screen not in (
            Screen.DESCRIBE,
            Screen.CATEGORIES,
        ):
            return []
        draft = self.flow.draft
        draft.notice, draft.quote, draft.ticket = None, None, None
        draft.reference_entry = draft.amount_entry = ""
        return self.flow.go(Screen.PAY_REFERENCE)

    def on_submit_reference(self, event: SubmitReference, now: float) -> list[Effect]:
        """The typed reference: ask for the amount or confirm."""
        if self._screen is not Screen.PAY_REFERENCE:
            return []
        self.flow.draft.reference_entry = event.text
        return self._take_notice(
            event.text,
            N_("Please check the reference: it has 4 to 32 letters, digits or dashes."),
        )

    def on_notice_scanned(self, event: NoticeScanned, now: float) -> list[Effect]:
        """The scanned notice: ask for the amount or confirm."""
        if self._screen is not Screen.PAY_REFERENCE:
            return []
        return self._take_notice(
            event.text,
            N_("This code is not a payment notice. Please type the reference."),
        )

    def on_submit_amount(self, event: SubmitAmount, now: float) -> list[Effect]:
        """The typed amount of a notice that holds none: confirm it."""
        draft = self.flow.draft
        notice = draft.notice
        if self._screen is not Screen.PAY_AMOUNT or notice is None:
            return []
        draft.amount_entry = event.text
        try:
            bani = parse_amount(without_control_characters(event.text[:40]))
        except ValueError:
            message = self.flow.gettext(
                N_("Please type the amount in lei, for example 150 or 150,50.")
            )
            return self.flow.go(Screen.PAY_AMOUNT, message=message, push=False)
        draft.quote = PaymentService.quote_notice(notice, bani)
        return self.flow.go(Screen.PAY_CONFIRM)

    def on_cancel_payment(self, event: CancelPayment, now: float) -> list[Effect]:
        """Ask the terminal to stop; its answer moves the screen on."""
        if self._screen is not Screen.PAYING:
            return []
        if self.card_wait is not None:
            self.card_wait.cancel()
        view = self.flow.view
        if view.card_countdown_s is None:
            return [StopCardPayment()]
        return [
            *self.flow.show(replace(view, card_countdown_s=None)),
            StopCardPayment(),
        ]

    def on_more_time(self, event: MoreTime, now: float) -> list[Effect]:
        """More time for the card, once its countdown is up."""
        wait = self.card_wait
        if self._screen is not Screen.PAYING or wait is None:
            return []
        if not wait.ask_more_time(now):
            return []
        message = self.flow.gettext(MORE_TIME_GIVEN)
        view = replace(self.flow.view, card_countdown_s=None, message=message)
        return [*self.flow.show(view), Say(message, view.language)]

    def tick(self, now: float) -> list[Effect]:
        """The card wait's countdown, shown and said when it starts."""
        wait = self.card_wait
        view = self.flow.view
        countdown = wait.countdown(now) if wait is not None else None
        if countdown is None or countdown == view.card_countdown_s:
            return []
        first = view.card_countdown_s is None
        effects = self.flow.show(replace(view, card_countdown_s=countdown))
        if first:
            _ = self.flow.gettext
            spoken = f"{_(CARD_WAIT).format(seconds=countdown)} {_(ASK_MORE_TIME)}"
            effects.append(Say(spoken, self.flow.draft.language))
        return effects

    def on_payment_answered(self, event: PaymentAnswered, now: float) -> list[Effect]:
        """The worker's answer: paid, try again, or checked later."""
        if self._screen is not Screen.PAYING:
            logger.warning("Payment answer arrived on screen %s", self._screen.value)
            return []
        outcome = event.outcome
        wait, self.card_wait = self.card_wait, None
        if (
            isinstance(outcome, Settled)
            and outcome.no_card
            and wait is not None
            and wait.restart_after_time_out(now)
        ):
            # The citizen asked for more time: the sale that ran out charged
            # nothing, so the same order goes to the terminal again.
            self.card_wait = wait
            logger.info("More time for the card: sale %d of the order", wait.sales)
            message = self.flow.gettext(ASKING_AGAIN)
            return [
                *self.flow.go(Screen.PAYING, message, push=False),
                PayCard(wait.order),
            ]
        # The answer ends a long wait: the next screen's idle time starts now,
        # so its first sentence is not cut short by the idle warning.
        self.clock.last_activity = now
        if isinstance(outcome, Settled):
            payment = outcome.payment
            if payment.charged:
                return self._paid(payment, outcome.printed, now)
            if payment.state is PaymentState.NEEDS_TECHNICIAN:
                return self._unsettled(now)
            retry = {
                PaymentState.DECLINED: DECLINED,
                PaymentState.REVERSED: TAKEN_BACK,
            }.get(payment.state, NOT_CHARGED)
            return self._pay_again(retry)
        if isinstance(outcome, Refused):
            message = refusal_message(outcome.reason)
            if outcome.reason in RETRY_REASONS or self.flow.draft.notice is not None:
                return self._pay_again(message)
            return self._fee_done(now, self.flow.gettext(message))
        if isinstance(outcome, NotStarted):
            return self._pay_again(NOT_WRITTEN)
        return self._unsettled(now)

    def _take_notice(self, text: str, problem: str) -> list[Effect]:
        draft = self.flow.draft
        try:
            notice = parse_notice(without_control_characters(text[:200]))
        except ValueError:
            return self.flow.go(
                Screen.PAY_REFERENCE, message=self.flow.gettext(problem), push=False
            )
        draft.notice, draft.reference_entry = notice, notice.reference
        if notice.amount_bani is None:
            draft.quote, draft.amount_entry = None, ""
            return self.flow.go(Screen.PAY_AMOUNT)
        draft.quote = PaymentService.quote_notice(notice, notice.amount_bani)
        return self.flow.go(Screen.PAY_CONFIRM)

    def _pay_again(self, message: str) -> list[Effect]:
        screen = Screen.PAY_CONFIRM if self.flow.draft.notice else Screen.PAY_OFFER
        return self.flow.go(screen, message=self.flow.gettext(message), push=False)

    def _paid(self, payment: Payment, printed: bool, now: float) -> list[Effect]:
        draft = self.flow.draft
        draft.payment = payment
        message: str | None = paid_message(payment, draft.language)
        if not printed:
            message = _join(message, self.flow.gettext(RECEIPT_NOT_PRINTED))
        if draft.notice is None:
            return self._fee_done(now, message)
        self.clock.ended(now)
        return self.flow.go(Screen.PAID, message=message, push=False)

    def _unsettled(self, now: float) -> list[Effect]:
        message = self.flow.gettext(UNCERTAIN)
        if self.flow.draft.notice is None:
            return self._fee_done(now, message)
        self.clock.ended(now)
        return self.flow.go(Screen.PAID, message=message, push=False)

    def _fee_done(self, now: float, message: str | None = None) -> list[Effect]:
        draft = self.flow.draft
        if not draft.printed:
            message = _join(self.flow.gettext(PRINTER_DOWN), message)
        draft.quote = None
        draft.history.clear()
        self.clock.ended(now)
        return self.flow.go(
            Screen.DONE,
            message=message,
            ticket=draft.ticket,
            printed=draft.printed,
            push=False,
        )


def _join(first: str | None, second: str | None) -> str | None:
    parts = [part for part in (first, second) if part]
    return " ".join(parts) if parts else None
