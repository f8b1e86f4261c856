"""The whole touch flow, from the attract screen to a filed, printed request."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from kiosk.i18n import translations
from kiosk.session import Screen
from kiosk.store import Outbox
from kiosk.ui.pages_choice import ChoicesPage, ProposalPage
from kiosk.ui.pages_entry import AttractPage, DescribePage, LanguagePage
from kiosk.ui.pages_finish import ContactPage, DonePage, SummaryPage
from tests.helpers.ui import OFFSCREEN_NOISE, Kiosk, tap, type_keys

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

TEXT = "vreau să plătesc impozitul pe casă"
EMAIL = "Ana.Pop@example.com"


def _on(kiosk: Kiosk, screen: Screen) -> None:
    assert kiosk.controller.view.screen is screen
    assert kiosk.window.current_page is kiosk.window.page(screen)


def test_touch_flow_files_the_request_and_prints_the_receipt(
    qtbot: QtBot, kiosk: Kiosk
) -> None:
    window = kiosk.window
    attract = window.page(Screen.ATTRACT)
    assert isinstance(attract, AttractPage)
    tap(qtbot, attract.start_button)
    _on(kiosk, Screen.LANGUAGE)

    language = window.page(Screen.LANGUAGE)
    assert isinstance(language, LanguagePage)
    tap(qtbot, language.buttons["ro"])
    _on(kiosk, Screen.DESCRIBE)
    ro = translations("ro").gettext
    assert window.prompt_label.text() == ro("Tell us what you need, in your own words.")

    describe = window.page(Screen.DESCRIBE)
    assert isinstance(describe, DescribePage)
    type_keys(qtbot, describe.keyboard, TEXT)
    assert describe.text_field.toPlainText() == TEXT
    tap(qtbot, describe.continue_button)

    screen = kiosk.controller.view.screen
    if screen is Screen.PROPOSAL:
        proposal = window.page(Screen.PROPOSAL)
        assert isinstance(proposal, ProposalPage)
        service_code = kiosk.controller.session._draft.service.code  # type: ignore[union-attr]
        tap(qtbot, proposal.yes_button)
    else:
        _on(kiosk, Screen.CHOICES)
        choices = window.page(Screen.CHOICES)
        assert isinstance(choices, ChoicesPage)
        first = choices.choice_list.buttons[0]
        service_code = str(first.property("key"))
        tap(qtbot, first)
    _on(kiosk, Screen.CONTACT)

    contact = window.page(Screen.CONTACT)
    assert isinstance(contact, ContactPage)
    tap(qtbot, contact.email_field)
    type_keys(qtbot, contact.keyboard, EMAIL)
    assert contact.email_field.text() == EMAIL
    assert contact.phone_field.text() == ""
    tap(qtbot, contact.consent_box)
    assert contact.consent_box.isChecked()
    tap(qtbot, contact.continue_button)
    _on(kiosk, Screen.SUMMARY)

    summary = window.page(Screen.SUMMARY)
    assert isinstance(summary, SummaryPage)
    assert summary.text_value.text() == TEXT
    assert summary.contact_value.text() == EMAIL
    tap(qtbot, summary.send_button)

    qtbot.waitUntil(lambda: kiosk.controller.view.screen is Screen.DONE, timeout=10_000)
    _on(kiosk, Screen.DONE)
    view = kiosk.controller.view
    ticket = view.ticket
    assert ticket
    assert view.printed
    done = window.page(Screen.DONE)
    assert isinstance(done, DonePage)
    assert done.ticket_label.text() == ticket
    assert not done.qr_label.pixmap().isNull()
    assert ticket in window.prompt_label.text()
    assert not window.message_label.isVisible()

    data_dir = kiosk.core.settings.storage.data_dir
    with Outbox.in_data_dir(data_dir) as outbox:
        stored = outbox.by_ticket(ticket)
    assert stored is not None
    assert stored.service_code == service_code
    assert stored.text == TEXT
    assert stored.email == "Ana.Pop@example.com"
    assert stored.consent is True
    assert stored.phone is None
    assert stored.language == "ro"

    receipt_text = (data_dir / "receipts" / f"{ticket}.txt").read_text("utf-8")
    department = kiosk.core.catalog.department(stored.department).name("ro")
    assert ticket in receipt_text
    assert department in receipt_text
    assert (data_dir / "receipts" / f"{ticket}.png").stat().st_size > 0

    tap(qtbot, done.finish_button)
    _on(kiosk, Screen.ATTRACT)
