"""A touch screen with its devices and technician screen wired, for tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from argon2 import PasswordHasher, Type
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from firmware_bridge.simulator import SimulatedMcu
from kiosk.app import Core
from kiosk.service import SyncNow
from kiosk.technician import PinStore
from kiosk.technician_cli import pin_path
from kiosk.ui.service_wiring import ServiceWiring
from tests.helpers.ui import Kiosk, start_kiosk, tap

PIN = "428613"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)
"""Cheap argon2id parameters: the tests check the screen, not the hash cost."""
WAIT_MS = 10_000
"""Upper bound for waits on devices and workers on a busy 2-core box."""


@dataclass
class ServicedKiosk:
    """A running touch screen with devices, reactions and technician screen."""

    kiosk: Kiosk
    wiring: ServiceWiring
    quits: list[int] = field(default_factory=list)

    @property
    def simulator(self) -> SimulatedMcu:
        simulator = self.wiring.devices.simulator
        assert simulator is not None
        return simulator


def start_serviced_kiosk(
    qtbot: QtBot,
    core: Core,
    *,
    pin: str | None = PIN,
    idle_close_ms: int | None = None,
    sync_now: SyncNow | None = None,
) -> ServicedKiosk:
    kiosk = start_kiosk(qtbot, core)
    pins = PinStore(pin_path(core.settings), hasher=FAST_HASHER)
    if pin is not None:
        pins.set_pin(pin)
    quits: list[int] = []
    wiring = ServiceWiring(
        kiosk.window,
        kiosk.controller,
        core,
        quits.append,
        sync_now=sync_now,
        pins=pins,
        idle_close_ms=idle_close_ms,
    )
    return ServicedKiosk(kiosk, wiring, quits)


def open_by_gesture(qtbot: QtBot, serviced: ServicedKiosk) -> None:
    """Five quick taps in the window's top-left corner."""
    for _ in range(5):
        qtbot.mouseClick(
            serviced.kiosk.window, Qt.MouseButton.LeftButton, pos=QPoint(6, 6)
        )
    assert serviced.wiring.technician.is_open


def enter_pin(qtbot: QtBot, serviced: ServicedKiosk, pin: str) -> None:
    """Type ``pin`` on the screen's keypad and press OK."""
    screen = serviced.wiring.technician
    qtbot.waitUntil(screen.ok_button.isEnabled, timeout=WAIT_MS)
    for digit in pin:
        tap(qtbot, screen.digit_buttons[digit])
    tap(qtbot, screen.ok_button)


def every_text(root: QWidget) -> list[str]:
    """What every widget under ``root`` shows or holds, as text."""
    texts: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, QLabel | QAbstractButton | QLineEdit):
            texts.append(widget.text())
        elif isinstance(widget, QPlainTextEdit):
            texts.append(widget.toPlainText())
        elif isinstance(widget, QTableWidget):
            for row in range(widget.rowCount()):
                for column in range(widget.columnCount()):
                    item = widget.item(row, column)
                    texts.append(item.text() if item else "")
    return texts
