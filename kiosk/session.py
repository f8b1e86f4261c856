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

This module holds the state machine and the citizen's steps; the pieces it
ties together each have their own module:

- kiosk.view_model: the screens and what a view holds;
- kiosk.events: the events that come in and the effects that go out;
- kiosk.draft: what the citizen has entered so far;
- kiosk.decision_step: where the router's decision leads;
- kiosk.views: the prompts table and building each screen's view;
- kiosk.spoken_text: the sentences said for a view;
- kiosk.voice_commands: what can be said on each screen;
- kiosk.idle: the idle warning, the reset and the done screen's time;
- kiosk.payment_steps: the card payment screens.

The names the UI and the tests use (screens, views, events, effects and a
few texts) stay importable from here, listed in ``__all__``: the session's
vocabulary has one door, whichever module defines each name.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from kiosk.card_wait import SaleLimit
from kiosk.catalog import Catalog
from kiosk.config import LANGUAGES, KioskSettings
from kiosk.contact import ContactError, normalise_email, normalise_phone
from kiosk.decision_step import take_decision
from kiosk.draft import Draft
from kiosk.events import (
    Back,
    ChooseCategory,
    ChooseLanguage,
    ChooseService,
    ConfirmProposal,
    ConfirmSummary,
    Effect,
    Event,
    Filed,
    FileRequest,
    FilingFailed,
    MoreTime,
    OpenCategories,
    RejectProposal,
    Say,
    Show,
    SkipContact,
    SpeechHeard,
    StartOver,
    SubmitContact,
    SubmitText,
    Tick,
    Wake,
)
from kiosk.i18n import translations
from kiosk.idle import IdleClock
from kiosk.payment_flow import (
    CancelPayment,
    NoticeScanned,
    OpenPayByReference,
    PayLater,
    PaymentAnswered,
    PayNow,
    SubmitAmount,
    SubmitReference,
)
from kiosk.payment_steps import FIXED_PAY, PaymentSteps
from kiosk.payments.service import PaymentService
from kiosk.request_text import RequestTextError, checked_text
from kiosk.routing import Routing
from kiosk.spoken_text import PAID_FEE, PAID_NOTICE, spoken, spoken_parts
from kiosk.store import NewRequest
from kiosk.view_model import Choice, Screen, View
from kiosk.views import FEE_VARIES, PRINTER_DOWN, Views
from kiosk.voice import YES_NO, Hearing, YesNo
from kiosk.voice_commands import heard, takes_dictation, voice_commands

__all__ = [
    "FEE_VARIES",
    "PAID_FEE",
    "PAID_NOTICE",
    "Back",
    "Choice",
    "ChooseCategory",
    "ChooseLanguage",
    "ChooseService",
    "ConfirmProposal",
    "ConfirmSummary",
    "Effect",
    "Event",
    "FileRequest",
    "Filed",
    "FilingFailed",
    "MoreTime",
    "OpenCategories",
    "RejectProposal",
    "Say",
    "Screen",
    "Session",
    "Show",
    "SkipContact",
    "SpeechHeard",
    "StartOver",
    "SubmitContact",
    "SubmitText",
    "Tick",
    "View",
    "Wake",
]

