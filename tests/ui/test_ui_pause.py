"""The keypad's Pause key holds the real speaker and goes on with it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.app import Core
from kiosk.session import ChooseLanguage, Screen, StartOver, Wake
from kiosk.speech.playback import SimulatedPlayer
from kiosk.speech.recognition import SimulatedRecognizer
from kiosk.speech.tts import TextToSpeech, ToneSynthesiser
from tests.helpers.ui import OFFSCREEN_NOISE
from tests.helpers.voice import VoiceKiosk, start_voice_kiosk

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

WAIT_MS = 30_000
"""Longer than the language screen's first part takes to play in real time
(the simulated tone lasts 60 ms a character)."""


class Speech:
    """The real speaker behind the kiosk, with what it made and played."""

    def __init__(self) -> None:
        self.synthesiser = ToneSynthesiser()
        self.player = SimulatedPlayer(realtime=True)
        self.finished: list[bool] = []
        self.tts: TextToSpeech | None = None

    def output(self, on_finished: Callable[[bool], None]) -> TextToSpeech:
        """The OutputFactory for start_voice_kiosk."""

        def report(completed: bool) -> None:
            self.finished.append(completed)
            on_finished(completed)

        self.tts = TextToSpeech(self.synthesiser, self.player, on_finished=report)
        return self.tts


@pytest.fixture
def speech() -> Speech:
    return Speech()


@pytest.fixture
def kiosk(qtbot: QtBot, core: Core, speech: Speech) -> Iterator[VoiceKiosk]:
    recognizer = SimulatedRecognizer(("ro", "hu", "en"), [])
    running = start_voice_kiosk(qtbot, core, recognizer, speech.output)
    yield running
    running.controller.shutdown()


def press(qtbot: QtBot, kiosk: VoiceKiosk, key: Qt.Key) -> None:
    """Press and release a key as a keypad sends it.

    QTest's own key clicks warn about media keys, which have no text.
    """
    target = QApplication.focusWidget() or kiosk.window
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        event = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(target, event)
    QApplication.processEvents()


def test_the_pause_key_holds_the_sentence_and_a_second_press_goes_on(
    qtbot: QtBot, kiosk: VoiceKiosk, speech: Speech
) -> None:
    tts, player = speech.tts, speech.player
    assert tts is not None
    # The language screen is said in three voices, one part after another.
    kiosk.controller.dispatch(Wake())
    qtbot.waitUntil(lambda: len(player.played) == 1, timeout=WAIT_MS)

    press(qtbot, kiosk, Qt.Key.Key_Pause)
    assert tts.paused and kiosk.voice.paused
    # The first part is far longer than this; it is held, not ended.
    assert not tts.wait_idle(1.5)
    assert len(player.played) == 1 and speech.finished == []

    press(qtbot, kiosk, Qt.Key.Key_MediaTogglePlayPause)
    assert not tts.paused
    # It goes on: the next part starts once the first has played out.
    qtbot.waitUntil(lambda: len(player.played) == 2, timeout=WAIT_MS)
    assert speech.finished == []  # nothing was cut
    # Neither press said anything: all that was made is the screen's parts.
    parts = list(kiosk.controller.session.spoken_parts(kiosk.controller.view))
    assert speech.synthesiser.spoken == parts[: len(speech.synthesiser.spoken)]


def test_any_other_key_replaces_the_paused_sentence_with_its_own(
    qtbot: QtBot, kiosk: VoiceKiosk, speech: Speech
) -> None:
    tts, player = speech.tts, speech.player
    assert tts is not None
    kiosk.controller.dispatch(Wake())
    kiosk.controller.dispatch(ChooseLanguage("ro"))
    qtbot.waitUntil(lambda: bool(player.played), timeout=WAIT_MS)
    press(qtbot, kiosk, Qt.Key.Key_MediaPause)
    assert tts.paused

    press(qtbot, kiosk, Qt.Key.Key_Down)
    focused = kiosk.window.access.navigator.current
    assert focused is not None
    said, language = kiosk.window.access.describe(focused)
    qtbot.waitUntil(
        lambda: speech.synthesiser.spoken[-1] == (said, language), timeout=WAIT_MS
    )
    assert not tts.paused  # the new sentence is spoken, not held
    assert tts.wait_idle(WAIT_MS / 1000)
    assert speech.finished[0] is False  # the paused prompt was cut
    assert speech.finished[-1] is True


def test_a_pause_key_held_down_pauses_once(
    qtbot: QtBot, kiosk: VoiceKiosk, speech: Speech
) -> None:
    tts, player = speech.tts, speech.player
    assert tts is not None
    kiosk.controller.dispatch(Wake())
    qtbot.waitUntil(lambda: bool(player.played), timeout=WAIT_MS)
    press(qtbot, kiosk, Qt.Key.Key_Pause)
    held = QKeyEvent(
        QEvent.Type.KeyPress,
        Qt.Key.Key_Pause,
        Qt.KeyboardModifier.NoModifier,
        "",
        True,
    )
    for _ in range(3):
        QApplication.sendEvent(kiosk.window, held)
    assert tts.paused
    press(qtbot, kiosk, Qt.Key.Key_MediaPlay)
    assert not tts.paused


@pytest.mark.parametrize("ending", ["session reset", "start over", "escape"])
def test_a_sentence_held_when_the_session_ends_is_dropped_for_the_next_citizen(
    qtbot: QtBot, kiosk: VoiceKiosk, speech: Speech, ending: str
) -> None:
    # A held sentence may carry the last citizen's ticket or payment: the
    # next one must not be able to resume it from the attract screen.
    tts, player = speech.tts, speech.player
    assert tts is not None
    controller = kiosk.controller
    controller.dispatch(Wake())
    qtbot.waitUntil(lambda: bool(player.played), timeout=WAIT_MS)
    press(qtbot, kiosk, Qt.Key.Key_Pause)
    assert tts.paused

    if ending == "session reset":
        controller.reset_session("technician screen opened")
    elif ending == "start over":
        controller.dispatch(StartOver())
    else:
        press(qtbot, kiosk, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: controller.view.screen is Screen.ATTRACT, timeout=WAIT_MS)

    assert tts.wait_idle(WAIT_MS / 1000)
    assert not tts.paused
    assert speech.finished[0] is False  # cut, never played to its end
    played = len(player.played)
    press(qtbot, kiosk, Qt.Key.Key_MediaPlay)
    assert not tts.paused and tts.wait_idle(1.0)
    assert len(player.played) == played  # nothing came back
