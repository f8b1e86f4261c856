"""What the technician screen reads and does, without Qt.

Everything here may block (SQLite, the printer, waiting for the board), so
the screen calls it from a worker thread. Nothing here reads or returns a
citizen's words or contact details: the outbox summary holds tickets,
service codes, states and times only.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from firmware_bridge.link import LinkState, McuLink, McuStatus
from firmware_bridge.messages import LedPattern
from kiosk.config import Settings
from kiosk.crash import RingBufferHandler
from kiosk.diag.cli import DiagParts, run_diag
from kiosk.diag.devices import (
    check_mcu_status,
    check_printer,
    check_speech_output,
    check_test_receipt,
)
from kiosk.diag.model import CheckResult, Finding, failed, ok, warning
from kiosk.diag.system import open_outbox_read_only
from kiosk.hardware.camera import CameraState
from kiosk.hardware.camera_monitor import CameraMonitor
from kiosk.hardware.printer import Printer, PrinterStatus
from kiosk.receipt import Receipt
from kiosk.speech.playback import PlaybackHealth

logger = logging.getLogger(__name__)

SyncNow = Callable[[], str]
"""Runs one sync to the back-end and returns a one-line summary."""

WAITING_STATES = ("queued", "sending", "waiting_token")
"""Outbox states that still wait for the back-end."""
LED_TEST_WAIT_S = 2.0


@dataclass(frozen=True)
class WaitingItem:
    """The oldest request still waiting: no words, no contact details."""

    ticket: str
    service_code: str
    state: str
    created_utc: str
    """ISO 8601 time stamp in UTC."""


@dataclass(frozen=True)
class OutboxSummary:
    """Requests per state and the oldest one still waiting."""

    counts: dict[str, int] = field(default_factory=dict)
    oldest: WaitingItem | None = None
    problem: str = ""
    """Why the outbox could not be read; empty when it was."""


def read_outbox_summary(data_dir: Path) -> OutboxSummary:
    """Count the outbox's requests by state, read-only."""
    try:
        conn = open_outbox_read_only(data_dir)
        if conn is None:
            return OutboxSummary()
        try:
            counts = dict(
                conn.execute(
                    "SELECT state, count(*) FROM requests GROUP BY state ORDER BY state"
                ).fetchall()
            )
            marks = ",".join("?" * len(WAITING_STATES))
            row = conn.execute(
                "SELECT ticket, service_code, state, created_utc FROM requests"
                f" WHERE state IN ({marks}) ORDER BY created_utc, ticket LIMIT 1",
                WAITING_STATES,
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        logger.warning("Technician screen cannot read the outbox: %s", exc)
        return OutboxSummary(problem=f"cannot read the outbox: {exc}")
    oldest = WaitingItem(*(str(value) for value in row)) if row else None
    return OutboxSummary({str(k): int(v) for k, v in counts.items()}, oldest)


class BorrowedPrinter:
    """The kiosk's printer lent to a check: the check's close() is ignored."""

    def __init__(self, printer: Printer) -> None:
        self._printer = printer

    def status(self) -> PrinterStatus:
        """The printer's status."""
        return self._printer.status()

    def print_receipt(self, receipt: Receipt) -> None:
        """Print on the kiosk's printer."""
        self._printer.print_receipt(receipt)

    def close(self) -> None:
        """Keep the kiosk's printer open."""


def check_camera_status(source: str, camera: CameraMonitor | None) -> Finding:
    """Judges the running camera monitor (the kiosk owns the camera)."""
    if camera is None:
        return failed(
            f"the camera {source!r} could not be set up",
            "see the kiosk's log; check OpenCV and the [camera] source",
        )
    status = camera.status()
    name = "simulated camera" if source == "simulated" else source
    if status.state is CameraState.READY:
        took = status.last_processing_ms or 0.0
        return ok(f"{name}: {status.frames} frames looked at, last in {took:.0f} ms")
    if status.state in (CameraState.OPENING, CameraState.CLOSED):
        return warning(f"{name} is {status.state.value}", "wait a few seconds")
    return failed(
        f"{name} is {status.state.value}: {status.detail}",
        "reseat the camera's USB cable; replace it if it keeps failing",
    )


@dataclass
class LiveParts:
    """The running kiosk's devices, checked in place instead of reopened."""

    settings: Settings
    printer: Printer
    camera: CameraMonitor | None = None
    mcu_status: Callable[[], McuStatus] | None = None
    set_led: Callable[[LedPattern], None] | None = None
    wait_led: Callable[[LedPattern, float], bool] | None = None
    sync_now: SyncNow | None = None
    speech_health: Callable[[], PlaybackHealth | None] | None = None
    """How the kiosk's own speech output has gone lately, if it speaks."""

    def diag_parts(self) -> DiagParts:
        """Checks of printer, camera, MCU and speech on what the kiosk holds."""
        extra = {
            "printer": lambda: check_printer(BorrowedPrinter(self.printer)),
            "camera": lambda: check_camera_status(
                self.settings.camera.source, self.camera
            ),
        }
        speech_health = self.speech_health
        if speech_health is not None:
            extra["speaker"] = lambda: check_speech_output(speech_health())
        mcu_status = self.mcu_status
        if mcu_status is not None:
            port = self.settings.mcu.port
            extra["mcu"] = lambda: check_mcu_status(port, mcu_status())
        return DiagParts(extra=extra)

    def run_checks(self) -> list[CheckResult]:
        """The same passive checks as ``kiosk diag``, on the live devices."""
        return run_diag(self.settings, parts=self.diag_parts())

    def test_receipt(self) -> Finding:
        """Print a test receipt on the kiosk's printer."""
        return check_test_receipt(self.settings, BorrowedPrinter(self.printer))

    def test_led(self) -> Finding:
        """Show the LED test pattern and wait for the board to confirm it."""
        if self.set_led is None or self.wait_led is None:
            return failed("no microcontroller link", "check the [mcu] port")
        self.set_led(LedPattern.TEST)
        if self.wait_led(LedPattern.TEST, LED_TEST_WAIT_S):
            return ok("LED test pattern shown; check every colour lights up")
        return failed(
            "the LED test pattern was not confirmed",
            "check the board's cable; restart the microcontroller board",
        )

    def sync(self) -> Finding:
        """Run one sync now, if this kiosk has sync."""
        if self.sync_now is None:
            return warning("sync is not available in this build", "")
        return ok(self.sync_now())


def link_waiter(link: McuLink) -> Callable[[LedPattern, float], bool]:
    """A function that waits until ``link`` confirms an LED pattern."""

    def wait(pattern: LedPattern, timeout_s: float) -> bool:
        if link.status().state is not LinkState.CONNECTED:
            return False
        done = link.wait_until(
            lambda s: s.led_acked is not None and s.led_acked.pattern is pattern,
            timeout_s,
        )
        return done is not None

    return wait


def log_ring() -> RingBufferHandler:
    """The ring buffer of recent log lines; installs one if there is none."""
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, RingBufferHandler):
            return handler
    ring = RingBufferHandler()
    root.addHandler(ring)
    return ring
