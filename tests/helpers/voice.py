"""Helpers for the voice tests: a microphone fed by the test, a kiosk with voice."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pytestqt.qtbot import QtBot

from kiosk.app import Core
from kiosk.session import Session
from kiosk.speech.audio import AudioSource, QueueSource, WavFileSource
from kiosk.speech.listener import Listener
from kiosk.speech.recognition import Recognition, Recognizer
from kiosk.ui.controller import SessionController
from kiosk.ui.voice import SpeechOutput, VoiceBridge
from kiosk.ui.window import MainWindow
from kiosk.voice import Hearing
from tests.helpers.ui import FakeClock

OutputFactory = Callable[[Callable[[bool], None]], SpeechOutput]


class ScriptedMicrophone:
    """The listener's audio: one queue per turn, fed when the test says so.

    It also stands between the listener and the recogniser, to note what
    each turn listens for, and keeps the recogniser open when the listener
    closes (tests share the real model).
    """

    def __init__(self, recognizer: Recognizer) -> None:
        self._recognizer = recognizer
        self._lock = threading.Lock()
        self._asked: tuple[str, tuple[str, ...] | None] | None = None
        self.turns: list[tuple[str, tuple[str, ...] | None, QueueSource]] = []
        """(language, grammar, source) of every turn, oldest first."""

    # Recognizer, for the listener
    def available(self, language: str) -> bool:
        return self._recognizer.available(language)

    def prepare(self, language: str) -> None:
        self._recognizer.prepare(language)

    def start(self, language: str, grammar: Sequence[str] | None = None) -> Recognition:
        with self._lock:
            self._asked = (language, None if grammar is None else tuple(grammar))
        return self._recognizer.start(language, grammar)

    def close(self) -> None:
        pass

    # The microphone
    def open(self) -> AudioSource:
        source = QueueSource()
        with self._lock:
            assert self._asked is not None
            self.turns.append((*self._asked, source))
        return source

    def turn_for(self, hearing: Hearing | None) -> QueueSource | None:
        """The newest turn's source, if it listens for ``hearing``."""
        with self._lock:
            if not self.turns or hearing is None:
                return None
            language, grammar, source = self.turns[-1]
        fits = language == hearing.language and (
            grammar is None if hearing.phrases is None else grammar == hearing.phrases
        )
        return source if fits else None

    def started(self) -> list[tuple[str, tuple[str, ...] | None]]:
        with self._lock:
            return [(lang, grammar) for lang, grammar, _ in self.turns]


@dataclass
class VoiceKiosk:
    """A running touch screen with voice, and its stand-in devices."""

    window: MainWindow
    controller: SessionController
    voice: VoiceBridge
    microphone: ScriptedMicrophone
    clock: FakeClock

    def hearing(self) -> Hearing | None:
        return self.controller.session.hearing()

    def wait_for_turn(self, qtbot: QtBot) -> QueueSource:
        """Wait until the listener listens for the current screen."""
        found: list[QueueSource] = []

        def listening() -> bool:
            source = self.microphone.turn_for(self.hearing())
            if source is not None:
                found[:] = [source]
            return source is not None

        qtbot.waitUntil(listening, timeout=15_000)
        return found[0]

    def end_turn(self, qtbot: QtBot) -> None:
        """The citizen stopped talking (the simulator then gives its answer)."""
        self.wait_for_turn(qtbot).push(None)

    def play(self, qtbot: QtBot, wav: Path) -> None:
        """The citizen says what the WAV file holds, into the current turn."""
        source = self.wait_for_turn(qtbot)
        clip = WavFileSource(wav)
        try:
            while (chunk := clip.read()) is not None:
                source.push(chunk)
        finally:
            clip.close()


def start_voice_kiosk(
    qtbot: QtBot,
    core: Core,
    recognizer: Recognizer,
    output: OutputFactory | None = None,
    *,
    listen_while_speaking: bool = True,
    session: Session | None = None,
) -> VoiceKiosk:
    clock = FakeClock()
    voice = VoiceBridge(listen_while_speaking)
    microphone = ScriptedMicrophone(recognizer)
    listener = Listener(microphone, microphone.open, voice.on_listener_thread_event)
    speech = output(voice.on_speech_thread_finished) if output else None
    voice.attach(speech, listener)
    controller = SessionController(core, voice, clock)
    if session is not None:
        controller.session = session
    window = MainWindow(controller)
    voice.install(window)

    def close(widget: object) -> None:
        controller.shutdown()
        voice.close()

    qtbot.addWidget(window, before_close_func=close)
    window.resize(1280, 800)
    window.show()
    controller.start()
    return VoiceKiosk(window, controller, voice, microphone, clock)
