"""One citizen's conversation with the kiosk, as a plain state machine.

The session takes events (a touch, recognised text, a tick of the clock, the
result of filing) and returns effects (show this view, say this sentence,
file this request). It performs no I/O and imports no Qt, so every flow is
tested without a screen; the UI renders the views and carries out the
effects. Time comes in with each call as monotonic seconds.

The flow: attract → language → describe (typed, spoken or a category tile)
→ the router's proposal or a short choice → optional contact → summary →
filing (the outbox write happens outside, in a worker) → done → attract.
A filed request with a fixed fee offers a card payment before done; the
describe screen also leads to paying a notice by its reference (see
kiosk.payment_flow for the payment events and effects).
Idle anywhere but attract and filing: a warning with a countdown, then a
reset that drops everything the citizen entered.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from kiosk.accessibility import spell_ticket, spoken_view
from kiosk.card_wait import (
    ASK_MORE_TIME,
    ASKING_AGAIN,
    CARD_WAIT,
    MORE_TIME_GIVEN,
    CardWait,
    SaleLimit,
)
from kiosk.catalog import Catalog, Service
from kiosk.categories import categories
from kiosk.config import LANGUAGES, KioskSettings
from kiosk.contact import ContactError, normalise_email, normalise_phone
from kiosk.filing import FilingResult
from kiosk.i18n import N_, translations
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
    PaymentEffect,
    PaymentEvent,
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
from kiosk.payments.amounts import (
    PaymentNotice,
    format_amount,
    parse_amount,
    parse_notice,
)
from kiosk.payments.journal import Payment, PaymentState
from kiosk.payments.receipt import payment_receipt_lines
from kiosk.payments.service import PaymentService, Quote
from kiosk.request_text import (
    RequestTextError,
    checked_text,
    without_control_characters,
)
from kiosk.routing import DecisionKind, Routing
from kiosk.spoken_amount import spoken_amount
from kiosk.store import NewRequest
from kiosk.textnorm import fold
from kiosk.voice import LANGUAGE_WORDS, YES_NO, Hearing, YesNo, spoken_form

logger = logging.getLogger(__name__)

PRINTER_DOWN = N_(
    "The printer is not working. Your request is filed. Please write "
    "down the ticket number, or take a photo of it."
)
FEE_VARIES = N_(
    "The fee depends on your case. It cannot be paid by card here. "
    "The department will tell you how to pay it."
)


class Screen(enum.Enum):
    """The screens of the citizen's flow."""

    ATTRACT = "attract"
    LANGUAGE = "language"
    DESCRIBE = "describe"
    CATEGORIES = "categories"
    SERVICES = "services"
    PROPOSAL = "proposal"
    CHOICES = "choices"
    EXTERNAL = "external"
    CONTACT = "contact"
    SUMMARY = "summary"
    FILING = "filing"
    DONE = "done"
    PAY_OFFER = "pay_offer"
    """A filed request's fee: pay now by card, or later."""
    PAY_REFERENCE = "pay_reference"
    PAY_AMOUNT = "pay_amount"
    PAY_CONFIRM = "pay_confirm"
    PAYING = "paying"
    """The terminal has the sale; only its answer or a cancel moves on."""
    PAID = "paid"


@dataclass(frozen=True)
class Choice:
    """A button the citizen can press to pick a service or a category."""

    key: str
    """Service code, or category group on the categories screen."""
    label: str
    detail: str = ""
    """Second line, e.g. the department that handles the service."""


@dataclass(frozen=True)
class View:
    """Everything a screen shows, already in the citizen's language."""

    screen: Screen
    language: str
    prompt: str
    """The main sentence of the screen; it is also spoken."""
    message: str | None = None
    """An error or a hint, shown prominently."""
    text: str = ""
    """The description as the citizen typed it (kept across errors)."""
    choices: tuple[Choice, ...] = ()
    phone: str = ""
    email: str = ""
    consent: bool = False
    ticket: str | None = None
    printed: bool = False
    idle_countdown_s: int | None = None
    """Seconds left before reset, while the idle warning is up."""
    amount: str = ""
    """The amount to pay, formatted (``94,00 RON``), on the payment screens."""
    amount_words: str = ""
    """The same amount as a voice reads it (``94 de lei``)."""
    reference: str = ""
    """The notice's payment reference, when paying by reference."""
    entry: str = ""
    """The reference or amount as typed (kept across errors)."""
    payment_lines: tuple[tuple[str, str], ...] = ()
    """Label and value pairs of an approved payment (masked card only)."""
    payments: bool = False
    """The kiosk takes card payments (offer paying by reference)."""
    card_countdown_s: int | None = None
    """Seconds the terminal still waits for the card, once the warning is up."""


# Events -------------------------------------------------------------------


@dataclass(frozen=True)
class Wake:
    """The citizen touched the attract screen or stepped up to the kiosk."""


@dataclass(frozen=True)
class ChooseLanguage:
    """A language button was pressed."""

    language: str


@dataclass(frozen=True)
class SubmitText:
    """The citizen finished describing their request."""

    text: str


@dataclass(frozen=True)
class OpenCategories:
    """The citizen asked for the category tiles instead of typing."""


@dataclass(frozen=True)
class ChooseCategory:
    """A category tile was pressed."""

    group: str


