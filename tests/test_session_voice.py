"""Speech as the session hears it: every screen's phrases, touch-equivalent."""

from __future__ import annotations

import pytest

from kiosk.app import Core
from kiosk.filing import FilingResult
from kiosk.i18n import translations
from kiosk.session import (
    ChooseLanguage,
    Effect,
    Filed,
    FileRequest,
    OpenCategories,
    Say,
    Screen,
    Session,
    Show,
    SpeechHeard,
    SubmitText,
    Tick,
    Wake,
)
from kiosk.voice import YES_NO, Hearing, YesNo, spoken_form

PROPOSAL_TEXT = "vreau să plătesc impozitul pe casă"
CHOICES_TEXT = "am o problema"


@pytest.fixture
def session(core: Core) -> Session:
    session = core.new_session()
    session.start(now=0.0)
    return session


def heard(session: Session, text: str, now: float = 0.0) -> list[Effect]:
    return session.handle(SpeechHeard(text), now)


def screens(effects: list[Effect]) -> list[Screen]:
    return [e.view.screen for e in effects if isinstance(e, Show)]


def to_describe(session: Session, lang: str = "ro") -> None:
    session.handle(Wake(), 0.0)
    session.handle(ChooseLanguage(lang), 0.0)


def to_proposal(session: Session) -> None:
    to_describe(session)
    session.handle(SubmitText(PROPOSAL_TEXT), 0.0)
    assert session.screen is Screen.PROPOSAL


def phrases(session: Session) -> tuple[str, ...]:
    hearing = session.hearing()
    assert hearing is not None and hearing.phrases is not None
    return hearing.phrases


def test_spoken_form_keeps_diacritics_and_drops_punctuation() -> None:
    assert spoken_form("Cont (utilizator și parolă), online!") == (
        "cont utilizator și parolă online"
    )
    assert spoken_form("  Nu, altceva ") == "nu altceva"
    assert spoken_form("...") == ""


def test_hearing_fits_only_its_own_language_and_grammar() -> None:
    hearing = Hearing("ro", ("da", "nu"))
    assert hearing.fits("ro", ("da", "nu"))
    assert hearing.fits("ro", ("da",))  # the model dropped a phrase
    assert not hearing.fits("hu", ("da", "nu"))
    assert not hearing.fits("ro", ("da", "igen"))
    assert not hearing.fits("ro", None)
    assert Hearing("ro", None).fits("ro", None)


@pytest.mark.parametrize("screen", [Screen.ATTRACT])
def test_nothing_is_listened_to_before_a_citizen_starts(
    session: Session, screen: Screen
) -> None:
    assert session.screen is screen
    assert session.hearing() is None
    assert heard(session, "română") == []


@pytest.mark.parametrize(
    ("words", "language"),
    [("română", "ro"), ("Magyar", "hu"), ("english", "en"), ("engleză", "en")],
)
def test_the_language_screen_takes_each_language_by_name(
    session: Session, words: str, language: str
) -> None:
    session.handle(Wake(), 0.0)
    assert session.hearing() == Hearing("ro", phrases(session))
    assert "magyar" in phrases(session)
    assert screens(heard(session, words)) == [Screen.DESCRIBE]
    assert session.view.language == language


def test_the_describe_screen_takes_free_dictation_as_the_request(
    session: Session,
) -> None:
    to_describe(session)
    assert session.hearing() == Hearing("ro", None)
    effects = heard(session, PROPOSAL_TEXT)
    assert screens(effects) == [Screen.PROPOSAL]
    assert session.view.text == PROPOSAL_TEXT


def test_the_describe_screen_still_understands_its_buttons(session: Session) -> None:
    to_describe(session)
    assert screens(heard(session, "alegeți din categorii")) == [Screen.CATEGORIES]


def test_the_proposal_takes_yes_no_and_the_alternatives(
    core: Core, session: Session
) -> None:
    to_proposal(session)
    said = phrases(session)
    assert {"da", "nu", "nu altceva", "înapoi"} <= set(said)
    assert screens(heard(session, "Da.")) == [Screen.CONTACT]

    second = core.new_session()
    second.start(0.0)
    to_proposal(second)
    assert screens(heard(second, "nu")) == [Screen.CHOICES]

    third = core.new_session()
    third.start(0.0)
    to_proposal(third)
    other = third.view.choices[0]
    assert screens(heard(third, other.label.upper())) == [Screen.CONTACT]
    assert third._draft.service is not None
    assert third._draft.service.code == other.key


