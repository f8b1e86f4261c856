"""The citizen flow as a state machine, without a screen."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.app import Core
from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.filing import FilingResult
from kiosk.payment_flow import PayLater
from kiosk.request_text import MAX_TEXT_CHARS
from kiosk.session import (
    Back,
    ChooseCategory,
    ChooseLanguage,
    ChooseService,
    ConfirmProposal,
    ConfirmSummary,
    Effect,
    Filed,
    FileRequest,
    FilingFailed,
    MoreTime,
    OpenCategories,
    RejectProposal,
    Say,
    Screen,
    Session,
    Show,
    SkipContact,
    StartOver,
    SubmitContact,
    SubmitText,
    Tick,
    Wake,
)
from kiosk.store import NewRequest

SERVICE = "parking.resident_permit_application"


@pytest.fixture
def session(core: Core) -> Session:
    session = core.new_session()
    session.start(now=0.0)
    return session


class Clock:
    """Monotonic seconds that the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


def shown(effects: list[Effect]) -> list[Screen]:
    return [e.view.screen for e in effects if isinstance(e, Show)]


def to_describe(session: Session, lang: str = "ro", now: float = 0.0) -> None:
    session.handle(Wake(), now)
    session.handle(ChooseLanguage(lang), now)
    assert session.screen is Screen.DESCRIBE


def to_contact(session: Session, now: float = 0.0) -> None:
    to_describe(session, now=now)
    session.handle(OpenCategories(), now)
    session.handle(ChooseCategory("parking"), now)
    session.handle(ChooseService(SERVICE), now)
    assert session.screen is Screen.CONTACT


def to_summary(session: Session, now: float = 0.0) -> None:
    to_contact(session, now)
    session.handle(SubmitContact(phone="", email="ana@example.ro", consent=True), now)
    assert session.screen is Screen.SUMMARY


def file_for_real(core: Core, effects: list[Effect]) -> FilingResult:
    requests = [e.request for e in effects if isinstance(e, FileRequest)]
    assert len(requests) == 1
    return core.filing.file(requests[0])


def test_session_starts_on_the_attract_screen(core: Core) -> None:
    session = core.new_session()
    effects = session.start(now=0.0)
    assert shown(effects) == [Screen.ATTRACT]
    assert session.view.prompt


def test_wake_opens_the_language_screen(session: Session) -> None:
    assert shown(session.handle(Wake(), 0.0)) == [Screen.LANGUAGE]


def test_wake_is_ignored_once_the_flow_has_started(session: Session) -> None:
    to_describe(session)
    assert session.handle(Wake(), 1.0) == []
    assert session.screen is Screen.DESCRIBE


def test_choosing_a_language_switches_every_text_to_it(session: Session) -> None:
    session.handle(Wake(), 0.0)
    effects = session.handle(ChooseLanguage("hu"), 0.0)
    assert shown(effects) == [Screen.DESCRIBE]
    assert session.view.language == "hu"
    says = [e for e in effects if isinstance(e, Say)]
    assert says and says[0].language == "hu"


def test_an_unknown_language_is_ignored(session: Session) -> None:
    session.handle(Wake(), 0.0)
    assert session.handle(ChooseLanguage("de"), 0.0) == []
    assert session.screen is Screen.LANGUAGE


@pytest.mark.parametrize("text", ["", "   ", "\x00\x07\x1b\u202e"])
def test_empty_text_asks_again_and_keeps_the_field(session: Session, text: str) -> None:
    to_describe(session)
    session.handle(SubmitText(text), 1.0)
    assert session.screen is Screen.DESCRIBE
    assert session.view.message
    assert session.view.text == text


def test_a_huge_paste_is_refused_with_its_length_and_kept(session: Session) -> None:
    to_describe(session)
    pasted = "impozit " * 2500
    session.handle(SubmitText(pasted), 1.0)
    assert session.screen is Screen.DESCRIBE
    assert str(MAX_TEXT_CHARS) in (session.view.message or "")
    assert session.view.text == pasted


@pytest.mark.parametrize("text", ["😀🙈🎉", "asdfghjkl qwrtzp", "我想要停车证"])
def test_text_the_router_cannot_place_is_never_filed(
    session: Session, text: str
) -> None:
    to_describe(session)
    effects = session.handle(SubmitText(text), 1.0)
    assert not any(isinstance(e, FileRequest) for e in effects)
    assert session.screen in (Screen.DESCRIBE, Screen.CHOICES)
    assert session.view.message


def test_control_characters_are_dropped_before_routing(session: Session) -> None:
    to_describe(session)
    session.handle(SubmitText("abonament\x00 de\x1b parcare\u202e rezidenți"), 1.0)
    assert session.view.text == "abonament de parcare rezidenți"