@dataclass(frozen=True)
class ChooseService:
    """A service was picked from a list."""

    code: str


@dataclass(frozen=True)
class ConfirmProposal:
    """The citizen says yes to the router's proposal."""


@dataclass(frozen=True)
class RejectProposal:
    """The citizen says no to the router's proposal."""


@dataclass(frozen=True)
class SubmitContact:
    """Contact details and consent, as entered (both fields may be empty)."""

    phone: str
    email: str
    consent: bool


@dataclass(frozen=True)
class SkipContact:
    """The citizen leaves no contact details."""


@dataclass(frozen=True)
class ConfirmSummary:
    """The citizen presses send on the summary screen."""


@dataclass(frozen=True)
class Filed:
    """The worker stored the request (and tried to print its receipt)."""

    result: FilingResult


@dataclass(frozen=True)
class FilingFailed:
    """The worker could not store the request; nothing was filed."""

    reason: str
    """Untranslated sentence for the citizen (see kiosk.i18n.N_)."""


@dataclass(frozen=True)
class Back:
    """The back button."""


@dataclass(frozen=True)
class StartOver:
    """The citizen wants to start again (or walks away from the done screen)."""


@dataclass(frozen=True)
class MoreTime:
    """The citizen asks for more time on the idle warning."""


@dataclass(frozen=True)
class Tick:
    """Time passed; sent by a timer about once a second."""


@dataclass(frozen=True)
class SpeechHeard:
    """The recogniser understood these words; the screen decides what they mean."""

    text: str


Event = (
    Wake
    | ChooseLanguage
    | SubmitText
    | OpenCategories
    | ChooseCategory
    | ChooseService
    | ConfirmProposal
    | RejectProposal
    | SubmitContact
    | SkipContact
    | ConfirmSummary
    | Filed
    | FilingFailed
    | Back
    | StartOver
    | MoreTime
    | Tick
    | SpeechHeard
    | PaymentEvent
)

# Effects ------------------------------------------------------------------


@dataclass(frozen=True)
class Show:
    """Render this view."""

    view: View


@dataclass(frozen=True)
class Say:
    """Speak this sentence in this language (replacing any speech)."""

    text: str
    language: str
    more: tuple[tuple[str, str], ...] = ()
    """(text, language) of sentences said right after, in this order."""


@dataclass(frozen=True)
class FileRequest:
    """Store the request durably and print its receipt, off the UI thread.

    The outcome comes back as a Filed or FilingFailed event.
    """

    request: NewRequest


Effect = Show | Say | FileRequest | PaymentEffect


@dataclass
class _Draft:
    """What the current citizen has entered; dropped whole on reset."""

    language: str
    text: str = ""
    service: Service | None = None
    alternatives: tuple[Service, ...] = ()
    secondary: Service | None = None
    phone: str = ""
    email: str = ""
    consent: bool = False
    category: str | None = None
    history: list[Screen] = field(default_factory=list)
    ticket: str | None = None
    """The filed request whose fee is offered."""
    printed: bool = False
    notice: PaymentNotice | None = None
    quote: Quote | None = None
    payment: Payment | None = None
    """The approved payment, shown until the session ends."""
    reference_entry: str = ""
    amount_entry: str = ""
    fee_varies: bool = False


