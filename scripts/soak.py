#!/usr/bin/env python3
"""Soak test: many citizen sessions through the real session and touch screen.

Usage: PYTHONPATH=. .venv/bin/python scripts/soak.py [--sessions N]

Each session taps real buttons on the real window (offscreen unless DISPLAY
is set): attract -> language -> describe -> categories -> a service ->
contact (skipped) -> summary -> send -> (for a fee: pay later) -> done ->
finish. Filing writes to a real outbox in a temporary directory and prints
on the simulated printer.
Meanwhile a thread stands in for the sync: it claims a batch from the
outbox and records it as sent, as ``kiosk.sync`` does, so the filing worker
meets a busy database.

Printed: RSS, threads and Qt timers after warm-up and at the end (and every
--report-every sessions), and the time from each touch to the next screen
being painted (p50, p99, max), from a fixed-size histogram.
"""

from __future__ import annotations

import argparse
import collections
import gc
import logging
import math
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault(
    "QT_QPA_PLATFORM", "xcb" if os.environ.get("DISPLAY") else "offscreen"
)

from PySide6.QtCore import (  # noqa: E402
    QEvent,
    QMessageLogContext,
    QObject,
    Qt,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget  # noqa: E402

from kiosk.app import build_core  # noqa: E402
from kiosk.config import load_settings  # noqa: E402
from kiosk.session import Screen  # noqa: E402
from kiosk.store import Outbox, Outcome, OutcomeKind  # noqa: E402
from kiosk.ui.main import RunningKiosk, start_app  # noqa: E402

TOUCH_TIMEOUT_S = 30.0
SYNC_PAUSE_S = 0.2
SYNC_BATCH = 25


class Latencies:
    """Touch latencies in log-spaced buckets: fixed memory however long the soak.

    Each bucket is 1 % wider than the one below, so a percentile read from it
    is within 1 % of the exact one; count and max are exact.
    """

    STEP = 1.01
    FLOOR_MS = 0.01

    def __init__(self) -> None:
        self.buckets: collections.Counter[int] = collections.Counter()
        self.count = 0
        self.max_ms = 0.0

    def add(self, ms: float) -> None:
        index = max(
            0, math.ceil(math.log(max(ms, self.FLOOR_MS) / self.FLOOR_MS, self.STEP))
        )
        self.buckets[index] += 1
        self.count += 1
        self.max_ms = max(self.max_ms, ms)

    def merge(self, other: Latencies) -> None:
        self.buckets.update(other.buckets)
        self.count += other.count
        self.max_ms = max(self.max_ms, other.max_ms)

    def percentile(self, fraction: float) -> float:
        """The bucket's upper edge holding the ``fraction`` point (ms)."""
        rank = min(self.count - 1, int(fraction * self.count))
        seen = 0
        for index in sorted(self.buckets):
            seen += self.buckets[index]
            if seen > rank:
                return min(self.max_ms, self.FLOOR_MS * self.STEP**index)
        return self.max_ms


class PaintWatch(QObject):
    """Remembers when each page was last painted."""

    def __init__(self, pages: list[QWidget]) -> None:
        super().__init__()
        self.painted: dict[int, float] = {}
        for page in pages:
            page.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            self.painted[id(watched)] = time.perf_counter()
        return False


class SyncStandIn(threading.Thread):
    """Reads and writes the outbox the way a sync would, until stopped."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__(name="sync-stand-in", daemon=True)
        self.data_dir = data_dir
        self.stop_event = threading.Event()
        self.rounds = 0

    def run(self) -> None:
        with Outbox.in_data_dir(self.data_dir) as outbox:
            while not self.stop_event.wait(SYNC_PAUSE_S):
                # A batch at a time, as kiosk.sync claims and records them:
                # reading the whole outbox each round would make the soak's
                # own peak memory (and RSS) grow with every filed request.
                batch = outbox.claim(SYNC_BATCH)
                outbox.record(
                    Outcome(r.uuid, OutcomeKind.SENT, detail=f"srv-{r.ticket}")
                    for r in batch
                )
                self.rounds += 1


def rss_mb() -> float:
    return _status_field("VmRSS") / 1024


def os_threads() -> int:
    return _status_field("Threads")


def _status_field(name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{name} missing from /proc/self/status")


def qt_timers(running: RunningKiosk) -> tuple[int, int]:
    """(all, active) QTimers owned by the window and the controller."""
    timers = running.window.findChildren(QTimer) + running.controller.findChildren(
        QTimer
    )
    return len(timers), sum(1 for t in timers if t.isActive())


class Citizen:
    """Taps through one session and times every touch."""

    def __init__(self, app: QApplication, running: RunningKiosk) -> None:
        self.app = app
        self.running = running
        self.pages = running.window.pages
        self.watch = PaintWatch(list(dict.fromkeys(self.pages.values())))
        self.touch_ms: dict[str, Latencies] = {}
        self.filing_ms = Latencies()

    @property
    def screen(self) -> Screen:
        return self.running.controller.view.screen

    def touch(
        self, name: str, button: QAbstractButton, expect: tuple[Screen, ...]
    ) -> Screen:
        """Tap ``button``; wait until one of ``expect`` is painted."""
        started = time.perf_counter()
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        screen = self.wait_painted(expect, started)
        step = f"{name} -> {screen.value}"
        elapsed = (time.perf_counter() - started) * 1000
        self.touch_ms.setdefault(step, Latencies()).add(elapsed)
        return screen

    def wait_painted(self, expect: tuple[Screen, ...], since: float) -> Screen:
        """Run the event loop until one of ``expect`` has been painted."""
        deadline = since + TOUCH_TIMEOUT_S
        while True:
            screen = self.screen
            page = self.pages[screen]
            if screen in expect and self.watch.painted.get(id(page), 0) >= since:
                return screen
            if time.perf_counter() > deadline:
                raise SystemExit(f"no paint of {expect} after a touch; on {screen}")
            self.app.processEvents()

    def session(self, number: int) -> None:
        p: dict[Screen, Any] = dict(self.pages)
        self.touch("attract", p[Screen.ATTRACT].start_button, (Screen.LANGUAGE,))
        self.touch("language", p[Screen.LANGUAGE].buttons["ro"], (Screen.DESCRIBE,))
        self.touch(
            "describe", p[Screen.DESCRIBE].categories_button, (Screen.CATEGORIES,)
        )
        tiles = p[Screen.CATEGORIES].choice_list.buttons
        self.touch("category", tiles[number % len(tiles)], (Screen.SERVICES,))
        services = p[Screen.SERVICES].choice_list.buttons
        screen = self.touch(
            "service",
            services[number % len(services)],
            (Screen.CONTACT, Screen.EXTERNAL),
        )
        if screen is Screen.EXTERNAL:
            # Not a city hall matter: the citizen starts over.
            start_over = self.running.window.start_over_button
            self.touch("start over", start_over, (Screen.ATTRACT,))
            self.app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            return
        self.touch("contact skip", p[Screen.CONTACT].skip_button, (Screen.SUMMARY,))
        sent = time.perf_counter()
        self.touch(
            "summary send", p[Screen.SUMMARY].send_button, (Screen.FILING, Screen.DONE)
        )
        screen = self.wait_painted((Screen.DONE, Screen.PAY_OFFER), sent)
        self.filing_ms.add((time.perf_counter() - sent) * 1000)
        if screen is Screen.PAY_OFFER:
            # A service with a fee: the citizen leaves it for later.
            later = p[Screen.PAY_OFFER].later_button
            self.touch("pay offer later", later, (Screen.DONE,))
        self.touch("done finish", p[Screen.DONE].finish_button, (Screen.ATTRACT,))
        # exec() would delete what deleteLater() marked (old choice buttons);
        # processEvents() called from outside any loop does not, so do it here.
        self.app.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def snapshot(label: str, running: RunningKiosk) -> tuple[float, int, int, int]:
    gc.collect()
    rss = rss_mb()
    timers, active = qt_timers(running)
    print(
        f"{label:<18} rss={rss:7.1f} MB  os_threads={os_threads():3d}  "
        f"py_threads={threading.active_count():2d}  qt_timers={timers} "
        f"(active {active})",
        flush=True,
    )
    return rss, os_threads(), threading.active_count(), timers


def summary(name: str, values: Latencies) -> str:
    return (
        f"{name:<40} n={values.count:<6} p50={values.percentile(0.5):7.1f} ms  "
        f"p99={values.percentile(0.99):7.1f} ms  max={values.max_ms:7.1f} ms"
    )


def quiet_qt(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    # The offscreen platform says this on every show of a top-level window.
    if "propagateSizeHints" not in message:
        print(f"qt: {message}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--warm-up", type=int, default=20)
    parser.add_argument("--report-every", type=int, default=500)
    args = parser.parse_args()

    logging.basicConfig(level=logging.WARNING)
    qInstallMessageHandler(quiet_qt)
    app = QApplication.instance() or QApplication(["kiosk-soak"])
    assert isinstance(app, QApplication)
    tmp = Path(tempfile.mkdtemp(prefix="antonia-soak-"))
    core = build_core(load_settings(None, tmp / "data"))
    running = start_app(core, process_hooks=False)
    citizen = Citizen(app, running)
    sync = SyncStandIn(tmp / "data")
    receipts = tmp / "data" / "receipts"
    print(
        f"platform={QApplication.platformName()} sessions={args.sessions}", flush=True
    )
    snapshot("process start", running)
    started = time.perf_counter()
    try:
        for number in range(args.warm_up):
            citizen.session(number)
        sync.start()
        base = snapshot("after warm-up", running)
        citizen.touch_ms.clear()
        citizen.filing_ms = Latencies()
        for number in range(args.sessions):
            citizen.session(number)
            if (number + 1) % args.report_every == 0:
                # The printer's paper, so to say: keep the temp dir small.
                shutil.rmtree(receipts, ignore_errors=True)
                snapshot(f"after {number + 1}", running)
        end = snapshot("end", running)
    finally:
        sync.stop_event.set()
        sync.join()
        running.close()
        core.close()
        shutil.rmtree(tmp, ignore_errors=True)

    elapsed = time.perf_counter() - started
    print(f"sessions={args.sessions} in {elapsed:.0f} s; sync rounds={sync.rounds}")
    print("touch -> next screen painted:")
    for step, values in sorted(citizen.touch_ms.items()):
        print(summary(f"  {step}", values))
    everything = Latencies()
    for values in citizen.touch_ms.values():
        everything.merge(values)
    print(summary("  all touches", everything))
    print(summary("send -> receipt printed, next painted", citizen.filing_ms))
    print(
        f"RSS growth {end[0] - base[0]:+.1f} MB (goal <= 10); "
        f"threads {base[1]} -> {end[1]}; qt timers {base[3]} -> {end[3]}"
    )


if __name__ == "__main__":
    main()
