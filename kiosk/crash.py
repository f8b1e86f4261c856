"""Crash handling: log the last lines and the traceback, then exit for a restart.

An unhandled exception in any thread is a bug. The kiosk does not try to
carry on in an unknown state: it writes a crash report (the traceback and a
ring buffer of recent log lines) into the data directory, logs it, and exits
with a non-zero status so that systemd restarts it. The outbox is safe
across this: every request was committed with a full sync before the
citizen saw its ticket. The next start reports the previous crash once.
"""

from __future__ import annotations

import collections
import faulthandler
import logging
import os
import signal
import sys
import threading
import traceback
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TextIO

logger = logging.getLogger(__name__)

EXIT_CRASHED = 70
"""Exit status after an unhandled exception (EX_SOFTWARE in sysexits.h)."""


class RingBufferHandler(logging.Handler):
    """Keeps the last ``capacity`` formatted log lines in memory."""

    def __init__(self, capacity: int = 300) -> None:
        super().__init__()
        self.lines: collections.deque[str] = collections.deque(maxlen=capacity)
        self.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        )

    def emit(self, record: logging.LogRecord) -> None:
        """Remember one record."""
        try:
            self.lines.append(self.format(record))
        except Exception:  # noqa: BLE001 - a log handler must never raise
            self.handleError(record)


class CrashHandler:
    """Installs the hooks that turn any unhandled exception into a report."""

    def __init__(self, crash_dir: Path, ring: RingBufferHandler) -> None:
        self.crash_dir = crash_dir
        self.ring = ring
        self._fault_file: TextIO | None = None

    def install(self) -> None:
        """Hook the main thread, other threads, fatal signals and SIGUSR1."""
        self.crash_dir.mkdir(parents=True, exist_ok=True)
        logging.getLogger().addHandler(self.ring)
        # faulthandler covers what Python cannot catch (segfaults in Qt or a
        # native library); SIGUSR1 dumps every thread's stack on demand.
        self._fault_file = (self.crash_dir / "faulthandler.log").open("a")
        faulthandler.enable(self._fault_file, all_threads=True)
        faulthandler.register(signal.SIGUSR1, self._fault_file, all_threads=True)
        sys.excepthook = self._on_exception
        threading.excepthook = self._on_thread_exception

    def _on_thread_exception(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread else "unknown thread"
        self._crash(args.exc_type, args.exc_value, args.exc_traceback, name)

    def _on_exception(
        self,
        exc_type: type[BaseException],
        exc_value: BaseException,
        exc_traceback: TracebackType | None,
    ) -> None:
        # Qt slots end up here too, on whichever thread runs them.
        where = threading.current_thread().name
        self._crash(exc_type, exc_value, exc_traceback, f"thread {where}")

    def _crash(
        self,
        exc_type: type[BaseException],
        exc_value: BaseException | None,
        exc_traceback: TracebackType | None,
        where: str,
    ) -> None:
        trace = "".join(traceback.format_exception(exc_type, exc_value, exc_traceback))
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        report = self.crash_dir / f"crash-{stamp}.log"
        try:
            report.write_text(
                f"Unhandled exception in {where}\n\n{trace}\n"
                "Last log lines:\n" + "\n".join(self.ring.lines) + "\n",
                encoding="utf-8",
            )
        except OSError as exc:
            logger.error("Cannot write the crash report %s: %s", report, exc)
        logger.critical(
            "Unhandled exception in %s, exiting; report %s\n%s", where, report, trace
        )
        logging.shutdown()
        # os._exit rather than sys.exit: other threads (the Qt loop, device
        # workers) must not keep the process alive in an unknown state.
        os._exit(EXIT_CRASHED)


def report_previous_crashes(crash_dir: Path) -> list[Path]:
    """Log crash reports left by earlier runs once, and mark them as seen."""
    seen = []
    for report in sorted(crash_dir.glob("crash-*.log")):
        logger.warning("The previous run crashed; report in %s", report)
        target = report.with_suffix(".seen")
        try:
            report.rename(target)
        except OSError as exc:
            logger.warning("Cannot mark %s as seen: %s", report, exc)
            continue
        seen.append(target)
    return seen