class Session:
    """The citizen-facing state machine of one kiosk."""

    def __init__(
        self,
        catalog: Catalog,
        router: Routing,
        settings: KioskSettings,
        yes_no: Mapping[str, YesNo] = YES_NO,
        *,
        payments: bool = False,
        sale_limit: SaleLimit | None = None,
    ) -> None:
        self.catalog = catalog
        self.yes_no = yes_no
        """Spoken yes and no words per language (tests use other languages)."""
        self.router = router
        self.settings = settings
        self.payments = payments
        """Whether this kiosk takes card payments (it has a terminal)."""
        self.sale_limit = sale_limit or SaleLimit()
        """The terminal's wait for a card, and when to warn before it ends."""
        self._card_wait: CardWait | None = None
        self._categories = {c.group: c for c in categories(catalog)}
        self._draft = _Draft(settings.default_language)
        self._view = self._attract_view()
        self._last_activity = 0.0
        self._warning_since: float | None = None
        self._done_since: float | None = None
        self._handlers: dict[type, Callable[[Any, float], list[Effect]]] = {
            Wake: self._on_wake,
            ChooseLanguage: self._on_choose_language,
            SubmitText: self._on_submit_text,
            OpenCategories: self._on_open_categories,
            ChooseCategory: self._on_choose_category,
            ChooseService: self._on_choose_service,
            ConfirmProposal: self._on_confirm_proposal,
            RejectProposal: self._on_reject_proposal,
            SubmitContact: self._on_submit_contact,
            SkipContact: self._on_skip_contact,
            ConfirmSummary: self._on_confirm_summary,
            Filed: self._on_filed,
            FilingFailed: self._on_filing_failed,
            Back: self._on_back,
            StartOver: self._on_start_over,
            PayNow: self._on_pay_now,
            PayLater: self._on_pay_later,
            OpenPayByReference: self._on_open_pay_by_reference,
            SubmitReference: self._on_submit_reference,
            NoticeScanned: self._on_notice_scanned,
            SubmitAmount: self._on_submit_amount,
            CancelPayment: self._on_cancel_payment,
            PaymentAnswered: self._on_payment_answered,
            MoreTime: self._on_more_time,
        }

    @property
    def view(self) -> View:
        """What the screen shows now."""
        return self._view

    @property
    def screen(self) -> Screen:
        """The current screen."""
        return self._view.screen

    def start(self, now: float) -> list[Effect]:
        """The effects that put the attract screen up at start-up."""
        self._last_activity = now
        return [Show(self._view)]

    def hearing(self) -> Hearing | None:
        """What the screen listens for now; None where it takes no speech."""
        commands = self._voice_commands()
        if self._dictation():
            return Hearing(self._view.language, None)
        if not commands:
            return None
        return Hearing(self._view.language, tuple(commands))

    def handle(self, event: Event, now: float) -> list[Effect]:
        """Apply one event at monotonic time ``now``; return what to do."""
        if isinstance(event, SpeechHeard):
            # Words that mean nothing here are not a sign of the citizen
            # (the lobby may be talking): they neither act nor keep the
            # session awake.
            heard = self._heard(event.text)
            if heard is None:
                return []
            event = heard
        if isinstance(event, Tick):
            return self._on_tick(now)
        if not isinstance(event, Filed | FilingFailed | PaymentAnswered):
            self._last_activity = now
            if self._done_since is not None:
                # A touch or key on the done screen keeps the ticket up.
                self._done_since = now
            if self._warning_since is not None:
                # Any touch during the warning means the citizen is still here.
                self._warning_since = None
                if isinstance(event, MoreTime):
                    return self._show(replace(self._view, idle_countdown_s=None))
        handler = self._handlers.get(type(event))
        return handler(event, now) if handler else []

    # Transitions ---------------------------------------------------------

    def _on_wake(self, event: Wake, now: float) -> list[Effect]:
        if self.screen is not Screen.ATTRACT:
            return []
        return self._go(Screen.LANGUAGE)

    def _on_choose_language(self, event: ChooseLanguage, now: float) -> list[Effect]:
        if self.screen in (Screen.FILING, Screen.DONE, *_FIXED_PAY):
            return []
        if event.language not in LANGUAGES:
            logger.warning("Unknown language requested: %r", event.language)
            return []
        self._draft.language = event.language
        if self.screen in (Screen.LANGUAGE, Screen.ATTRACT):
            return self._go(Screen.DESCRIBE)
        # A switch mid-flow redraws the same screen in the new language. A
        # message on it is dropped: it exists only in the old language.
        return self._go(self.screen, push=False)

    def _on_submit_text(self, event: SubmitText, now: float) -> list[Effect]:
        if self.screen is not Screen.DESCRIBE:
            return []
        _ = self._gettext
        typed = event.text
        self._draft.text = typed
        try:
            clean = checked_text(typed)
        except RequestTextError as exc:
            message = _(exc.message).format(**exc.fields)
            return self._go(Screen.DESCRIBE, message=message, push=False)
        self._draft.text = clean
        lang = self._draft.language
        decision = self.router.route(clean, lang)
        logger.info(
            "Routed: decision=%s best=%s",
            decision.kind.value,
            decision.best.service.code if decision.best else None,
        )
        # The router words its own questions and redirections per language;
        # the session's texts are the fallback.
        hint = decision.prompt.get(lang) if decision.prompt else None
        self._draft.secondary = decision.secondary
        services = tuple(c.service for c in decision.candidates)
        if decision.kind is DecisionKind.CONFIRM:
            self._draft.service = services[0]
            self._draft.alternatives = tuple(s for s in services[1:] if s.is_fileable)
            return self._go(Screen.PROPOSAL)
        if decision.kind is DecisionKind.CHOOSE:
            self._draft.alternatives = services
            return self._go(Screen.CHOICES)
        if decision.kind is DecisionKind.EXTERNAL:
            self._draft.service = services[0]
            return self._go(Screen.EXTERNAL, message=hint)
        if decision.kind is DecisionKind.CLARIFY:
            self._draft.alternatives = tuple(s for s in services if s.is_fileable)
            return self._go(
                Screen.CHOICES,
                message=hint
                or _(
                    "Could you tell us a little more? For example which document, "
                    "which street or which tax. Or send it to the information desk."
                ),
            )
        return self._go(
            Screen.DESCRIBE,
            message=hint
            or _(
                "Sorry, we did not understand. Please say it in other words, "
                "or choose a category."
            ),
            push=False,
        )

    def _on_open_categories(self, event: OpenCategories, now: float) -> list[Effect]:
        if self.screen not in (Screen.DESCRIBE, Screen.CHOICES, Screen.PROPOSAL):
            return []
        return self._go(Screen.CATEGORIES)

    def _on_choose_category(self, event: ChooseCategory, now: float) -> list[Effect]:
        if self.screen is not Screen.CATEGORIES or event.group not in self._categories:
            return []
        self._draft.category = event.group
        return self._go(Screen.SERVICES)

    def _on_choose_service(self, event: ChooseService, now: float) -> list[Effect]:
        offered = {
            Screen.SERVICES: self._category_services(),
            Screen.CHOICES: self._draft.alternatives,
            Screen.PROPOSAL: self._draft.alternatives,
            Screen.DONE: (self._draft.secondary,) if self._draft.secondary else (),
        }.get(self.screen, ())
        chosen = next((s for s in offered if s.code == event.code), None)
        if chosen is None:
            return []
        if self.screen is Screen.DONE:
            # A second topic from the same description: a new request with the
            # same language and contact, confirmed like the first.
            self._draft.history.clear()
            self._draft.secondary = None
            self._draft.payment = None
            self._draft.fee_varies = False
            self._draft.service = chosen
            self._draft.alternatives = ()
            self._done_since = None
            return self._go(Screen.PROPOSAL)
        if not chosen.is_fileable:
            self._draft.service = chosen
            return self._go(Screen.EXTERNAL)
        self._draft.service = chosen
        return self._go(Screen.CONTACT)

    def _on_confirm_proposal(self, event: ConfirmProposal, now: float) -> list[Effect]:
        if self.screen is not Screen.PROPOSAL:
            return []
        return self._go(Screen.CONTACT)

    def _on_reject_proposal(self, event: RejectProposal, now: float) -> list[Effect]:
        if self.screen is not Screen.PROPOSAL:
            return []
        self._draft.service = None
        if self._draft.alternatives:
            return self._go(Screen.CHOICES)
        return self._go(Screen.CATEGORIES)

    def _on_submit_contact(self, event: SubmitContact, now: float) -> list[Effect]:
        if self.screen is not Screen.CONTACT:
            return []
        _ = self._gettext
        draft = self._draft
        draft.phone, draft.email, draft.consent = (
            event.phone,
            event.email,
            event.consent,
        )
        try:
            phone = normalise_phone(event.phone) if event.phone.strip() else ""
            email = normalise_email(event.email) if event.email.strip() else ""
        except ContactError as exc:
            return self._go(Screen.CONTACT, message=_(exc.message), push=False)
        if (phone or email) and not event.consent:
            return self._go(
                Screen.CONTACT,
                message=_(
                    "To keep your contact details we need your consent. "
                    "Tick the box, or continue without contact details."
                ),
                push=False,
            )
        if not (phone or email):
            draft.consent = False
        draft.phone, draft.email = phone, email
        return self._go(Screen.SUMMARY)

    def _on_skip_contact(self, event: SkipContact, now: float) -> list[Effect]:
        if self.screen is not Screen.CONTACT:
            return []
        self._draft.phone = self._draft.email = ""
        self._draft.consent = False
        return self._go(Screen.SUMMARY)

    def _on_confirm_summary(self, event: ConfirmSummary, now: float) -> list[Effect]:
        if self.screen is not Screen.SUMMARY or self._draft.service is None:
            return []
        draft = self._draft
        service = draft.service
        assert service is not None
        request = NewRequest(
            service_code=service.code,
            department=service.department,
            language=draft.language,
            # A request picked from the tiles has no words of its own; the
            # service name says what it is about.
            text=draft.text or service.name(draft.language),
            phone=draft.phone or None,
            email=draft.email or None,
            consent=draft.consent,
        )
        return [*self._go(Screen.FILING, push=False), FileRequest(request)]

    def _on_filed(self, event: Filed, now: float) -> list[Effect]:
        if self.screen is not Screen.FILING:
            logger.warning("Filing result arrived on screen %s", self.screen.value)
            return []
        _ = self._gettext
        result = event.result
        message = None if result.printed else _(PRINTER_DOWN)
        self._draft.ticket, self._draft.printed = result.request.ticket, result.printed
        service = self._draft.service
        if self.payments and service is not None and service.fee_bani:
            self._draft.quote = PaymentService.quote_fee(result.request, service)
            self._draft.history.clear()
            return self._go(Screen.PAY_OFFER, message=message, push=False)
        # A fee that varies is not paid here; the done screen says so.
        self._draft.fee_varies = (
            self.payments and service is not None and service.fee_bani is None
        )
        self._done_since = now
        self._draft.history.clear()
        return self._go(
            Screen.DONE,
            message=message,
            ticket=result.request.ticket,
            printed=result.printed,
            push=False,
        )

    def _on_filing_failed(self, event: FilingFailed, now: float) -> list[Effect]:
        if self.screen is not Screen.FILING:
            return []
        _ = self._gettext
        return self._go(Screen.SUMMARY, message=_(event.reason), push=False)

    def _on_back(self, event: Back, now: float) -> list[Effect]:
        if self.screen in (Screen.FILING, Screen.DONE, Screen.ATTRACT, *_FIXED_PAY):
            return []
        if not self._draft.history:
            return self._reset()
        previous = self._draft.history.pop()
        return self._go(previous, push=False)

    def _on_start_over(self, event: StartOver, now: float) -> list[Effect]:
        if self.screen in (Screen.FILING, Screen.PAYING):
            return []
        return self._reset()

    # Card payments: a filed request's fee, or a notice by its reference.

    def _on_pay_now(self, event: PayNow, now: float) -> list[Effect]:
        draft = self._draft
        if self.screen not in (Screen.PAY_OFFER, Screen.PAY_CONFIRM) or not draft.quote:
            return []
        if draft.notice is not None:
            subject = draft.notice.reference
        else:
            subject = draft.service.name(draft.language) if draft.service else ""
        order = PaymentOrder(draft.quote, draft.language, subject, draft.ticket)
        self._card_wait = CardWait(order, self.sale_limit, now)
        return [*self._go(Screen.PAYING, push=False), PayCard(order)]

    def _on_pay_later(self, event: PayLater, now: float) -> list[Effect]:
        if self.screen is not Screen.PAY_OFFER:
            return []
        return self._fee_done(now)

    def _on_open_pay_by_reference(
        self, event: OpenPayByReference, now: float
    ) -> list[Effect]:
        if not self.payments or self.screen not in (Screen.DESCRIBE, Screen.CATEGORIES):
            return []
        draft = self._draft
        draft.notice, draft.quote, draft.ticket = None, None, None
        draft.reference_entry = draft.amount_entry = ""
        return self._go(Screen.PAY_REFERENCE)

    def _on_submit_reference(self, event: SubmitReference, now: float) -> list[Effect]:
        if self.screen is not Screen.PAY_REFERENCE:
            return []
        self._draft.reference_entry = event.text
        return self._take_notice(
            event.text,
            N_("Please check the reference: it has 4 to 32 letters, digits or dashes."),
        )

    def _on_notice_scanned(self, event: NoticeScanned, now: float) -> list[Effect]:
        if self.screen is not Screen.PAY_REFERENCE:
            return []
        return self._take_notice(
            event.text,
            N_("This code is not a payment notice. Please type the reference."),
        )

    def _take_notice(self, text: str, problem: str) -> list[Effect]:
        draft = self._draft
        try:
            notice = parse_notice(without_control_characters(text[:200]))
        except ValueError:
            return self._go(
                Screen.PAY_REFERENCE, message=self._gettext(problem), push=False
            )
        draft.notice, draft.reference_entry = notice, notice.reference
        if notice.amount_bani is None:
            draft.quote, draft.amount_entry = None, ""
            return self._go(Screen.PAY_AMOUNT)
        draft.quote = PaymentService.quote_notice(notice, notice.amount_bani)
        return self._go(Screen.PAY_CONFIRM)

    def _on_submit_amount(self, event: SubmitAmount, now: float) -> list[Effect]:
        notice = self._draft.notice
        if self.screen is not Screen.PAY_AMOUNT or notice is None:
            return []
        self._draft.amount_entry = event.text
        try:
            bani = parse_amount(without_control_characters(event.text[:40]))
        except ValueError:
            message = self._gettext(
                N_("Please type the amount in lei, for example 150 or 150,50.")
            )
            return self._go(Screen.PAY_AMOUNT, message=message, push=False)
        self._draft.quote = PaymentService.quote_notice(notice, bani)
        return self._go(Screen.PAY_CONFIRM)

    def _on_cancel_payment(self, event: CancelPayment, now: float) -> list[Effect]:
        if self.screen is not Screen.PAYING:
            return []
        if self._card_wait is not None:
            self._card_wait.cancel()
        if self._view.card_countdown_s is None:
            return [StopCardPayment()]
        return [
            *self._show(replace(self._view, card_countdown_s=None)),
            StopCardPayment(),
        ]

    def _on_more_time(self, event: MoreTime, now: float) -> list[Effect]:
        wait = self._card_wait
        if self.screen is not Screen.PAYING or wait is None:
            return []
        if not wait.ask_more_time(now):
            return []
        message = self._gettext(MORE_TIME_GIVEN)
        view = replace(self._view, card_countdown_s=None, message=message)
        return [*self._show(view), Say(message, view.language)]

    def _card_tick(self, now: float) -> list[Effect]:
        wait = self._card_wait
        countdown = wait.countdown(now) if wait is not None else None
        if countdown is None or countdown == self._view.card_countdown_s:
            return []
        first = self._view.card_countdown_s is None
        effects = self._show(replace(self._view, card_countdown_s=countdown))
        if first:
            _ = self._gettext
            spoken = f"{_(CARD_WAIT).format(seconds=countdown)} {_(ASK_MORE_TIME)}"
            effects.append(Say(spoken, self._draft.language))
        return effects

    def _on_payment_answered(self, event: PaymentAnswered, now: float) -> list[Effect]:
        if self.screen is not Screen.PAYING:
            logger.warning("Payment answer arrived on screen %s", self.screen.value)
            return []
        outcome = event.outcome
        wait, self._card_wait = self._card_wait, None
        if (
            isinstance(outcome, Settled)
            and outcome.no_card
            and wait is not None
            and wait.restart_after_time_out(now)
        ):
            # The citizen asked for more time: the sale that ran out charged
            # nothing, so the same order goes to the terminal again.
            self._card_wait = wait
            logger.info("More time for the card: sale %d of the order", wait.sales)
            message = self._gettext(ASKING_AGAIN)
            return [*self._go(Screen.PAYING, message, push=False), PayCard(wait.order)]
        # The answer ends a long wait: the next screen's idle time starts now,
        # so its first sentence is not cut short by the idle warning.
        self._last_activity = now
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
            if outcome.reason in RETRY_REASONS or self._draft.notice is not None:
                return self._pay_again(message)
            return self._fee_done(now, self._gettext(message))
        if isinstance(outcome, NotStarted):
            return self._pay_again(NOT_WRITTEN)
        return self._unsettled(now)

    def _payment_speech(self, view: View, text: str) -> tuple[str, str | None]:
        """Prompt and message of a payment screen, worded for the ear.

        The screen shows ``150,50 RON`` and ``**** 0119``; a voice gets the
        amount in lei and bani, references sign by sign, and, once paid,
        what was paid and how much (the card and the time are on paper).
        """
        message = view.message
        draft = self._draft
        if view.screen not in (*_PAY_SCREENS, Screen.DONE) or not view.amount:
            return text, message
        lang = view.language
        payment = draft.payment if view.screen in (Screen.DONE, Screen.PAID) else None
        if payment is not None and message:
            shown = paid_message(payment, lang)
            message = message.replace(shown, self._paid_speech(payment))
        swaps = {view.amount: view.amount_words}
        if view.reference:
            swaps[view.reference] = spell_ticket(view.reference)
        if view.ticket and view.screen is Screen.PAY_OFFER:
            swaps[view.ticket] = spell_ticket(view.ticket)
        for shown_text, said in swaps.items():
            text = text.replace(shown_text, said)
            message = message.replace(shown_text, said) if message else message
        return text, message

    def _paid_speech(self, payment: Payment) -> str:
        _ = self._gettext
        lang = self._draft.language
        amount = spoken_amount(payment.amount_bani, _, lang)
        notice = self._draft.notice
        if notice is not None:
            return _(PAID_NOTICE).format(
                amount=amount, reference=spell_ticket(notice.reference)
            )
        service = self._draft.service
        name = service.name(lang) if service else ""
        return _(PAID_FEE).format(amount=amount, service=name)

    def _pay_again(self, message: str) -> list[Effect]:
        screen = Screen.PAY_CONFIRM if self._draft.notice else Screen.PAY_OFFER
        return self._go(screen, message=self._gettext(message), push=False)

    def _paid(self, payment: Payment, printed: bool, now: float) -> list[Effect]:
        self._draft.payment = payment
        message: str | None = paid_message(payment, self._draft.language)
        if not printed:
            message = _join(message, self._gettext(RECEIPT_NOT_PRINTED))
        if self._draft.notice is None:
            return self._fee_done(now, message)
        self._done_since = now
        return self._go(Screen.PAID, message=message, push=False)

    def _unsettled(self, now: float) -> list[Effect]:
        message = self._gettext(UNCERTAIN)
        if self._draft.notice is None:
            return self._fee_done(now, message)
        self._done_since = now
        return self._go(Screen.PAID, message=message, push=False)

    def _fee_done(self, now: float, message: str | None = None) -> list[Effect]:
        draft = self._draft
        if not draft.printed:
            message = _join(self._gettext(PRINTER_DOWN), message)
        draft.quote = None
        draft.history.clear()
        self._done_since = now
        return self._go(
            Screen.DONE,
            message=message,
            ticket=draft.ticket,
            printed=draft.printed,
            push=False,
        )

    def _on_tick(self, now: float) -> list[Effect]:
        if self.screen is Screen.PAYING:
            return self._card_tick(now)
        if self.screen in (Screen.ATTRACT, Screen.FILING):
            return []
        if self.screen in (Screen.DONE, Screen.PAID):
            if self._done_since is not None and (
                now - self._done_since >= self.settings.done_screen_s
            ):
                return self._reset()
            return []
        idle = now - self._last_activity
        if idle < self.settings.idle_warning_s:
            return []
        if self._warning_since is None:
            self._warning_since = now
        remaining = self.settings.idle_reset_s - (now - self._warning_since)
        if remaining <= 0:
            logger.info("Session reset after %.0f s idle", idle)
            return self._reset()
        countdown = int(remaining + 0.999)
        if self._view.idle_countdown_s == countdown:
            return []
        _ = self._gettext
        effects: list[Effect] = []
        if self._view.idle_countdown_s is None:
            warning = _("Do you need more time? Touch the screen or press any key.")
            left = _("The kiosk starts over in {seconds} seconds.")
            spoken = f"{warning} {left.format(seconds=countdown)}"
            effects.append(Say(spoken, self._draft.language))
        return [*self._show(replace(self._view, idle_countdown_s=countdown)), *effects]

    # Speech --------------------------------------------------------------

    def _dictation(self) -> bool:
        view = self._view
        return view.screen is Screen.DESCRIBE and view.idle_countdown_s is None

    def _heard(self, text: str) -> Event | None:
        folded = fold(text)
        if not folded:
            return None
        for phrase, event in self._voice_commands().items():
            if fold(phrase) == folded:
                return event
        return SubmitText(text) if self._dictation() else None

    def _voice_commands(self) -> dict[str, Event]:
        """Each phrase the screen understands, with the event it stands for."""
        _ = self._gettext
        view = self._view
        words = self.yes_no.get(view.language, YesNo())
        commands: dict[str, Event] = {}

        def add(phrases: tuple[str, ...] | list[str], event: Event) -> None:
            for phrase in phrases:
                if spoken := spoken_form(phrase):
                    commands.setdefault(spoken, event)

        screen = view.screen
        if screen in (Screen.ATTRACT, Screen.FILING):
            return commands
        if view.idle_countdown_s is not None:
            add([_("Yes, more time"), *words.yes], MoreTime())
            return commands
        if screen is Screen.LANGUAGE:
            for lang in LANGUAGES:
                add(list(LANGUAGE_WORDS.get(lang, ())), ChooseLanguage(lang))
        for label, answer, event in _SPOKEN_BUTTONS.get(screen, ()):
            extra = {"yes": words.yes, "no": words.no}.get(answer, ())
            add([_(label), *extra], event)
        for choice in view.choices:
            if screen is Screen.CATEGORIES:
                add([choice.label], ChooseCategory(choice.key))
            else:
                add([choice.label], ChooseService(choice.key))
        if screen not in (Screen.LANGUAGE, Screen.DONE):
            add([_("Back")], Back())
        add([_("Start over")], StartOver())
        return commands

    def spoken(self, view: View, hint: bool = False) -> str:
        """The sentence said for a view: its prompt, with more for the ear.

        ``hint`` adds how to move with the keypad (always on the language
        screen, and when the citizen asks for the screen to be read again).
        """
        _ = self._gettext
        text = view.prompt
        service = self._draft.service
        if view.screen is Screen.DONE and view.ticket and service is not None:
            lang = view.language
            department = self.catalog.department(service.department).name(lang)
            # Spelt out sign by sign: "A 0 0 0 4 2", never "forty-two".
            ticket = " ".join(ch for ch in view.ticket if ch.isalnum())
            text = _(
                "Your request is filed: {service}, handled by {department}. "
                "Your ticket number is {ticket}."
            ).format(service=service.name(lang), department=department, ticket=ticket)
        elif view.screen is Screen.CHOICES and view.choices:
            text = f"{text} " + "; ".join(c.label for c in view.choices) + "."
        text, message = self._payment_speech(view, text)
        # The rest is what a citizen who cannot see the screen also needs:
        # to take the receipt, and how to move with the keypad.
        return spoken_view(
            text,
            message,
            _,
            printed=view.printed and view.screen is Screen.DONE,
            hint=hint or view.screen is Screen.LANGUAGE,
        )

    def spoken_parts(
        self, view: View, hint: bool = False
    ) -> tuple[tuple[str, str], ...]:
        """(text, language) of the sentences said for a view, in order.

        The language screen is said in every kiosk language, each in its own
        voice, the citizen's first: whoever stands there may not understand
        the default one. Every other screen is one sentence.
        """
        first = (self.spoken(view, hint), view.language)
        if view.screen is not Screen.LANGUAGE:
            return (first,)
        others = tuple(
            (
                spoken_view(
                    translations(lang).gettext(_PROMPTS[Screen.LANGUAGE]),
                    None,
                    translations(lang).gettext,
                    hint=True,
                ),
                lang,
            )
            for lang in LANGUAGES
            if lang != view.language
        )
        return (first, *others)

    # Views ---------------------------------------------------------------

    @property
    def _gettext(self) -> Callable[[str], str]:
        return translations(self._draft.language).gettext

    def _reset(self) -> list[Effect]:
        # Dropping the draft drops every reference the session holds to what
        # the citizen entered (text, contact). Python cannot overwrite the
        # string objects themselves; they are freed with the last reference.
        self._draft = _Draft(self.settings.default_language)
        self._warning_since = None
        self._done_since = None
        return self._show(self._attract_view())

    def _go(
        self,
        screen: Screen,
        message: str | None = None,
        ticket: str | None = None,
        printed: bool = False,
        push: bool = True,
    ) -> list[Effect]:
        if push and screen is not self.screen and self.screen is not Screen.ATTRACT:
            self._draft.history.append(self.screen)
        view = self._build_view(screen, message, ticket, printed)
        effects = self._show(view)
        if message is not None or view.screen is not Screen.FILING:
            (text, language), *more = self.spoken_parts(view)
            effects.append(Say(text, language, tuple(more)))
        return effects

    def _show(self, view: View) -> list[Effect]:
        self._view = view
        return [Show(view)]

    def _attract_view(self) -> View:
        return View(
            Screen.ATTRACT,
            self._draft.language,
            translations(self._draft.language).gettext("Touch the screen to start"),
        )

    def _build_view(
        self, screen: Screen, message: str | None, ticket: str | None, printed: bool
    ) -> View:
        _ = self._gettext
        draft = self._draft
        lang = draft.language
        choices: tuple[Choice, ...] = ()
        service_name = draft.service.name(lang) if draft.service else ""
        prompt = _PROMPTS[screen]
        if screen is Screen.CATEGORIES:
            choices = tuple(
                Choice(c.group, _(c.label)) for c in self._categories.values()
            )
        elif screen is Screen.SERVICES:
            choices = tuple(self._service_choice(s) for s in self._category_services())
        elif screen in (Screen.CHOICES, Screen.PROPOSAL):
            choices = tuple(self._service_choice(s) for s in draft.alternatives)
        elif screen is Screen.DONE and draft.secondary is not None:
            choices = (self._service_choice(draft.secondary),)
        text = _(prompt)
        if (
            screen in (Screen.PROPOSAL, Screen.EXTERNAL, Screen.SUMMARY)
            and draft.service
        ):
            department = self.catalog.department(draft.service.department).name(lang)
            text = text.format(service=service_name, department=department)
        if screen is Screen.DONE and ticket:
            text = text.format(ticket=ticket)
            if draft.fee_varies:
                text = f"{text} {_(FEE_VARIES)}"
        if screen is Screen.PAY_OFFER:
            ticket, printed = draft.ticket, draft.printed
        if screen is Screen.PAID and draft.payment is None:
            text = _(_PAYMENT_CHECKED)
        bani = draft.quote.amount_bani if draft.quote else None
        reference = draft.notice.reference if draft.notice else ""
        if screen in _PAY_SCREENS:
            amount = format_amount(bani) if bani else ""
            text = text.format(ticket=draft.ticket, amount=amount, reference=reference)
        lines: tuple[tuple[str, str], ...] = ()
        if draft.payment is not None and screen in (Screen.DONE, Screen.PAID):
            lines = payment_receipt_lines(draft.payment, lang)
            bani = draft.payment.amount_bani
        return View(
            screen=screen,
            language=lang,
            prompt=text,
            message=message,
            text=draft.text,
            choices=choices,
            phone=draft.phone,
            email=draft.email,
            consent=draft.consent,
            ticket=ticket,
            printed=printed,
            amount=format_amount(bani) if bani else "",
            amount_words=spoken_amount(bani, _, lang) if bani else "",
            reference=reference,
            entry=draft.amount_entry
            if screen is Screen.PAY_AMOUNT
            else draft.reference_entry,
            payment_lines=lines,
            payments=self.payments,
        )

    def _service_choice(self, service: Service) -> Choice:
        lang = self._draft.language
        department = self.catalog.department(service.department).name(lang)
        return Choice(service.code, service.name(lang), department)

    def _category_services(self) -> tuple[Service, ...]:
        category = self._categories.get(self._draft.category or "")
        return category.services if category else ()