def test_categories_lead_to_services_and_then_to_contact(session: Session) -> None:
    to_describe(session)
    session.handle(OpenCategories(), 1.0)
    assert session.screen is Screen.CATEGORIES
    assert "parking" in [c.key for c in session.view.choices]
    session.handle(ChooseCategory("parking"), 1.0)
    assert session.screen is Screen.SERVICES
    assert SERVICE in [c.key for c in session.view.choices]
    session.handle(ChooseService(SERVICE), 1.0)
    assert session.screen is Screen.CONTACT


def test_a_service_that_was_not_offered_cannot_be_chosen(session: Session) -> None:
    to_describe(session)
    session.handle(OpenCategories(), 1.0)
    session.handle(ChooseCategory("parking"), 1.0)
    assert session.handle(ChooseService("tax.building_declaration"), 1.0) == []
    assert session.screen is Screen.SERVICES


def test_an_unknown_category_is_ignored(session: Session) -> None:
    to_describe(session)
    session.handle(OpenCategories(), 1.0)
    assert session.handle(ChooseCategory("no-such-group"), 1.0) == []


def test_an_invalid_email_shows_a_message_and_keeps_what_was_typed(
    session: Session,
) -> None:
    to_contact(session)
    session.handle(SubmitContact(phone="", email="ana@", consent=True), 1.0)
    assert session.screen is Screen.CONTACT
    assert session.view.message
    assert session.view.email == "ana@"


def test_an_invalid_phone_shows_a_message(session: Session) -> None:
    to_contact(session)
    session.handle(SubmitContact(phone="07x2", email="", consent=True), 1.0)
    assert session.screen is Screen.CONTACT
    assert session.view.message
    assert session.view.phone == "07x2"


def test_contact_details_need_consent(session: Session) -> None:
    to_contact(session)
    session.handle(SubmitContact(phone="0722 123 456", email="", consent=False), 1.0)
    assert session.screen is Screen.CONTACT
    assert session.view.message


def test_skipping_contact_goes_to_the_summary_without_contact(
    session: Session,
) -> None:
    to_contact(session)
    session.handle(SkipContact(), 1.0)
    assert session.screen is Screen.SUMMARY
    effects = session.handle(ConfirmSummary(), 2.0)
    request = next(e.request for e in effects if isinstance(e, FileRequest))
    assert request.phone is None and request.email is None and not request.consent


def test_confirming_the_summary_asks_for_the_request_to_be_filed(
    session: Session,
) -> None:
    to_summary(session)
    effects = session.handle(ConfirmSummary(), 2.0)
    assert shown(effects) == [Screen.FILING]
    request = next(e.request for e in effects if isinstance(e, FileRequest))
    assert request == NewRequest(
        service_code=SERVICE,
        department="parcari",
        language="ro",
        text=request.text,
        phone=None,
        email="ana@example.ro",
        consent=True,
    )
    assert request.text  # a tile choice is described by the service's name


def test_a_filed_request_shows_its_ticket(core: Core, session: Session) -> None:
    to_summary(session)
    result = file_for_real(core, session.handle(ConfirmSummary(), 2.0))
    effects = session.handle(Filed(result), 3.0)
    assert shown(effects) == [Screen.PAY_OFFER]  # the permit has a fee
    assert result.request.ticket in session.view.prompt
    effects = session.handle(PayLater(), 3.5)
    assert shown(effects) == [Screen.DONE]
    assert session.view.ticket == result.request.ticket
    assert result.request.ticket in session.view.prompt
    assert session.view.printed and session.view.message is None


def test_an_unprinted_receipt_says_so_on_the_done_screen(
    core: Core, session: Session
) -> None:
    to_summary(session)
    result = file_for_real(core, session.handle(ConfirmSummary(), 2.0))
    session.handle(Filed(replace(result, printed=False)), 3.0)
    assert session.view.message and not session.view.printed
    session.handle(PayLater(), 3.5)
    assert session.screen is Screen.DONE
    assert session.view.message and not session.view.printed


def test_a_storage_fault_returns_to_the_summary_with_everything_kept(
    session: Session,
) -> None:
    to_summary(session)
    first = session.handle(ConfirmSummary(), 2.0)
    session.handle(FilingFailed("The kiosk's storage is full."), 3.0)
    assert session.screen is Screen.SUMMARY
    assert session.view.message
    assert session.view.email == "ana@example.ro"
    again = session.handle(ConfirmSummary(), 4.0)
    assert [e for e in again if isinstance(e, FileRequest)] == [
        e for e in first if isinstance(e, FileRequest)
    ]


def test_a_filing_result_outside_the_filing_screen_is_ignored(
    core: Core, session: Session
) -> None:
    to_summary(session)
    result = file_for_real(core, session.handle(ConfirmSummary(), 2.0))
    session.handle(Filed(result), 3.0)
    assert session.handle(Filed(result), 4.0) == []
    assert session.handle(FilingFailed("x"), 4.0) == []


def test_start_over_is_ignored_while_filing(session: Session) -> None:
    to_summary(session)
    session.handle(ConfirmSummary(), 2.0)
    assert session.handle(StartOver(), 3.0) == []
    assert session.screen is Screen.FILING


