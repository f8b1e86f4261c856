"""Helpers for driving the touch screen in tests: fake clock, taps, typing."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from kiosk.app import Core
from kiosk.speech.speaker import SilentSpeaker
from kiosk.ui.controller import SessionController
from kiosk.ui.keyboard import OnScreenKeyboard
from kiosk.ui.window import MainWindow

OFFSCREEN_NOISE = "propagateSizeHints"
"""The offscreen platform logs this whenever a top-level window is shown."""


class FakeClock:
    """Monotonic seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Kiosk:
    """A running touch screen and what it is built on."""

    window: MainWindow
    controller: SessionController
    core: Core
    clock: FakeClock
    speaker: SilentSpeaker


def start_kiosk(qtbot: QtBot, core: Core) -> Kiosk:
    clock = FakeClock()
    speaker = SilentSpeaker()
    controller = SessionController(core, speaker, clock)
    window = MainWindow(controller)
    qtbot.addWidget(window, before_close_func=lambda w: controller.shutdown())
    window.resize(1280, 800)
    window.show()
    controller.start()
    return Kiosk(window, controller, core, clock, speaker)


def tap(qtbot: QtBot, button: QWidget) -> None:
    """Touch a button the way a finger does (press and release on it)."""
    assert button.isVisible(), f"{button.objectName() or button} is not on screen"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def type_keys(qtbot: QtBot, keyboard: OnScreenKeyboard, text: str) -> None:
    """Type ``text`` by touching the on-screen keys one by one."""
    for char in text:
        if char == " ":
            tap(qtbot, keyboard.space_key)
            continue
        if char != char.lower():
            tap(qtbot, keyboard.shift_key)
        tap(qtbot, keyboard.keys[char.lower()])