_PROMPTS: dict[Screen, str] = {
    Screen.ATTRACT: N_("Touch the screen to start"),
    Screen.LANGUAGE: N_("Choose your language"),
    Screen.DESCRIBE: N_("Tell us what you need, in your own words."),
    Screen.CATEGORIES: N_("Choose a category"),
    Screen.SERVICES: N_("Choose what you need"),
    Screen.PROPOSAL: N_("We will send this to {department}: {service}. Is this right?"),
    Screen.CHOICES: N_("Which of these do you need?"),
    Screen.EXTERNAL: N_(
        "This is not handled by the city hall: {service}. Please contact the "
        "institution in charge."
    ),
    Screen.CONTACT: N_(
        "Do you want an answer? Leave a phone number or an e-mail address. "
        "This is optional."
    ),
    Screen.SUMMARY: N_("Please check: {service}, handled by {department}. Send it?"),
    Screen.FILING: N_("Saving your request..."),
    Screen.DONE: N_("Your request is filed. Your ticket number is {ticket}."),
    Screen.PAY_OFFER: N_(
        "Your request is filed. Your ticket number is {ticket}. The fee is "
        "{amount}: do you want to pay it now by card?"
    ),
    Screen.PAY_REFERENCE: N_(
        "Type the payment reference from your notice. "
        "Or hold its QR code up to the camera."
    ),
    Screen.PAY_AMOUNT: N_(
        "The notice {reference} does not say the amount. Type the amount to "
        "pay, in lei."
    ),
    Screen.PAY_CONFIRM: N_("Pay {amount} for {reference} by card?"),
    Screen.PAYING: N_(
        "To pay {amount}, present your card to the card terminal. Follow its "
        "instructions."
    ),
    Screen.PAID: N_("Payment received for {reference}. Take your receipt."),
}
PAID_NOTICE = N_("You paid {amount} for the notice {reference}.")
PAID_FEE = N_("You paid {amount} for {service}.")
_PAYMENT_CHECKED = N_("Your payment for {reference} is being checked.")
_PAY_SCREENS = (
    Screen.PAY_OFFER,
    Screen.PAY_AMOUNT,
    Screen.PAY_CONFIRM,
    Screen.PAYING,
    Screen.PAID,
)
"""Screens whose prompt names the amount, the reference or the ticket."""
_FIXED_PAY = (Screen.PAY_OFFER, Screen.PAYING, Screen.PAID)
"""Payment screens with no way back and no language switch."""


def _join(first: str | None, second: str | None) -> str | None:
    parts = [part for part in (first, second) if part]
    return " ".join(parts) if parts else None


_SPOKEN_BUTTONS: dict[Screen, tuple[tuple[str, str, Event], ...]] = {
    Screen.PROPOSAL: (
        (N_("Yes"), "yes", ConfirmProposal()),
        (N_("No, something else"), "no", RejectProposal()),
    ),
    Screen.CONTACT: ((N_("Continue without"), "no", SkipContact()),),
    Screen.SUMMARY: ((N_("Send"), "yes", ConfirmSummary()),),
    Screen.DONE: ((N_("Finish"), "", StartOver()),),
    Screen.DESCRIBE: ((N_("Choose from categories"), "", OpenCategories()),),
    Screen.CHOICES: ((N_("None of these: show all categories"), "", OpenCategories()),),
}
"""The buttons of each screen that can be said: label, answer words, event.

The labels are the buttons' own texts, so what the citizen reads is what
the kiosk understands; "yes" and "no" add that language's answer words.
"""
