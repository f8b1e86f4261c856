"""The ``kiosk diag`` command: every check, as a table or as JSON."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from kiosk.config import Settings, load_settings
from kiosk.diag import devices, system
from kiosk.diag.model import Check, CheckResult, Level, run_checks
from kiosk.hardware.camera import FrameSource
from kiosk.hardware.printer import Printer

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

CHECK_NAMES = (
    "printer",
    "card-reader",
    "payment",
    "camera",
    "microphone",
    "speaker",
    "mcu",
    "storage",
    "outbox",
    "sync",
    "backend",
    "clock",
)
"""Every passive check, in the order the table shows them."""


def add_parsers(
    subparsers: Any, parents: Sequence[argparse.ArgumentParser] = ()
) -> None:
    """Add ``diag`` to the ``kiosk`` command's subparsers."""
    parser = subparsers.add_parser(
        "diag",
        parents=list(parents),
        help="check every part of the kiosk",
        description="Check every part of the kiosk; exit 1 if any check failed.",
    )
    parser.add_argument("--json", action="store_true", help="JSON for monitoring")
    parser.add_argument(
        "--active",
        action="store_true",
        help="also print a test receipt and show the LED test pattern",
    )
    parser.add_argument(
        "device",
        nargs="*",
        metavar="DEVICE",
        help=f"checks to run (default: all): {', '.join(CHECK_NAMES)}",
    )
    parser.set_defaults(handler=run_diag_command)


@dataclass
class DiagParts:
    """How the checks reach the devices; tests swap in stand-ins."""

    make_printer: Callable[[Settings], Printer] | None = None
    make_camera_source: Callable[[Settings], FrameSource] | None = None
    extra: dict[str, Check] = field(default_factory=dict)


def build_checks(
    settings: Settings, names: list[str], active: bool, parts: DiagParts
) -> list[tuple[str, Check]]:
    """The checks to run, named as on the command line."""
    from kiosk.hardware.camera_factory import make_camera_parts
    from kiosk.hardware.factory import make_printer

    new_printer = parts.make_printer or make_printer
    new_source = parts.make_camera_source or (lambda s: make_camera_parts(s.camera)[0])
    data_dir = settings.storage.data_dir
    wait_s = settings.diag.check_timeout_s * 0.75
    endpoint = settings.sync.endpoint
    now = system.utc_now()
    table: dict[str, Check] = {
        "printer": lambda: devices.check_printer(new_printer(settings)),
        "card-reader": lambda: devices.check_card_reader(settings.card_reader),
        "payment": lambda: devices.check_payment_terminal(settings),
        "camera": lambda: devices.check_camera(settings.camera, new_source(settings)),
        "microphone": lambda: devices.check_microphone(settings.speech),
        "speaker": devices.check_speaker,
        "mcu": lambda: devices.check_mcu(settings.mcu, wait_s, led=active),
        "storage": lambda: system.check_storage(data_dir, settings.diag),
        "outbox": lambda: system.check_outbox(data_dir, settings.diag, now),
        "sync": lambda: system.check_last_sync(data_dir, now),
        "backend": lambda: system.check_backend(endpoint, wait_s),
        "clock": lambda: system.check_clock(now, settings.kiosk.timezone),
    }
    table.update(parts.extra)
    checks = [(name, table[name]) for name in names]
    if active and "printer" in names:
        checks.append(
            (
                "test-receipt",
                lambda: devices.check_test_receipt(settings, new_printer(settings)),
            )
        )
    return checks


def run_diag(
    settings: Settings,
    names: list[str] | None = None,
    active: bool = False,
    parts: DiagParts | None = None,
) -> list[CheckResult]:
    """Run the named checks (all by default) and return their results."""
    checks = build_checks(
        settings, names or list(CHECK_NAMES), active, parts or DiagParts()
    )
    # Active tests print and wait for the board: give them longer.
    timeout_s = settings.diag.check_timeout_s * (3 if active else 1)
    return run_checks(checks, timeout_s)


def run_diag_command(
    args: argparse.Namespace, out: TextIO | None = None, parts: DiagParts | None = None
) -> int:
    """Handler of ``kiosk diag``."""
    out = out or sys.stdout
    unknown = [name for name in args.device if name not in CHECK_NAMES]
    if unknown:
        print(
            f"kiosk diag: unknown check {', '.join(unknown)}; "
            f"choose from {', '.join(CHECK_NAMES)}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    settings = load_settings(args.config, args.data_dir)
    started = time.perf_counter()
    results = run_diag(settings, list(args.device) or None, args.active, parts)
    elapsed_ms = (time.perf_counter() - started) * 1000
    if args.json:
        print(json.dumps(as_json(results, elapsed_ms), ensure_ascii=False), file=out)
    else:
        print(as_table(results), file=out)
    failed = any(r.finding.level is Level.FAILED for r in results)
    return EXIT_FAILED if failed else EXIT_OK


def as_json(results: list[CheckResult], elapsed_ms: float) -> dict[str, Any]:
    """The results for monitoring: one object per check."""
    worst = max((r.finding.level for r in results), key=_severity, default=Level.OK)
    return {
        "status": worst.value,
        "elapsed_ms": round(elapsed_ms, 1),
        "checks": [
            {
                "name": r.name,
                "status": r.finding.level.value,
                "summary": r.finding.summary,
                "remedy": r.finding.remedy,
                "elapsed_ms": round(r.elapsed_ms, 1),
            }
            for r in results
        ],
    }


def as_table(results: list[CheckResult]) -> str:
    """The results as a table a technician reads on a terminal."""
    width = max([len(r.name) for r in results] + [5])
    lines = [f"{'CHECK':<{width}}  {'STATUS':<7}  DETAIL"]
    for r in results:
        mark = (
            r.finding.level.value.upper() if r.finding.level is not Level.OK else "ok"
        )
        lines.append(f"{r.name:<{width}}  {mark:<7}  {r.finding.summary}")
        if r.finding.remedy:
            lines.append(f"{'':<{width}}  {'':<7}  → {r.finding.remedy}")
    counts = {level: 0 for level in Level}
    for r in results:
        counts[r.finding.level] += 1
    lines.append(
        f"{counts[Level.OK]} ok, {counts[Level.WARNING]} warning(s), "
        f"{counts[Level.FAILED]} failed"
    )
    return "\n".join(lines)


def _severity(level: Level) -> int:
    return list(Level).index(level)
