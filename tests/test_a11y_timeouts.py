"""Every time-out is announced by speech and on screen, and can be extended."""

from __future__ import annotations

import pytest

from kiosk.accessibility import MIN_EXTENSIONS
from kiosk.app import Core
from kiosk.config import KioskSettings
from kiosk.filing import FilingResult
from kiosk.i18n import translations
from kiosk.payment_flow import PayLater
from kiosk.session import (
    ChooseCategory,
    ChooseLanguage,
    ChooseService,
    ConfirmSummary,
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

WARNING = "Do you need more time? Touch the screen or press any key."
COUNTDOWN = "The kiosk starts over in {seconds} seconds."


@pytest.fixture
def session(core: Core) -> Session:
    session = core.new_session()
    session.start(now=0.0)
    return session


def test_the_default_warning_leaves_at_least_twenty_seconds_to_answer() -> None:
    assert KioskSettings().idle_reset_s >= 20


@pytest.mark.parametrize("lang", ["ro", "hu", "en"])
def test_the_idle_warning_is_said_and_shown_and_extends_at_least_ten_times(
    session: Session, core: Core, lang: str
) -> None:
    settings = core.settings.kiosk
    _ = translations(lang).gettext
    now = 0.0
    session.handle(Wake(), now)
    session.handle(ChooseLanguage(lang), now)
    extensions = MIN_EXTENSIONS + 2
    for _round in range(extensions):
        now += settings.idle_warning_s
        effects = session.handle(Tick(), now)
        shown = [e.view for e in effects if isinstance(e, Show)]
        said = [e for e in effects if isinstance(e, Say)]
        assert shown and shown[-1].idle_countdown_s == int(settings.idle_reset_s)
        expected = f"{_(WARNING)} " + _(COUNTDOWN).format(
            seconds=int(settings.idle_reset_s)
        )
        assert said == [Say(expected, lang)]
        # The citizen answers near the end of the countdown.
        now += settings.idle_reset_s - 1
        session.handle(Tick(), now)
        assert session.view.idle_countdown_s == 1
        effects = session.handle(MoreTime(), now)
        assert session.view.idle_countdown_s is None
        assert session.screen is Screen.DESCRIBE
    # With no answer, the session ends only after the whole countdown.
    now += settings.idle_warning_s
    session.handle(Tick(), now)
    session.handle(Tick(), now + settings.idle_reset_s - 0.5)
    assert session.screen is Screen.DESCRIBE
    session.handle(Tick(), now + settings.idle_reset_s)
    assert session.screen is Screen.ATTRACT


def _to_done(session: Session, core: Core, now: float) -> None:
    session.handle(Wake(), now)
    session.handle(ChooseLanguage("en"), now)
    session.handle(OpenCategories(), now)
    session.handle(ChooseCategory("parking"), now)
    session.handle(ChooseService("parking.resident_permit_application"), now)
    session.handle(SkipContact(), now)
    effects = session.handle(ConfirmSummary(), now)
    request = next(e.request for e in effects if isinstance(e, FileRequest))
    result: FilingResult = core.filing.file(request)
    session.handle(Filed(result), now)
    if session.screen is Screen.PAY_OFFER:
        # The resident permit has a fee; this test is about the ticket.
        session.handle(PayLater(), now)
    assert session.screen is Screen.DONE


def test_a_touch_or_key_on_the_done_screen_keeps_the_ticket_up(
    session: Session, core: Core
) -> None:
    done_s = core.settings.kiosk.done_screen_s
    _to_done(session, core, 0.0)
    now = 0.0
    for _round in range(MIN_EXTENSIONS + 2):
        now += done_s - 1
        assert session.handle(Tick(), now) == []
        session.handle(MoreTime(), now)
    assert session.screen is Screen.DONE
    session.handle(Tick(), now + done_s)
    assert session.screen is Screen.ATTRACT
