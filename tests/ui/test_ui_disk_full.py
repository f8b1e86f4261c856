"""A full disk under the outbox: a clear message, nothing lost, retry works."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.app import build_core
from kiosk.catalog import Catalog
from kiosk.config import load_settings
from kiosk.i18n import translations
from kiosk.routing import Router
from kiosk.session import ChooseLanguage, Screen, SkipContact, SubmitText, Wake
from kiosk.store import Outbox
from kiosk.ui.filing_worker import STORAGE_FULL
from kiosk.ui.pages_finish import SummaryPage
from tests.conftest import fill_disk
from tests.helpers.ui import OFFSCREEN_NOISE, start_kiosk, tap

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def test_full_disk_keeps_the_summary_and_retry_files_it(
    qtbot: QtBot, small_disk: Path, catalog: Catalog, router: Router
) -> None:
    core = build_core(load_settings(None, small_disk), catalog, router)
    try:
        kiosk = start_kiosk(qtbot, core)
        controller = kiosk.controller
        for event in (
            Wake(),
            ChooseLanguage("ro"),
            SubmitText("vreau să plătesc impozitul pe casă"),
        ):
            controller.dispatch(event)
        if controller.view.screen is Screen.PROPOSAL:
            tap(qtbot, kiosk.window.page(Screen.PROPOSAL).yes_button)  # type: ignore[attr-defined]
        else:
            tap(qtbot, kiosk.window.page(Screen.CHOICES).choice_list.buttons[0])  # type: ignore[attr-defined]
        controller.dispatch(SkipContact())
        summary = kiosk.window.page(Screen.SUMMARY)
        assert isinstance(summary, SummaryPage)
        assert kiosk.window.current_page is summary
        filler = fill_disk(small_disk)

        tap(qtbot, summary.send_button)
        qtbot.waitUntil(
            lambda: (
                controller.view.screen is Screen.SUMMARY
                and controller.view.message is not None
            ),
            timeout=10_000,
        )

        message = translations("ro").gettext(STORAGE_FULL)
        assert message != STORAGE_FULL
        assert kiosk.window.message_label.text() == message
        assert kiosk.window.message_label.isVisible()
        assert kiosk.window.current_page is summary
        assert summary.text_value.text() == "vreau să plătesc impozitul pe casă"
        assert summary.send_button.isVisible()

        filler.unlink()
        tap(qtbot, summary.send_button)
        qtbot.waitUntil(lambda: controller.view.screen is Screen.DONE, timeout=10_000)

        ticket = controller.view.ticket
        assert ticket
        kiosk.window.close()
        with Outbox.in_data_dir(small_disk) as outbox:
            stored = outbox.list()
        assert [r.ticket for r in stored] == [ticket]
        assert stored[0].text == "vreau să plătesc impozitul pe casă"
    finally:
        core.close()
