"""Listening turns: audio source → end-of-speech detection → recogniser.

``recognise`` runs one turn on the calling thread (the ``kiosk hear``
command and tests use it). ``Listener`` owns the microphone and the
recogniser on a thread of its own, so the UI only ever asks for a turn and
gets events back; it never waits.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kiosk.speech.audio import AudioSource
from kiosk.speech.endpoint import EndpointConfig, Endpointer, EndReason
from kiosk.speech.errors import SpeechError
from kiosk.speech.recognition import Hypothesis, Recognition, Recognizer

logger = logging.getLogger(__name__)

READ_TIMEOUT_S = 0.05
"""Longest wait for audio before checking for a cancel."""

Clock = Callable[[], float]


@dataclass(frozen=True)
class Heard:
    """The outcome of one listening turn."""

    hypothesis: Hypothesis
    reason: EndReason
    speech_s: float
    """Length of the utterance in seconds of audio (0 with no speech)."""
    latency_s: float
    """Wall time from the end of speech being detected to the result."""
    leftover: bytes = field(default=b"", repr=False)
    """Audio read after the utterance ended (start of the next one)."""


def recognise(
    source: AudioSource,
    recognition: Recognition,
    endpointer: Endpointer,
    *,
    on_level: Callable[[float], None] | None = None,
    cancelled: threading.Event | None = None,
    clock: Clock = time.monotonic,
    first: bytes = b"",
) -> Heard:
    """Run one utterance from the source through the recogniser."""
    chunk: bytes | None = first
    while True:
        if cancelled is not None and cancelled.is_set():
            empty = Hypothesis("", recognition.finish().language)
            return Heard(empty, EndReason.CANCELLED, endpointer.speech_s, 0.0)
        if chunk is None:
            step = endpointer.finish()
        elif chunk:
            step = endpointer.feed(chunk)
            if on_level is not None:
                on_level(step.level_dbfs)
        else:
            chunk = source.read(READ_TIMEOUT_S)
            continue
        ended_at = clock()
        recognition.accept(step.audio)
        if step.ended is not None:
            hypothesis = recognition.finish()
            if step.ended is EndReason.NO_SPEECH:
                hypothesis = Hypothesis("", hypothesis.language, (), hypothesis.grammar)
            return Heard(
                hypothesis,
                step.ended,
                endpointer.speech_s,
                clock() - ended_at,
                step.leftover,
            )
        chunk = source.read(READ_TIMEOUT_S)


# Events a Listener reports, on its own thread --------------------------------


@dataclass(frozen=True)
class Level:
    """Microphone level for the screen's indicator."""

    dbfs: float


@dataclass(frozen=True)
class SpeechStarted:
    """The citizen started talking."""


@dataclass(frozen=True)
class Understood:
    """A turn ended; the hypothesis may be empty."""

    heard: Heard


@dataclass(frozen=True)
class ListenFailed:
    """A turn could not run (no model, no microphone); touch still works."""

    language: str
    message: str


ListenerEvent = Level | SpeechStarted | Understood | ListenFailed


class _State(enum.Enum):
    IDLE = "idle"
    LISTENING = "listening"
    CLOSED = "closed"


@dataclass(frozen=True)
class _Turn:
    language: str
    grammar: tuple[str, ...] | None


class Listener:
    """The owner thread of the microphone and the recogniser.

    ``on_event`` is called on the listener's thread; a Qt UI forwards it
    through a signal (queued connection) and touches no widget in it.
    """

    def __init__(
        self,
        recognizer: Recognizer,
        open_source: Callable[[], AudioSource],
        on_event: Callable[[ListenerEvent], None],
        config: EndpointConfig | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        self._recognizer = recognizer
        self._open_source = open_source
        self._on_event = on_event
        self._config = config or EndpointConfig()
        self._clock = clock
        self._wake = threading.Condition()
        self._pending: _Turn | None = None
        self._cancel = threading.Event()
        self._state = _State.IDLE
        self._thread = threading.Thread(target=self._run, name="listener", daemon=True)
        self._thread.start()

    def available(self, language: str) -> bool:
        """Speech input works in this language (a model is installed)."""
        return self._recognizer.available(language)

    def listen(self, language: str, grammar: Sequence[str] | None = None) -> None:
        """Start a turn; one in progress is cancelled. Never blocks."""
        with self._wake:
            if self._state is _State.CLOSED:
                raise RuntimeError("the listener is closed")
            self._pending = _Turn(language, None if grammar is None else tuple(grammar))
            self._cancel.set()
            self._wake.notify()

    def cancel(self) -> None:
        """Stop listening (e.g. the citizen touched the screen)."""
        with self._wake:
            self._pending = None
            self._cancel.set()

    def close(self, timeout_s: float = 2.0) -> None:
        """Stop the thread and release the microphone."""
        with self._wake:
            self._state = _State.CLOSED
            self._pending = None
            self._cancel.set()
            self._wake.notify()
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            logger.warning("The listener thread did not stop in %.1f s", timeout_s)
        self._recognizer.close()

    def _run(self) -> None:
        while True:
            with self._wake:
                while (turn := self._pending) is None:
                    if self._state is _State.CLOSED:
                        return
                    self._wake.wait()
                self._pending = None
                self._cancel.clear()
                self._state = _State.LISTENING
            try:
                self._turn(turn)
            except SpeechError as exc:
                logger.warning("Listening in %s failed: %s", turn.language, exc)
                self._on_event(ListenFailed(turn.language, str(exc)))
            except Exception:
                logger.exception("Listening in %s crashed", turn.language)
                self._on_event(ListenFailed(turn.language, "internal error"))
            with self._wake:
                if self._state is _State.LISTENING:
                    self._state = _State.IDLE

    def _turn(self, turn: _Turn) -> None:
        recognition = self._recognizer.start(turn.language, turn.grammar)
        endpointer = Endpointer(self._config)
        source = self._open_source()
        started = False

        def on_level(dbfs: float) -> None:
            nonlocal started
            self._on_event(Level(dbfs))
            if endpointer.started and not started:
                started = True
                self._on_event(SpeechStarted())

        try:
            heard = recognise(
                source,
                recognition,
                endpointer,
                on_level=on_level,
                cancelled=self._cancel,
                clock=self._clock,
            )
        finally:
            source.close()
        # What a citizen says may be personal: the words go to DEBUG only.
        logger.debug("listener.heard text=%r", heard.hypothesis.text)
        logger.info(
            "Heard %d word(s) in %s (%s, %.1f s of speech, confidence %.2f)",
            len(heard.hypothesis.words),
            turn.language,
            heard.reason.value,
            heard.speech_s,
            heard.hypothesis.confidence,
        )
        if heard.reason is not EndReason.CANCELLED:
            self._on_event(Understood(heard))
