#!/usr/bin/env python3
"""Times the touch screen: start-up to first frame, and touch to next frame.

Usage: .venv/bin/python scripts/bench_ui.py [--samples N]

Start-up runs `kiosk run --screenshot` in a subprocess (with the xcb
platform when DISPLAY is set, offscreen otherwise) and reports both the wall
time of the whole process and the app's own "first frame" log line. The
touch figures are in-process: a click on a real button, until the next
screen's page has been painted.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
PLATFORM = "xcb" if os.environ.get("DISPLAY") else "offscreen"
os.environ.setdefault("QT_QPA_PLATFORM", PLATFORM)

from PySide6.QtCore import QEvent, QObject, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget  # noqa: E402

from kiosk.app import build_core  # noqa: E402
from kiosk.config import load_settings  # noqa: E402
from kiosk.session import Screen  # noqa: E402
from kiosk.speech.speaker import SilentSpeaker  # noqa: E402
from kiosk.ui.controller import SessionController  # noqa: E402
from kiosk.ui.window import MainWindow  # noqa: E402


def summary(name: str, values_ms: list[float]) -> str:
    return (
        f"{name:<28} n={len(values_ms):<3} p50={statistics.median(values_ms):7.1f} ms"
        f"  max={max(values_ms):7.1f} ms"
    )


def startup(samples: int) -> None:
    wall, first_frame = [], []
    for _ in range(samples):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "kiosk",
                    "run",
                    "--data-dir",
                    f"{tmp}/data",
                    "--screenshot",
                    f"{tmp}/shot.png",
                ],
                cwd=REPO,
                env={**os.environ, "QT_QPA_PLATFORM": PLATFORM},
                capture_output=True,
                text=True,
                check=True,
            )
            wall.append((time.perf_counter() - started) * 1000)
            found = re.search(r"ui\.first_frame ms=(\d+)", done.stdout)
            assert found, done.stdout
            first_frame.append(float(found.group(1)))
    print(summary("process start to exit", wall))
    print("  (includes Python start, imports, the 300 ms screenshot delay, exit)")
    print(summary("run_app() to first paint", first_frame))


class PaintWatch(QObject):
    """Records when each watched page was last painted."""

    def __init__(self, pages: list[QWidget]) -> None:
        super().__init__()
        self.painted: dict[int, float] = {}
        for page in pages:
            page.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            self.painted[id(watched)] = time.perf_counter()
        return False


def touches(samples: int) -> None:
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        core = build_core(load_settings(None, Path(tmp)))
        controller = SessionController(core, SilentSpeaker())
        window = MainWindow(controller)
        window.resize(1280, 800)
        window.show()
        controller.start()
        pages = list(dict.fromkeys(window.pages.values()))
        watch = PaintWatch(pages)
        p = window.pages

        def on_describe() -> None:
            p[Screen.DESCRIBE].text_field.setPlainText(  # type: ignore[attr-defined]
                "vreau să plătesc impozitul pe casă"
            )

        steps: list[tuple[str, Callable[[], QAbstractButton], Screen]] = [
            (
                "attract -> language",
                lambda: p[Screen.ATTRACT].start_button,
                Screen.LANGUAGE,
            ),  # type: ignore[attr-defined]
            (
                "language -> describe",
                lambda: p[Screen.LANGUAGE].buttons["ro"],
                Screen.DESCRIBE,
            ),  # type: ignore[attr-defined]
            (
                "describe -> proposal (routing)",
                lambda: p[Screen.DESCRIBE].continue_button,
                Screen.PROPOSAL,
            ),  # type: ignore[attr-defined]
            (
                "proposal -> contact",
                lambda: p[Screen.PROPOSAL].yes_button,
                Screen.CONTACT,
            ),  # type: ignore[attr-defined]
            (
                "contact -> summary",
                lambda: p[Screen.CONTACT].skip_button,
                Screen.SUMMARY,
            ),  # type: ignore[attr-defined]
            (
                "summary -> done (filing)",
                lambda: p[Screen.SUMMARY].send_button,
                Screen.DONE,
            ),  # type: ignore[attr-defined]
            (
                "done -> attract",
                lambda: p[Screen.DONE].finish_button,  # type: ignore[attr-defined]
                Screen.ATTRACT,
            ),
        ]
        results: dict[str, list[float]] = {name: [] for name, _, _ in steps}
        for _ in range(samples):
            for name, button, target in steps:
                if target is Screen.PROPOSAL:
                    on_describe()
                    app.processEvents()
                page = p[target]
                started = time.perf_counter()
                QTest.mouseClick(button(), Qt.MouseButton.LeftButton)
                deadline = started + 10
                while watch.painted.get(id(page), 0) < started:
                    app.processEvents()
                    if time.perf_counter() > deadline:
                        raise SystemExit(f"{name}: no paint of {target} in 10 s")
                results[name].append((watch.painted[id(page)] - started) * 1000)
        window.close()
        core.close()
    everything = [v for values in results.values() for v in values]
    for name, values in results.items():
        print(summary(name, values))
    print(summary("all touches", everything))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=10)
    args = parser.parse_args()
    print(f"platform: {PLATFORM}  samples: {args.samples}")
    print("-- start-up")
    startup(max(3, args.samples // 2))
    print("-- touch to next screen painted")
    touches(args.samples)


if __name__ == "__main__":
    main()
