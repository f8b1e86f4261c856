"""One citizen's conversation with the kiosk, as a plain state machine.

The session takes events (a touch, recognised text, a tick of the clock, the
result of filing) and returns effects (show this view, say this sentence,
file this request). It performs no I/O and imports no Qt, so every flow is
tested without a screen; the UI renders the views and carries out the
effects. Time comes in with each call as monotonic seconds.

The flow: attract → language → describe (typed, spoken or a category tile)
→ the router's proposal or a short choice → optional contact → summary →
filing (the outbox write happens outside, in a worker) → done → attract.
Idle anywhere but attract and filing: a warning with a countdown, then a
reset that drops everything the citizen entered.
"""

from __future__ import annotations

import enum
import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from kiosk.accessibility import spoken_view
from kiosk.catalog import Catalog, Service
from kiosk.categories import categories
from kiosk.config import LANGUAGES, KioskSettings
from kiosk.contact import ContactError, normalise_email, normalise_phone
from kiosk.filing import FilingResult
from kiosk.i18n import N_, translations
from kiosk.routing import DecisionKind, Routing
from kiosk.store import NewRequest

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 1000
"""Longest description accepted; a paste beyond it is kept but not sent."""


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


@dataclass(frozen=True)
class FileRequest:
    """Store the request durably and print its receipt, off the UI thread.

    The outcome comes back as a Filed or FilingFailed event.
    """

    request: NewRequest


Effect = Show | Say | FileRequest


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


class Session:
    """The citizen-facing state machine of one kiosk."""

    def __init__(
        self, catalog: Catalog, router: Routing, settings: KioskSettings
    ) -> None:
        self.catalog = catalog
        self.router = router
        self.settings = settings
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

    def handle(self, event: Event, now: float) -> list[Effect]:
        """Apply one event at monotonic time ``now``; return what to do."""
        if isinstance(event, Tick):
            return self._on_tick(now)
        if not isinstance(event, Filed | FilingFailed):
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
        if self.screen in (Screen.FILING, Screen.DONE):
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
        clean = _without_control_characters(typed).strip()
        if not clean:
            return self._go(
                Screen.DESCRIBE,
                message=_("Please tell us what you need, or choose a category."),
                push=False,
            )
        if len(clean) > MAX_TEXT_CHARS:
            return self._go(
                Screen.DESCRIBE,
                message=_(
                    "Your text is {count} characters long. Please shorten it to at "
                    "most {limit} characters."
                ).format(count=len(clean), limit=MAX_TEXT_CHARS),
                push=False,
            )
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
        message = None
        if not result.printed:
            message = _(
                "The printer is not working. Your request is filed. Please write "
                "down the ticket number, or take a photo of it."
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
        if self.screen in (Screen.FILING, Screen.DONE, Screen.ATTRACT):
            return []
        if not self._draft.history:
            return self._reset()
        previous = self._draft.history.pop()
        return self._go(previous, push=False)

    def _on_start_over(self, event: StartOver, now: float) -> list[Effect]:
        if self.screen is Screen.FILING:
            return []
        return self._reset()

    def _on_tick(self, now: float) -> list[Effect]:
        if self.screen is Screen.ATTRACT or self.screen is Screen.FILING:
            return []
        if self.screen is Screen.DONE:
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
            spoken = spoken_view(
                view.prompt,
                message,
                self._gettext,
                ticket=view.ticket,
                printed=view.printed,
                hint=view.screen is Screen.LANGUAGE,
            )
            effects.append(Say(spoken, view.language))
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
}


def _without_control_characters(text: str) -> str:
    # Line breaks and tabs become spaces; other control and format characters
    # (NUL, escape sequences, bidi overrides) are dropped.
    out = []
    for ch in text:
        if ch in "\n\r\t":
            out.append(" ")
        elif unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"):
            out.append(ch)
    return "".join(out)