def test_start_over_wipes_the_draft(session: Session) -> None:
    to_summary(session)
    session.handle(StartOver(), 2.0)
    assert session.screen is Screen.ATTRACT
    to_describe(session, now=3.0)
    assert session.view.text == ""
    session.handle(OpenCategories(), 3.0)
    session.handle(ChooseCategory("parking"), 3.0)
    session.handle(ChooseService(SERVICE), 3.0)
    assert session.view.email == "" and not session.view.consent


def test_back_walks_the_screens_in_reverse(session: Session) -> None:
    to_contact(session)
    session.handle(Back(), 1.0)
    assert session.screen is Screen.SERVICES
    session.handle(Back(), 1.0)
    assert session.screen is Screen.CATEGORIES
    session.handle(Back(), 1.0)
    assert session.screen is Screen.DESCRIBE
    session.handle(Back(), 1.0)
    assert session.screen is Screen.LANGUAGE
    session.handle(Back(), 1.0)
    assert session.screen is Screen.ATTRACT


def test_events_for_other_screens_are_ignored(session: Session) -> None:
    to_describe(session)
    for event in (
        ConfirmSummary(),
        ConfirmProposal(),
        RejectProposal(),
        SkipContact(),
        SubmitContact("", "", False),
        ChooseCategory("parking"),
    ):
        assert session.handle(event, 1.0) == []
    assert session.screen is Screen.DESCRIBE


class TestIdle:
    def test_nothing_happens_before_the_warning_time(
        self, session: Session, settings: Settings
    ) -> None:
        to_describe(session)
        assert session.handle(Tick(), settings.kiosk.idle_warning_s - 0.5) == []

    def test_the_warning_counts_down_and_speaks_once(
        self, session: Session, settings: Settings
    ) -> None:
        to_describe(session)
        start = settings.kiosk.idle_warning_s
        effects = session.handle(Tick(), start)
        assert session.view.idle_countdown_s == int(settings.kiosk.idle_reset_s)
        assert any(isinstance(e, Say) for e in effects)
        effects = session.handle(Tick(), start + 1.0)
        assert session.view.idle_countdown_s == int(settings.kiosk.idle_reset_s) - 1
        assert not any(isinstance(e, Say) for e in effects)

    def test_more_time_removes_the_warning_and_restarts_the_wait(
        self, session: Session, settings: Settings
    ) -> None:
        to_describe(session)
        clock = Clock()
        session.handle(Tick(), clock.advance(settings.kiosk.idle_warning_s))
        session.handle(MoreTime(), clock.advance(1.0))
        assert session.view.idle_countdown_s is None
        assert session.screen is Screen.DESCRIBE
        assert session.handle(Tick(), clock.advance(1.0)) == []

    def test_any_touch_during_the_warning_counts_as_activity(
        self, session: Session, settings: Settings
    ) -> None:
        to_describe(session)
        session.handle(Tick(), settings.kiosk.idle_warning_s)
        session.handle(OpenCategories(), settings.kiosk.idle_warning_s + 1)
        assert session.screen is Screen.CATEGORIES
        assert session.view.idle_countdown_s is None

    def test_the_session_resets_and_forgets_the_citizen(
        self, session: Session, settings: Settings
    ) -> None:
        to_summary(session)
        clock = Clock()
        session.handle(Tick(), clock.advance(settings.kiosk.idle_warning_s))
        effects = session.handle(Tick(), clock.advance(settings.kiosk.idle_reset_s))
        assert shown(effects) == [Screen.ATTRACT]
        to_contact(session, now=clock.advance(1.0))
        assert session.view.email == "" and session.view.phone == ""

    def test_the_attract_screen_never_times_out(
        self, session: Session, settings: Settings
    ) -> None:
        assert session.handle(Tick(), 10_000.0) == []

    def test_filing_never_times_out(self, session: Session, settings: Settings) -> None:
        to_summary(session)
        session.handle(ConfirmSummary(), 1.0)
        assert session.handle(Tick(), 10_000.0) == []
        assert session.screen is Screen.FILING

    def test_the_done_screen_returns_to_attract_by_itself(
        self, core: Core, session: Session, settings: Settings
    ) -> None:
        to_summary(session)
        result = file_for_real(core, session.handle(ConfirmSummary(), 1.0))
        session.handle(Filed(result), 2.0)
        session.handle(PayLater(), 2.0)
        assert session.handle(Tick(), 2.0 + settings.kiosk.done_screen_s - 1) == []
        effects = session.handle(Tick(), 2.0 + settings.kiosk.done_screen_s)
        assert shown(effects) == [Screen.ATTRACT]


def test_every_category_tile_has_services(catalog: Catalog, session: Session) -> None:
    to_describe(session)
    session.handle(OpenCategories(), 1.0)
    for choice in session.view.choices:
        session.handle(ChooseCategory(choice.key), 1.0)
        assert session.view.choices, choice.key
        session.handle(Back(), 1.0)
