"""End-of-speech detection with WebRTC's voice activity detector.

Time is counted in audio samples, not on a wall clock, so the same audio
always gives the same decisions, in tests as on the kiosk.
"""

from __future__ import annotations

import collections
import enum
from collections.abc import Callable
from dataclasses import dataclass, field

import webrtcvad  # type: ignore[import-untyped]

from kiosk.speech.audio import SAMPLE_BYTES, SAMPLE_RATE, SILENCE_DBFS, level_dbfs


class EndReason(enum.Enum):
    """Why an utterance ended."""

    SILENCE = "silence"
    """The citizen stopped talking for the silence time-out."""
    MAX_LENGTH = "max_length"
    NO_SPEECH = "no_speech"
    """Nobody spoke before the waiting time ran out."""
    END_OF_STREAM = "end_of_stream"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class EndpointConfig:
    """How speech is found and cut."""

    frame_ms: int = 30
    """VAD frame length: 10, 20 or 30 ms."""
    aggressiveness: int = 2
    """0 (keeps most sound as speech) to 3 (strictest)."""
    min_speech_ms: int = 120
    """Voiced time within the pre-roll window that starts an utterance."""
    pre_roll_ms: int = 300
    """Audio kept from before the start, so the first syllable is not cut."""
    silence_timeout_s: float = 0.8
    """Unvoiced time after speech that ends the utterance."""
    max_utterance_s: float = 12.0
    """Longest utterance; speech beyond it is cut."""
    no_speech_timeout_s: float = 8.0
    """How long to wait for speech to begin."""

    def __post_init__(self) -> None:
        if self.frame_ms not in (10, 20, 30):
            raise ValueError(f"frame_ms must be 10, 20 or 30, not {self.frame_ms}")
        if self.aggressiveness not in (0, 1, 2, 3):
            raise ValueError(f"aggressiveness must be 0 to 3: {self.aggressiveness}")
        if self.min_speech_ms > self.pre_roll_ms:
            raise ValueError("min_speech_ms cannot exceed pre_roll_ms")


@dataclass(frozen=True)
class EndpointStep:
    """What one fed chunk changed."""

    audio: bytes
    """Audio for the recogniser: pre-roll at the start, then the utterance."""
    level_dbfs: float
    """Level of the chunk, for the microphone indicator."""
    started: bool = False
    """Speech began in this chunk."""
    ended: EndReason | None = None
    leftover: bytes = field(default=b"", repr=False)
    """Audio after the end, to start the next utterance with."""


class Endpointer:
    """Finds one utterance in a stream of 16 kHz PCM chunks."""

    def __init__(
        self,
        config: EndpointConfig | None = None,
        is_speech: Callable[[bytes], bool] | None = None,
    ) -> None:
        self.config = config or EndpointConfig()
        if is_speech is None:
            vad = webrtcvad.Vad(self.config.aggressiveness)

            def is_speech(frame: bytes) -> bool:
                return bool(vad.is_speech(frame, SAMPLE_RATE))

        self._is_speech = is_speech
        self._frame_bytes = SAMPLE_RATE * self.config.frame_ms // 1000 * SAMPLE_BYTES
        window = self.config.pre_roll_ms // self.config.frame_ms
        self._window: collections.deque[tuple[bytes, bool]] = collections.deque(
            maxlen=max(1, window)
        )
        self._partial = b""
        self._started = False
        self._ended: EndReason | None = None
        self._waited_ms = 0
        self._speech_ms = 0
        self._silence_ms = 0

    @property
    def started(self) -> bool:
        """Speech has begun."""
        return self._started

    @property
    def speech_s(self) -> float:
        """Length of the utterance so far, in seconds of audio."""
        return self._speech_ms / 1000

    def feed(self, pcm: bytes) -> EndpointStep:
        """Take one chunk of any length; report what it changed."""
        level = level_dbfs(pcm)
        if self._ended is not None:
            return EndpointStep(b"", level, ended=self._ended, leftover=pcm)
        data = self._partial + pcm
        usable = len(data) - len(data) % self._frame_bytes
        self._partial = data[usable:]
        out: list[bytes] = []
        started = False
        for offset in range(0, usable, self._frame_bytes):
            frame = data[offset : offset + self._frame_bytes]
            started = self._frame(frame, out) or started
            if self._ended is not None:
                leftover = data[offset + self._frame_bytes :]
                self._partial = b""
                return EndpointStep(
                    b"".join(out), level, started, self._ended, leftover
                )
        return EndpointStep(b"".join(out), level, started)

    def finish(self) -> EndpointStep:
        """The stream ended: close the utterance with what is left."""
        if self._ended is not None:
            return EndpointStep(b"", SILENCE_DBFS, ended=self._ended)
        self._ended = EndReason.END_OF_STREAM
        tail = self._partial if self._started else b""
        self._partial = b""
        return EndpointStep(tail, SILENCE_DBFS, ended=self._ended)

    def _frame(self, frame: bytes, out: list[bytes]) -> bool:
        config = self.config
        voiced = self._is_speech(frame)
        if not self._started:
            self._window.append((frame, voiced))
            self._waited_ms += config.frame_ms
            voiced_ms = sum(v for _, v in self._window) * config.frame_ms
            if voiced_ms >= config.min_speech_ms:
                self._started = True
                out.extend(f for f, _ in self._window)
                self._speech_ms = len(self._window) * config.frame_ms
                self._window.clear()
                return True
            if self._waited_ms >= config.no_speech_timeout_s * 1000:
                self._ended = EndReason.NO_SPEECH
            return False
        out.append(frame)
        self._speech_ms += config.frame_ms
        self._silence_ms = 0 if voiced else self._silence_ms + config.frame_ms
        if self._silence_ms >= config.silence_timeout_s * 1000:
            self._ended = EndReason.SILENCE
        elif self._speech_ms >= config.max_utterance_s * 1000:
            self._ended = EndReason.MAX_LENGTH
        return False
