"""What a citizen types never reaches the logs, at any level."""

from __future__ import annotations

import logging

import pytest
from pytestqt.qtbot import QtBot

from kiosk.session import Screen
from kiosk.ui.pages_choice import ChoicesPage, ProposalPage
from kiosk.ui.pages_entry import AttractPage, DescribePage, LanguagePage
from kiosk.ui.pages_finish import ContactPage, SummaryPage
from tests.helpers.ui import OFFSCREEN_NOISE, Kiosk, tap, type_keys

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

TEXT = "vreau să plătesc impozitul pe casa de pe strada Zmeurilor"
PHONE = "0745123456"
EMAIL = "ana.zmeu@example.com"
SECRETS = (TEXT, "Zmeurilor", "745123456", "745 123 456", EMAIL, "ana.zmeu")


def test_a_filed_request_leaves_no_personal_data_in_the_logs(
    qtbot: QtBot, kiosk: Kiosk, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    window = kiosk.window
    attract = window.page(Screen.ATTRACT)
    assert isinstance(attract, AttractPage)
    tap(qtbot, attract.start_button)
    language = window.page(Screen.LANGUAGE)
    assert isinstance(language, LanguagePage)
    tap(qtbot, language.buttons["ro"])
    describe = window.page(Screen.DESCRIBE)
    assert isinstance(describe, DescribePage)
    type_keys(qtbot, describe.keyboard, TEXT)
    tap(qtbot, describe.continue_button)
    if kiosk.controller.view.screen is Screen.PROPOSAL:
        proposal = window.page(Screen.PROPOSAL)
        assert isinstance(proposal, ProposalPage)
        tap(qtbot, proposal.yes_button)
    else:
        choices = window.page(Screen.CHOICES)
        assert isinstance(choices, ChoicesPage)
        tap(qtbot, choices.choice_list.buttons[0])
    contact = window.page(Screen.CONTACT)
    assert isinstance(contact, ContactPage)
    tap(qtbot, contact.phone_field)
    type_keys(qtbot, contact.keyboard, PHONE)
    tap(qtbot, contact.email_field)
    type_keys(qtbot, contact.keyboard, EMAIL)
    tap(qtbot, contact.consent_box)
    tap(qtbot, contact.continue_button)
    summary = window.page(Screen.SUMMARY)
    assert isinstance(summary, SummaryPage)
    tap(qtbot, summary.send_button)
    qtbot.waitUntil(lambda: kiosk.controller.view.screen is Screen.DONE, timeout=10_000)
    ticket = kiosk.controller.view.ticket
    assert ticket
    stored = kiosk.core.outbox.by_ticket(ticket)
    assert stored is not None and stored.email == EMAIL and stored.phone

    logged = "\n".join(
        f"{r.name} {r.levelname} {r.getMessage()}" for r in caplog.records
    )
    # The flow was logged (so the check below looks at something real) ...
    assert f"Request queued: ticket={ticket}" in logged
    assert "ui.event SubmitContact" in logged
    # ... and nothing the citizen entered was.
    assert [secret for secret in SECRETS if secret.lower() in logged.lower()] == []
    assert stored.phone not in logged
