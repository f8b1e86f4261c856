"""Check results and the runner that bounds every check in time."""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

logger = logging.getLogger(__name__)


class Level(enum.Enum):
    """How a check came out; the order is the severity."""

    OK = "ok"
    WARNING = "warning"
    FAILED = "failed"


@dataclass(frozen=True)
class Finding:
    """What one check found, in plain words for a technician."""

    level: Level
    summary: str
    """One line: what was seen, and the cause when it is not ok."""
    remedy: str = ""
    """One line: what to do about it; empty when nothing needs doing."""


def ok(summary: str) -> Finding:
    """A finding that needs nothing done."""
    return Finding(Level.OK, summary)


def warning(summary: str, remedy: str) -> Finding:
    """A finding that degrades the kiosk but lets it work."""
    return Finding(Level.WARNING, summary, remedy)


def failed(summary: str, remedy: str) -> Finding:
    """A finding that stops part of the kiosk from working."""
    return Finding(Level.FAILED, summary, remedy)


@dataclass(frozen=True)
class CheckResult:
    """A finding with the check's name and how long it took."""

    name: str
    finding: Finding
    elapsed_ms: float


Check = Callable[[], Finding]


def run_checks(
    checks: Sequence[tuple[str, Check]], timeout_s: float
) -> list[CheckResult]:
    """Run every check at once; each gets at most ``timeout_s``.

    A check that raises or overruns is reported as failed; its thread is a
    daemon, so a hung driver can't keep the command from exiting.
    """
    slots: dict[str, CheckResult] = {}
    threads = []
    started = time.monotonic()
    for name, check in checks:
        thread = threading.Thread(
            target=_run_one, args=(name, check, slots), name=f"diag-{name}", daemon=True
        )
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(max(0.0, started + timeout_s - time.monotonic()))
    results = []
    for name, _check in checks:
        result = slots.get(name)
        if result is None:
            result = CheckResult(
                name,
                failed(
                    f"no answer within {timeout_s:.1f} s",
                    "the part or its driver hangs; restart it or the kiosk",
                ),
                timeout_s * 1000,
            )
        results.append(result)
    return results


def _run_one(name: str, check: Check, slots: dict[str, CheckResult]) -> None:
    started = time.perf_counter()
    try:
        finding = check()
    except Exception as exc:
        logger.exception("Diagnostic check %s crashed", name)
        finding = failed(
            f"the check itself crashed: {type(exc).__name__}: {exc}",
            "report this to the developers with the log",
        )
    slots[name] = CheckResult(name, finding, (time.perf_counter() - started) * 1000)
