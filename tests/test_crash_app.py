"""A bug in a Qt slot of the real app: report, non-zero exit, outbox intact."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.crash import EXIT_CRASHED
from kiosk.store import Outbox

REPO = Path(__file__).resolve().parents[1]

# Runs the real touch screen offscreen, files a request through the
# categories path, and once the done screen is up raises in a Qt slot.
CITIZEN_THEN_BUG = """
import sys
from pathlib import Path

from kiosk.app import build_core
from kiosk.config import load_settings
from kiosk.logsetup import configure_logging
from kiosk.session import (
    ChooseCategory, ChooseLanguage, ChooseService, ConfirmSummary,
    OpenCategories, Screen, SkipContact, Wake,
)
from kiosk.ui.main import start_app
from kiosk.ui.timer import NamedTimer

configure_logging(service=True)
core = build_core(load_settings(None, Path(sys.argv[1])))
running = start_app(core)
controller = running.controller
fixed = {
    Screen.ATTRACT: Wake(),
    Screen.LANGUAGE: ChooseLanguage("ro"),
    Screen.DESCRIBE: OpenCategories(),
    Screen.CONTACT: SkipContact(),
    Screen.SUMMARY: ConfirmSummary(),
}
pending = []


def on_view_changed(view):
    if view.screen is Screen.DONE:
        print("filed ticket", view.ticket, flush=True)
        bug_timer.start()
    elif view.screen in (Screen.CATEGORIES, Screen.SERVICES):
        kind = ChooseCategory if view.screen is Screen.CATEGORIES else ChooseService
        pending.append(kind(view.choices[0].key))
        step_timer.start()
    elif view.screen in fixed:
        pending.append(fixed[view.screen])
        step_timer.start()


def on_step_timer_timeout():
    controller.dispatch(pending.pop(0))


def on_bug_timer_timeout():
    raise RuntimeError("a bug in a slot, right after filing")


step_timer = NamedTimer("test-step", 0, single_shot=True)
step_timer.timeout.connect(on_step_timer_timeout)
bug_timer = NamedTimer("test-bug", 0, single_shot=True)
bug_timer.timeout.connect(on_bug_timer_timeout)
controller.view_changed.connect(on_view_changed)
on_view_changed(controller.view)
sys.exit(running.app.exec())
"""


def _env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}


@pytest.mark.slow
def test_a_bug_in_a_slot_after_filing_crashes_cleanly_and_loses_nothing(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    crashed = subprocess.run(
        [sys.executable, "-c", CITIZEN_THEN_BUG, str(data)],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert crashed.returncode == EXIT_CRASHED, crashed.stdout + crashed.stderr
    ticket = crashed.stdout.split("filed ticket ")[1].split()[0]
    assert "a bug in a slot" in crashed.stdout
    reports = list((data / "crashes").glob("crash-*.log"))
    assert len(reports) == 1
    report = reports[0].read_text("utf-8")
    assert "RuntimeError: a bug in a slot" in report
    assert "on_bug_timer_timeout" in report
    # The ring buffer: what happened before, up to the filing.
    assert f"Request queued: ticket={ticket}" in report

    restarted = subprocess.run(
        [sys.executable, "-m", "kiosk", "run", "--data-dir", str(data)]
        + ["--screenshot", str(tmp_path / "after-restart.png")],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert restarted.returncode == 0, restarted.stdout + restarted.stderr
    assert "The previous run crashed" in restarted.stdout
    assert list((data / "crashes").glob("crash-*.log")) == []
    with Outbox.in_data_dir(data) as outbox:
        stored = outbox.by_ticket(ticket)
    assert stored is not None
    assert stored.state.value == "queued"
    listed = subprocess.run(
        [sys.executable, "-m", "kiosk", "queue", "list", "--json"]
        + ["--data-dir", str(data)],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert [r["ticket"] for r in json.loads(listed.stdout)] == [ticket]
