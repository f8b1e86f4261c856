"""Helpers that drive the kiosk with a hardware keypad and listen to it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.app import Core
from kiosk.speech.speaker import SilentSpeaker
from kiosk.ui.controller import SessionController
from kiosk.ui.window import MainWindow
from tests.helpers.ui import FakeClock, Kiosk

TARGET_SIZE_PX = (1920, 1080)
"""The default [screen] resolution: the window as the kiosk shows it."""


class RecordingSpeaker(SilentSpeaker):
    """Keeps every sentence, and the output device it was switched to."""

    def __init__(self) -> None:
        super().__init__()
        self.devices: list[str] = []
        self.gains: list[float] = []
        self.rates: list[int] = []

    def say(self, text: str, language: str) -> None:
        self.spoken.append((language, text))

    def set_output_device(self, device: str) -> None:
        self.devices.append(device)

    def set_gain_db(self, gain_db: float) -> None:
        self.gains.append(gain_db)

    def set_rate_wpm(self, rate_wpm: int) -> None:
        self.rates.append(rate_wpm)


def start_listening_kiosk(
    qtbot: QtBot, core: Core, size: tuple[int, int] = TARGET_SIZE_PX
) -> Kiosk:
    """The touch screen with a recording speaker, at the kiosk's own size."""
    clock = FakeClock()
    speaker = RecordingSpeaker()
    controller = SessionController(core, speaker, clock)
    window = MainWindow(controller)
    qtbot.addWidget(window, before_close_func=lambda w: controller.shutdown())
    window.resize(*size)
    window.show()
    controller.start()
    return Kiosk(window, controller, core, clock, speaker)


MAX_PRESSES = 40
"""More presses than any screen has controls: the search has gone round."""


def press(qtbot: QtBot, kiosk: Kiosk, key: Qt.Key) -> None:
    """Press and release one key, delivered where the keyboard focus is."""
    target = QApplication.focusWidget() or kiosk.window
    qtbot.keyClick(target, key)
    # New buttons are shown by a queued call; a person's next key press comes
    # long after the event loop has run it.
    QApplication.processEvents()


def last_said(kiosk: Kiosk) -> tuple[str, str]:
    """The language and text of the most recent sentence."""
    assert kiosk.speaker.spoken, "nothing was said"
    return kiosk.speaker.spoken[-1]


def said_since(kiosk: Kiosk, mark: int) -> list[str]:
    """Every sentence said after the first ``mark`` ones."""
    return [text for _, text in kiosk.speaker.spoken[mark:]]


def move_to(qtbot: QtBot, kiosk: Kiosk, label: str) -> str:
    """Press Down until the kiosk says ``label``; returns the whole sentence.

    This is how a citizen who cannot see the screen finds a control: by
    listening to each label in turn.
    """
    for _ in range(MAX_PRESSES):
        press(qtbot, kiosk, Qt.Key.Key_Down)
        _, text = last_said(kiosk)
        if text.startswith(label):
            return text
    raise AssertionError(f"the keypad never reached {label!r}")


def choose(qtbot: QtBot, kiosk: Kiosk, label: str) -> str:
    """Move to the control that says ``label`` and press Enter on it."""
    sentence = move_to(qtbot, kiosk, label)
    press(qtbot, kiosk, Qt.Key.Key_Return)
    return sentence
