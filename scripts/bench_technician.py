"""Figures for the technician screen and the device reactions.

Run from the repository root (offscreen, demo devices, real argon2id cost):
    QT_QPA_PLATFORM=offscreen PYTHONPATH=. .venv/bin/python \
        scripts/bench_technician.py
Prints: gesture to PIN page, PIN check to unlocked service page, diag
refresh times, and presence on the simulated MCU to the language screen.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from kiosk.app import build_core
from kiosk.config import load_settings
from kiosk.session import Screen
from kiosk.speech.speaker import SilentSpeaker
from kiosk.technician import PinStore
from kiosk.technician_cli import pin_path
from kiosk.ui.controller import SessionController
from kiosk.ui.service_wiring import ServiceWiring
from kiosk.ui.window import MainWindow

PIN = "428613"


def _wait(condition: Callable[[], bool], timeout_s: float = 20.0) -> float:
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > timeout_s:
            raise TimeoutError("condition not met")
        QApplication.processEvents()
        QTest.qWait(2)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    app = QApplication(["bench"])
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(None, Path(folder))
        core = build_core(settings)
        PinStore(pin_path(settings)).set_pin(PIN)
        controller = SessionController(core, SilentSpeaker())
        window = MainWindow(controller)
        wiring = ServiceWiring(window, controller, core, lambda code: None)
        window.resize(1280, 800)
        window.show()
        controller.start()
        screen = wiring.technician
        link = wiring.devices.link
        assert link is not None and wiring.devices.simulator is not None
        link.wait_until(lambda s: s.battery_percent is not None, 5.0)

        started = time.perf_counter()
        wiring.devices.simulator.set_presence(600)
        _wait(lambda: controller.view.screen is Screen.LANGUAGE)
        wake_ms = (time.perf_counter() - started) * 1000

        started = time.perf_counter()
        for _ in range(5):
            QTest.mouseClick(window, Qt.MouseButton.LeftButton, pos=QPoint(6, 6))
        _wait(screen.ok_button.isEnabled)
        open_ms = (time.perf_counter() - started) * 1000

        screen.pin_field.setText(PIN)
        started = time.perf_counter()
        screen.ok_button.click()
        unlock_ms = _wait(lambda: screen.unlocked)
        refreshes: list[float] = []
        screen.refreshed.connect(refreshes.append)
        _wait(lambda: len(refreshes) >= 4, timeout_s=60)
        wiring.close()
        controller.shutdown()
        core.close()
    print(f"presence (simulated MCU, 600 mm) to language screen: {wake_ms:.0f} ms")
    print(f"five corner taps to PIN page ready: {open_ms:.0f} ms")
    print(f"PIN check (argon2id defaults) to service page: {unlock_ms:.0f} ms")
    print(
        "diag refresh on the worker: "
        f"median {statistics.median(refreshes):.0f} ms, max {max(refreshes):.0f} ms "
        f"over {len(refreshes)} refreshes (every 5 s)"
    )
    app.quit()


if __name__ == "__main__":
    main()
