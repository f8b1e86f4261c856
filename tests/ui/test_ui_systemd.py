"""The kiosk and systemd: READY after the first frame, pings from the Qt loop."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.app import Core
from kiosk.ui.main import RunningKiosk, start_app
from kiosk.ui.watchdog import STATUS_READY
from tests.helpers.notify import NotifyListener
from tests.helpers.ui import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

WATCHDOG_USEC = 400_000
"""A 0.4 s watchdog: the kiosk pings every 0.2 s."""
FREEZE_S = 1.2


@pytest.fixture
def listener(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[NotifyListener]:
    listening = NotifyListener(tmp_path / "notify.sock")
    monkeypatch.setenv("NOTIFY_SOCKET", str(listening.path))
    monkeypatch.setenv("WATCHDOG_USEC", str(WATCHDOG_USEC))
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    yield listening
    listening.close()


@pytest.fixture
def running(
    qtbot: QtBot, core: Core, listener: NotifyListener
) -> Iterator[RunningKiosk]:
    kiosk = start_app(core, process_hooks=False)
    qtbot.addWidget(kiosk.window, before_close_func=lambda _: kiosk.close())
    yield kiosk


def freeze_event_loop(seconds: float) -> tuple[float, float]:
    """Block the Qt thread the way a deadlocked slot would; return start, end."""
    held = threading.Lock()
    held.acquire()
    started = time.monotonic()
    held.acquire(timeout=seconds)  # nobody releases it: a deadlock
    return started, time.monotonic()


def test_ready_is_sent_once_the_first_frame_is_painted(
    qtbot: QtBot, running: RunningKiosk, listener: NotifyListener
) -> None:
    qtbot.waitUntil(lambda: listener.times_of("READY=1") != [], timeout=10_000)

    assert running.first_frame.painted_after_s is not None
    painted_at = running.first_frame.started_s + running.first_frame.painted_after_s
    assert listener.times_of("READY=1")[0] >= painted_at
    assert f"STATUS={STATUS_READY}" in listener.fields()


def test_a_frozen_event_loop_stops_the_watchdog_pings_until_it_thaws(
    qtbot: QtBot, running: RunningKiosk, listener: NotifyListener
) -> None:
    qtbot.waitUntil(lambda: len(listener.times_of("WATCHDOG=1")) >= 3, timeout=10_000)

    started, ended = freeze_event_loop(FREEZE_S)
    before = len(listener.times_of("WATCHDOG=1"))
    qtbot.waitUntil(
        lambda: len(listener.times_of("WATCHDOG=1")) >= before + 3, timeout=10_000
    )

    pings = listener.times_of("WATCHDOG=1")
    # A ping already on its way when the freeze began may land just after.
    during = [t for t in pings if started + 0.05 < t < ended]
    assert during == []
    assert any(t >= ended for t in pings)
    # Between two pings on either side of the freeze lies the whole freeze:
    # longer than the watchdog period, so systemd would have restarted us.
    gap = min(t for t in pings if t >= ended) - max(
        t for t in pings if t <= started + 0.05
    )
    assert gap >= FREEZE_S > WATCHDOG_USEC / 1e6