def test_the_three_routing_candidates_are_said_and_taken_by_name(
    session: Session,
) -> None:
    to_describe(session)
    effects = session.handle(SubmitText(CHOICES_TEXT), 0.0)
    assert session.screen is Screen.CHOICES
    choices = session.view.choices
    assert len(choices) == 3
    spoken = next(e.text for e in effects if isinstance(e, Say))
    assert all(c.label in spoken for c in choices)
    assert {spoken_form(c.label) for c in choices} <= set(phrases(session))
    assert screens(heard(session, "înscriere în audiență")) == []  # not a label
    # Speech without diacritics or punctuation still matches.
    said = "inscriere in audienta sef de serviciu viceprimar primar"
    assert choices[2].label.startswith("Înscriere în audiență")
    assert screens(heard(session, said)) == [Screen.CONTACT]


def test_none_of_these_opens_the_categories(session: Session) -> None:
    to_describe(session)
    session.handle(SubmitText(CHOICES_TEXT), 0.0)
    ro = translations("ro").gettext
    assert screens(heard(session, ro("None of these: show all categories"))) == [
        Screen.CATEGORIES
    ]


def test_categories_and_services_are_taken_by_their_labels(session: Session) -> None:
    to_describe(session)
    session.handle(OpenCategories(), 0.0)
    assert session.screen is Screen.CATEGORIES
    category = session.view.choices[0]
    assert spoken_form(category.label) in phrases(session)
    assert screens(heard(session, category.label)) == [Screen.SERVICES]
    service = session.view.choices[0]
    assert screens(heard(session, service.label)) in (
        [Screen.CONTACT],
        [Screen.EXTERNAL],
    )


def test_contact_is_skipped_by_voice_and_the_summary_sent(
    core: Core, session: Session
) -> None:
    to_proposal(session)
    heard(session, "da")
    assert session.hearing() == Hearing("ro", phrases(session))
    assert screens(heard(session, "continuați fără")) == [Screen.SUMMARY]
    effects = heard(session, "trimite")
    assert screens(effects) == [Screen.FILING]
    request = next(e.request for e in effects if isinstance(e, FileRequest))
    assert request.text == PROPOSAL_TEXT and request.phone is None
    assert session.hearing() is None  # nothing to say while filing


def test_the_done_screen_speaks_the_receipt_and_finishes_by_voice(
    core: Core, session: Session
) -> None:
    to_proposal(session)
    heard(session, "da")
    heard(session, "nu")
    effects = heard(session, "da")
    request = next(e.request for e in effects if isinstance(e, FileRequest))
    result: FilingResult = core.filing.file(request)
    effects = session.handle(Filed(result), 0.0)
    said = next(e for e in effects if isinstance(e, Say))
    service = core.catalog.service(request.service_code)
    department = core.catalog.department(service.department).name("ro")
    assert said.language == "ro"
    assert service.name("ro") in said.text and department in said.text
    number = result.request.ticket.split("-")[1]
    assert " ".join(number) in said.text  # digit by digit
    assert screens(heard(session, "am terminat")) == [Screen.ATTRACT]


def test_the_idle_warning_takes_yes_for_more_time(session: Session) -> None:
    to_describe(session)
    warning = session.settings.idle_warning_s
    session.handle(Tick(), warning + 1)
    assert session.view.idle_countdown_s is not None
    hearing = session.hearing()
    assert hearing is not None and hearing.phrases is not None
    assert "da" in hearing.phrases  # the dictation screen answers yes/no now
    effects = heard(session, "da", warning + 2)
    assert session.view.idle_countdown_s is None
    assert screens(effects) == [Screen.DESCRIBE]


def test_words_that_mean_nothing_here_neither_act_nor_keep_the_session_awake(
    session: Session,
) -> None:
    to_proposal(session)
    assert heard(session, "pizza cu ciuperci", 10.0) == []
    assert heard(session, "", 10.0) == []
    assert session.screen is Screen.PROPOSAL
    warning = session.settings.idle_warning_s
    assert session.handle(Tick(), warning + 1)  # idle counted from time 0


@pytest.mark.parametrize("language", ["ro", "hu", "en"])
def test_yes_and_no_work_in_every_language(core: Core, language: str) -> None:
    session = core.new_session()
    session.start(0.0)
    to_describe(session, language)
    session.handle(SubmitText(PROPOSAL_TEXT), 0.0)
    if session.screen is not Screen.PROPOSAL:
        pytest.skip(f"the router does not propose for this text in {language}")
    words = YES_NO[language]
    assert set(words.yes + words.no) <= set(phrases(session))
    assert screens(heard(session, words.yes[0])) == [Screen.CONTACT]


def test_other_yes_no_words_can_be_given_for_a_stand_in_language(core: Core) -> None:
    session = Session(
        core.catalog,
        core.router,
        core.settings.kiosk,
        yes_no={"en": YesNo(("네",), ("아니요",))},
    )
    session.start(0.0)
    to_describe(session, "en")
    session.handle(SubmitText("I want a resident parking permit"), 0.0)
    assert session.screen is Screen.PROPOSAL
    assert {"네", "아니요"} <= set(phrases(session))
    assert screens(heard(session, "아니요")) == [Screen.CHOICES]
