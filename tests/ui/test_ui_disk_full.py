"""A full disk under the outbox: a clear message, nothing lost, retry works."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.app import build_core
from kiosk.config import load_settings
from kiosk.i18n import translations
from kiosk.session import ChooseLanguage, Screen, SkipContact, SubmitText, Wake
from kiosk.store import Outbox
from kiosk.ui.filing_worker import STORAGE_FULL
from kiosk.ui.pages_finish import SummaryPage
from tests.helpers.ui import OFFSCREEN_NOISE, start_kiosk, tap

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

TMPFS_SIZE = "512k"
"""Room for an empty outbox; the test fills the rest."""


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A small tmpfs, mounted for this test only."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def _fill(directory: Path) -> Path:
    filler = directory / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\xff" * 1024)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)
    return filler


def test_full_disk_keeps_the_summary_and_retry_files_it(
    qtbot: QtBot, tiny_disk: Path
) -> None:
    core = build_core(load_settings(None, tiny_disk))
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
        filler = _fill(tiny_disk)

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
        with Outbox.in_data_dir(tiny_disk) as outbox:
            stored = outbox.list()
        assert [r.ticket for r in stored] == [ticket]
        assert stored[0].text == "vreau să plătesc impozitul pe casă"
    finally:
        core.close()