logger = logging.getLogger(__name__)


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
        self._views = Views(catalog, payments=payments)
        self._idle = IdleClock(settings)
        self._pay = PaymentSteps(
            self, self._idle, sale_limit or SaleLimit(), payments=payments
        )
        self._draft = Draft(settings.default_language)
        self._view = self._views.attract(self._draft.language)
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
            PayNow: self._pay.on_pay_now,
            PayLater: self._pay.on_pay_later,
            OpenPayByReference: self._pay.on_open_pay_by_reference,
            SubmitReference: self._pay.on_submit_reference,
            NoticeScanned: self._pay.on_notice_scanned,
            SubmitAmount: self._pay.on_submit_amount,
            CancelPayment: self._pay.on_cancel_payment,
            PaymentAnswered: self._pay.on_payment_answered,
            MoreTime: self._pay.on_more_time,
        }

    @property
    def sale_limit(self) -> SaleLimit:
        """The terminal's wait for a card, and when to warn before it ends."""
        return self._pay.sale_limit

    @property
    def view(self) -> View:
        """What the screen shows now."""
        return self._view

    @property
    def screen(self) -> Screen:
        """The current screen."""
        return self._view.screen

    @property
    def draft(self) -> Draft:
        """What the current citizen has entered."""
        return self._draft

    @property
    def gettext(self) -> Callable[[str], str]:
        """Translation into the citizen's language."""
        return translations(self._draft.language).gettext

    def start(self, now: float) -> list[Effect]:
        """The effects that put the attract screen up at start-up."""
        self._idle.last_activity = now
        return [Show(self._view)]

    def hearing(self) -> Hearing | None:
        """What the screen listens for now; None where it takes no speech."""
        commands = voice_commands(self._view, self.yes_no, self.gettext)
        if takes_dictation(self._view):
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
            meant = heard(event.text, self._view, self.yes_no, self.gettext)
            if meant is None:
                return []
            event = meant
        if isinstance(event, Tick):
            return self._on_tick(now)
        if not isinstance(event, Filed | FilingFailed | PaymentAnswered):
            if self._idle.touched(now) and isinstance(event, MoreTime):
                return self.show(replace(self._view, idle_countdown_s=None))
        handler = self._handlers.get(type(event))
        return handler(event, now) if handler else []

    def spoken(self, view: View, hint: bool = False) -> str:
        """The sentence said for a view (see kiosk.spoken_text.spoken)."""
        return spoken(view, self._draft, self.catalog, hint)

    def spoken_parts(
        self, view: View, hint: bool = False
    ) -> tuple[tuple[str, str], ...]:
        """(text, language) of the sentences said for a view, in order."""
        return spoken_parts(view, self._draft, self.catalog, hint)

    def go(
        self,
        screen: Screen,
        message: str | None = None,
        ticket: str | None = None,
        printed: bool = False,
        push: bool = True,
    ) -> list[Effect]:
        """Show and say ``screen``; ``push`` lets Back return here."""
        if push and screen is not self.screen and self.screen is not Screen.ATTRACT:
            self._draft.history.append(self.screen)
        view = self._views.build(self._draft, screen, message, ticket, printed)
        effects = self.show(view)
        if message is not None or view.screen is not Screen.FILING:
            (text, language), *more = self.spoken_parts(view)
            effects.append(Say(text, language, tuple(more)))
        return effects

    def show(self, view: View) -> list[Effect]:
        """Show this view as it is, saying nothing."""
        self._view = view
        return [Show(view)]

    # Transitions ---------------------------------------------------------

    def _on_wake(self, event: Wake, now: float) -> list[Effect]:
        if self.screen is not Screen.ATTRACT:
            return []
        return self.go(Screen.LANGUAGE)

    def _on_choose_language(self, event: ChooseLanguage, now: float) -> list[Effect]:
        if self.screen in (Screen.FILING, Screen.DONE, *FIXED_PAY):
            return []
        if event.language not in LANGUAGES:
            logger.warning("Unknown language requested: %r", event.language)
            return []
        self._draft.language = event.language
        if self.screen in (Screen.LANGUAGE, Screen.ATTRACT):
            return self.go(Screen.DESCRIBE)
        # A switch mid-flow redraws the same screen in the new language. A
        # message on it is dropped: it exists only in the old language.
        return self.go(self.screen, push=False)

    def _on_submit_text(self, event: SubmitText, now: float) -> list[Effect]:
        if self.screen is not Screen.DESCRIBE:
            return []
        self._draft.text = event.text
        try:
            clean = checked_text(event.text)
        except RequestTextError as exc:
            message = self.gettext(exc.message).format(**exc.fields)
            return self.go(Screen.DESCRIBE, message=message, push=False)
        self._draft.text = clean
        decision = self.router.route(clean, self._draft.language)
        logger.info(
            "Routed: decision=%s best=%s",
            decision.kind.value,
            decision.best.service.code if decision.best else None,
        )
        step = take_decision(decision, self._draft, self.gettext)
        return self.go(step.screen, message=step.message, push=step.push)

    def _on_open_categories(self, event: OpenCategories, now: float) -> list[Effect]:
        if self.screen not in (Screen.DESCRIBE, Screen.CHOICES, Screen.PROPOSAL):
            return []
        return self.go(Screen.CATEGORIES)

    def _on_choose_category(self, event: ChooseCategory, now: float) -> list[Effect]:
        if (
            self.screen is not Screen.CATEGORIES
            or event.group not in self._views.categories
        ):
            return []
        self._draft.category = event.group
        return self.go(Screen.SERVICES)

    def _on_choose_service(self, event: ChooseService, now: float) -> list[Effect]:
        offered = {
            Screen.SERVICES: self._views.category_services(self._draft),
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
            self._idle.done_since = None
            return self.go(Screen.PROPOSAL)
        if not chosen.is_fileable:
            self._draft.service = chosen
            return self.go(Screen.EXTERNAL)
        self._draft.service = chosen
        return self.go(Screen.CONTACT)

    def _on_confirm_proposal(self, event: ConfirmProposal, now: float) -> list[Effect]:
        if self.screen is not Screen.PROPOSAL:
            return []
        return self.go(Screen.CONTACT)

    def _on_reject_proposal(self, event: RejectProposal, now: float) -> list[Effect]:
        if self.screen is not Screen.PROPOSAL:
            return []
        self._draft.service = None
        if self._draft.alternatives:
            return self.go(Screen.CHOICES)
        return self.go(Screen.CATEGORIES)

    def _on_submit_contact(self, event: SubmitContact, now: float) -> list[Effect]:
        if self.screen is not Screen.CONTACT:
            return []
        _ = self.gettext
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
            return self.go(Screen.CONTACT, message=_(exc.message), push=False)
        if (phone or email) and not event.consent:
            return self.go(
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
        return self.go(Screen.SUMMARY)

    def _on_skip_contact(self, event: SkipContact, now: float) -> list[Effect]:
        if self.screen is not Screen.CONTACT:
            return []
        self._draft.phone = self._draft.email = ""
        self._draft.consent = False
        return self.go(Screen.SUMMARY)

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
        return [*self.go(Screen.FILING, push=False), FileRequest(request)]

    def _on_filed(self, event: Filed, now: float) -> list[Effect]:
        if self.screen is not Screen.FILING:
            logger.warning("Filing result arrived on screen %s", self.screen.value)
            return []
        _ = self.gettext
        result = event.result
        message = None if result.printed else _(PRINTER_DOWN)
        self._draft.ticket, self._draft.printed = result.request.ticket, result.printed
        service = self._draft.service
        if self.payments and service is not None and service.fee_bani:
            self._draft.quote = PaymentService.quote_fee(result.request, service)
            self._draft.history.clear()
            return self.go(Screen.PAY_OFFER, message=message, push=False)
        # A fee that varies is not paid here; the done screen says so.
        self._draft.fee_varies = (
            self.payments and service is not None and service.fee_bani is None
        )
        self._idle.ended(now)
        self._draft.history.clear()
        return self.go(
            Screen.DONE,
            message=message,
            ticket=result.request.ticket,
            printed=result.printed,
            push=False,
        )

    def _on_filing_failed(self, event: FilingFailed, now: float) -> list[Effect]:
        if self.screen is not Screen.FILING:
            return []
        _ = self.gettext
        return self.go(Screen.SUMMARY, message=_(event.reason), push=False)

    def _on_back(self, event: Back, now: float) -> list[Effect]:
        if self.screen in (Screen.FILING, Screen.DONE, Screen.ATTRACT, *FIXED_PAY):
            return []
        if not self._draft.history:
            return self._reset()
        previous = self._draft.history.pop()
        return self.go(previous, push=False)

    def _on_start_over(self, event: StartOver, now: float) -> list[Effect]:
        if self.screen in (Screen.FILING, Screen.PAYING):
            return []
        return self._reset()

    # Time ----------------------------------------------------------------

    def _on_tick(self, now: float) -> list[Effect]:
        if self.screen is Screen.PAYING:
            return self._pay.tick(now)
        countdown = self._idle.seconds_left(self.screen, now)
        if countdown is None:
            return []
        if countdown == 0:
            return self._reset()
        if self._view.idle_countdown_s == countdown:
            return []
        _ = self.gettext
        effects: list[Effect] = []
        if self._view.idle_countdown_s is None:
            warning = _("Do you need more time? Touch the screen or press any key.")
            left = _("The kiosk starts over in {seconds} seconds.")
            sentence = f"{warning} {left.format(seconds=countdown)}"
            effects.append(Say(sentence, self._draft.language))
        return [*self.show(replace(self._view, idle_countdown_s=countdown)), *effects]

    def _reset(self) -> list[Effect]:
        # Dropping the draft drops every reference the session holds to what
        # the citizen entered (text, contact). Python cannot overwrite the
        # string objects themselves; they are freed with the last reference.
        self._draft = Draft(self.settings.default_language)
        self._idle.clear()
        return self.show(self._views.attract(self._draft.language))
