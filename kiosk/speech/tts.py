"""Speech out: synthesis to a WAV file, then playback that can be cut short.

``TextToSpeech`` owns one thread. ``speak()`` hands it a sentence and
returns at once; a newer sentence or ``stop()`` ends the current one. The
pyttsx3 engine runs in a child process behind a time-out, so a stuck or
crashed engine costs one sentence, not the kiosk. Playback (see
``kiosk.speech.playback``) is an ``aplay`` process that ``stop()`` ends
and ``pause()`` holds.
"""

from __future__ import annotations

import json
import logging
import math
import os
import selectors
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from kiosk.config import MAX_RATE_WPM, MIN_RATE_WPM
from kiosk.speech.errors import AudioError, SynthesisError
from kiosk.speech.gain import apply_gain
from kiosk.speech.playback import Playback, PlaybackHealth, Player, wav_duration_s
from kiosk.speech.tempo import ENGINE_RATE_WPM, apply_tempo

logger = logging.getLogger(__name__)

VOICES: Mapping[str, str] = {"ro": "roa/ro", "hu": "urj/hu", "en": "gmw/en"}
"""espeak-ng voice for each kiosk language; other codes are used as given."""
MAX_SPOKEN_CHARS = 2_000
"""Longest text spoken at once, in characters.

The kiosk's longest prompt is a few hundred characters; espeak-ng crashes
on some texts of tens of thousands, and a crash would only be retried.
"""


class Synthesiser(Protocol):
    """Turns a sentence into a WAV file."""

    def synthesise(self, text: str, language: str, path: Path) -> None:
        """Write the sentence to path; raise SynthesisError on failure."""
        ...

    def close(self) -> None:
        """Release the engine."""
        ...


# Synthesis ------------------------------------------------------------------


class Pyttsx3Synthesiser:
    """pyttsx3 on espeak-ng, in a child process that is restarted if stuck."""

    def __init__(
        self,
        voices: Mapping[str, str] = VOICES,
        timeout_s: float = 5.0,
        command: Sequence[str] | None = None,
    ) -> None:
        self.voices = voices
        self.timeout_s = timeout_s
        self._command = list(
            command or [sys.executable, "-m", "kiosk.speech.tts_worker"]
        )
        self._process: subprocess.Popen[bytes] | None = None
        self._buffer = b""
        self.restarts = 0
        """How often the engine process had to be replaced."""

    @property
    def pid(self) -> int | None:
        """Process id of the running engine, if any."""
        return None if self._process is None else self._process.pid

    def synthesise(self, text: str, language: str, path: Path) -> None:
        """Have the engine write the sentence to path."""
        if len(text) > MAX_SPOKEN_CHARS:
            raise SynthesisError(
                language,
                f"the text has {len(text)} characters, more than the "
                f"{MAX_SPOKEN_CHARS} the engine is given at once",
            )
        if not path.parent.is_dir():
            raise SynthesisError(
                language, f"cannot write {path}: its folder does not exist"
            )
        request = {"text": text, "voice": self.voices.get(language, language)}
        request["path"] = str(path)
        # An engine that died since the last sentence is found out only now:
        # such a sentence gets one more try with a new engine. A hung engine
        # gets none, or a stuck sentence would cost the time-out twice.
        for _ in range(2):
            try:
                line = self._exchange(json.dumps(request).encode() + b"\n")
            except _EngineExitedError as exc:
                self._discard(str(exc))
                continue
            if line is None:
                raise SynthesisError(
                    language, f"the engine did not answer in {self.timeout_s:.1f} s"
                )
            reply = json.loads(line)
            if not reply.get("ok"):
                raise SynthesisError(language, str(reply.get("error")))
            return
        raise SynthesisError(language, "the engine process keeps exiting")

    def _exchange(self, request: bytes) -> str | None:
        process = self._running()
        assert process.stdin is not None
        try:
            process.stdin.write(request)
            process.stdin.flush()
        except OSError as exc:
            raise _EngineExitedError(f"engine input closed ({exc})") from exc
        return self._reply(process)

    def _running(self) -> subprocess.Popen[bytes]:
        if self._process is not None and self._process.poll() is None:
            return self._process
        if self._process is not None:
            self._discard(f"engine exited with {self._process.returncode}")
        # The engine must run this very copy of the kiosk package, whatever
        # the service's working directory is.
        package_root = str(Path(__file__).resolve().parents[2])
        path = os.environ.get("PYTHONPATH")
        env = dict(
            os.environ, PYTHONPATH=os.pathsep.join(filter(None, [package_root, path]))
        )
        self._process = subprocess.Popen(
            self._command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
            env=env,
        )
        self._buffer = b""
        logger.debug("tts.engine.started pid=%d", self._process.pid)
        return self._process

    def _reply(self, process: subprocess.Popen[bytes]) -> str | None:
        assert process.stdout is not None
        deadline = time.monotonic() + self.timeout_s
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    self._discard(f"no answer in {self.timeout_s:.1f} s")
                    return None
                data = os.read(process.stdout.fileno(), 4096)
                if not data:
                    raise _EngineExitedError(f"engine exited with {process.wait()}")
                self._buffer += data
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode()

    def _discard(self, why: str) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        self.restarts += 1
        logger.warning("Speech engine replaced: %s", why)
        process.kill()
        process.wait()
        _close_pipes(process)

    def close(self) -> None:
        """Ask the engine to exit, killing it if it does not."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(1.0)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        _close_pipes(process)


class _EngineExitedError(Exception):
    """The engine process closed its pipes (crashed or was killed)."""


def _close_pipes(process: subprocess.Popen[bytes]) -> None:
    for pipe in (process.stdin, process.stdout, process.stderr):
        if pipe is not None and not pipe.closed:
            pipe.close()


class ToneSynthesiser:
    """A simulated synthesiser: a quiet tone, 60 ms per character."""

    def __init__(self) -> None:
        self.spoken: list[tuple[str, str]] = []
        """(text, language) of every sentence synthesised."""

    def synthesise(self, text: str, language: str, path: Path) -> None:
        """Write a 440 Hz tone as long as the text would take to say."""
        self.spoken.append((text, language))
        rate = 16_000
        count = int(rate * 0.06 * max(1, len(text)))
        samples = (
            int(3000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(count)
        )
        with wave.open(str(path), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(rate)
            wav.writeframes(b"".join(struct.pack("<h", s) for s in samples))

    def close(self) -> None:
        """Nothing to release."""


# The speaker ----------------------------------------------------------------


def _within_limit(text: str) -> str:
    """The text, cut at a word before MAX_SPOKEN_CHARS if it is longer."""
    if len(text) <= MAX_SPOKEN_CHARS:
        return text
    cut = text[:MAX_SPOKEN_CHARS]
    space = cut.rfind(" ")
    if space > MAX_SPOKEN_CHARS // 2:
        cut = cut[:space]
    logger.warning(
        "Sentence of %d characters cut to %d (the limit is %d)",
        len(text),
        len(cut),
        MAX_SPOKEN_CHARS,
    )
    return cut


@dataclass(frozen=True)
class _Utterance:
    parts: tuple[tuple[str, str], ...]
    """(text, language) of each sentence, said in this order."""
    generation: int


class TextToSpeech:
    """Speaks sentences on its own thread; a new one replaces the current.

    It has the shape of the UI's Speaker: ``speak(text, language)``,
    ``speak_parts(parts)``, ``stop()`` and ``close()``, none of which
    blocks. ``set_output_device``, ``set_gain_db`` and ``set_rate_wpm``
    change where, how loud and how fast the following sentences play.

    ``pause()`` holds the utterance being said, within a sentence or
    between two parts, until ``resume()``. A pause belongs to that
    utterance: a new one, ``stop()`` or ``close()`` ends it, and the new
    one is spoken at once, not paused.
    """

    PLAYBACK_MARGIN_S = 2.0
    """Extra time a sentence may take to play before playback is killed.

    Time spent paused does not count.
    """
    PAUSE_POLL_S = 0.5
    """Longest single wait of the speech thread while paused.

    ``resume()``, ``stop()`` and a new sentence wake it at once; the bound
    only keeps every wait finite.
    """

    def __init__(
        self,
        synthesiser: Synthesiser,
        player: Player,
        work_dir: Path | None = None,
        on_finished: Callable[[bool], None] | None = None,
    ) -> None:
        self._synthesiser = synthesiser
        self._on_finished = on_finished
        """Called on the speech thread after each utterance (one sentence or
        a sequence): True if it was played to the end, False if it was cut or
        a part failed (a UI starts listening on True, so the microphone does
        not hear the prompt)."""
        self._player = player
        self._own_dir = work_dir is None
        self._dir = work_dir or Path(tempfile.mkdtemp(prefix="antonia-tts-"))
        self._lock = threading.Condition()
        self._pending: _Utterance | None = None
        self._generation = 0
        self._playback: Playback | None = None
        self._cut = False
        """The sentence playing was cut by a change of output device."""
        self._paused = False
        self._paused_since = 0.0
        self._paused_total_s = 0.0
        """Time spent paused before ``_paused_since``, for the time-out."""
        self._gain_db = 0.0
        self._rate_wpm = ENGINE_RATE_WPM
        self._closed = False
        self._idle = threading.Event()
        self._idle.set()
        self.spoken = 0
        """Sentences whose playback ended, whole or cut short."""
        self.failed = 0
        """Sentences lost to a synthesis or playback failure."""
        self._thread = threading.Thread(
            target=self._run, name="speech-out", daemon=True
        )
        self._thread.start()

    @property
    def output_device(self) -> str:
        """The device the next sentence plays on."""
        return self._player.device

    def playback_health(self) -> PlaybackHealth:
        """How playback has gone lately (for the technician's checks)."""
        return self._player.health()

    @property
    def gain_db(self) -> float:
        """The gain applied to the next sentence, in dB (0: as synthesised)."""
        return self._gain_db

    @property
    def rate_wpm(self) -> int:
        """The rate of the next sentence synthesised, words per minute."""
        return self._rate_wpm

    @property
    def paused(self) -> bool:
        """An utterance is held by ``pause()``."""
        with self._lock:
            return self._paused

    def speak(self, text: str, language: str) -> None:
        """Say this sentence, cutting off whatever is being said."""
        self.speak_parts([(text, language)])

    def speak_parts(self, parts: Sequence[tuple[str, str]]) -> None:
        """Say (text, language) sentences in a row, cutting off any speech.

        The whole sequence is one utterance: a newer one or ``stop()`` ends
        it, wherever it is.
        """
        kept = tuple(
            (_within_limit(text), language) for text, language in parts if text.strip()
        )
        with self._lock:
            if self._closed:
                raise RuntimeError("the speaker is closed")
            self._generation += 1
            self._pending = None
            self._end_pause()
            if kept:
                self._pending = _Utterance(kept, self._generation)
                self._idle.clear()
            playback = self._playback
            self._lock.notify_all()
        if playback is not None:
            playback.stop()

    def pause(self) -> bool:
        """Hold what is being said where it is; False if nothing is.

        Returns at once. The sentence playing stops sending sound (what the
        sound card already holds still plays), and no further part starts.
        """
        with self._lock:
            if self._paused or self._closed or self._idle.is_set():
                return False
            self._paused = True
            self._paused_since = time.monotonic()
            # Under the lock, so the speech thread cannot start or drop a
            # playback between the decision and the signal.
            if self._playback is not None:
                self._playback.pause()
        logger.debug("tts.pause.started")
        return True

    def resume(self) -> bool:
        """Go on from where ``pause()`` held; False if nothing was paused."""
        with self._lock:
            if not self._paused:
                return False
            self._end_pause()
            if self._playback is not None:
                self._playback.resume()
        logger.debug("tts.pause.complete")
        return True

    def _end_pause(self) -> None:
        """Leave the paused state (the lock held); wakes the speech thread."""
        if self._paused:
            self._paused = False
            self._paused_total_s += time.monotonic() - self._paused_since
            self._lock.notify_all()

    def _unpaused_s(self) -> float:
        """A clock that stands still while paused (the lock held)."""
        paused_s = self._paused_total_s
        now = time.monotonic()
        if self._paused:
            paused_s += now - self._paused_since
        return now - paused_s

    def set_output_device(self, device: str) -> None:
        """Play every sentence from now on through ``device``.

        A sentence playing is cut off (it may be private and the headphones
        were just pulled out); the rest of its sequence plays on ``device``.
        """
        with self._lock:
            if device == self._player.device:
                return
            self._player.device = device
            playback = self._playback
            self._cut = playback is not None
        logger.info("Speech output now on ALSA device %s", device)
        if playback is not None:
            playback.stop()

    def set_gain_db(self, gain_db: float) -> None:
        """Scale the following sentences by ``gain_db`` (negative: quieter)."""
        with self._lock:
            self._gain_db = gain_db

    def set_rate_wpm(self, rate_wpm: int) -> None:
        """Say the following sentences at ``rate_wpm`` words per minute.

        Raises ValueError outside 80 to 450, the range espeak-ng speaks in.
        """
        if not MIN_RATE_WPM <= rate_wpm <= MAX_RATE_WPM:
            raise ValueError(
                f"speech rate {rate_wpm} wpm is outside "
                f"{MIN_RATE_WPM} to {MAX_RATE_WPM}"
            )
        with self._lock:
            self._rate_wpm = rate_wpm

    def stop(self) -> None:
        """Be quiet now (e.g. the citizen touched the screen), paused or not."""
        with self._lock:
            self._generation += 1
            self._pending = None
            self._end_pause()
            playback = self._playback
        if playback is not None:
            playback.stop()

    def wait_idle(self, timeout_s: float) -> bool:
        """Wait until nothing is pending or playing (commands and tests)."""
        return self._idle.wait(timeout_s)

    def close(self, timeout_s: float = 2.0) -> None:
        """Stop speaking, end the thread and the engine."""
        with self._lock:
            self._closed = True
            self._lock.notify()
        self.stop()
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            logger.warning("The speech thread did not stop in %.1f s", timeout_s)
        self._synthesiser.close()
        if self._own_dir:
            shutil.rmtree(self._dir, ignore_errors=True)

    def _run(self) -> None:
        while True:
            with self._lock:
                while True:
                    if self._closed:
                        self._idle.set()
                        return
                    if (utterance := self._pending) is not None:
                        break
                    self._end_pause()  # nothing is left to hold
                    self._idle.set()
                    self._lock.wait()
                self._pending = None
            completed = self._say_all(utterance)
            if self._on_finished is not None:
                self._on_finished(completed)

    def _say_all(self, utterance: _Utterance) -> bool:
        completed = True
        for text, language in utterance.parts:
            with self._lock:
                if utterance.generation != self._generation:
                    return False
            # A part that cannot be said costs that part only: a voice
            # missing for one language must not silence the others.
            try:
                completed = self._say(text, language, utterance.generation) and (
                    completed
                )
            except (SynthesisError, AudioError) as exc:
                self.failed += 1
                completed = False
                logger.warning("Sentence not spoken: %s", exc)
            except Exception:
                self.failed += 1
                completed = False
                logger.exception("Speech output crashed on a sentence")
        with self._lock:
            return completed and utterance.generation == self._generation

    def _say(self, text: str, language: str, generation: int) -> bool:
        path = self._dir / "sentence.wav"
        started = time.monotonic()
        self._synthesiser.synthesise(text, language, path)
        with self._lock:
            rate_wpm, gain_db = self._rate_wpm, self._gain_db
        try:
            apply_tempo(path, rate_wpm)
        except AudioError as exc:
            # Speech at the engine's own rate beats no speech at all.
            logger.warning("Speech rate not applied: %s", exc)
        apply_gain(path, gain_db)
        with self._lock:
            # Paused before the sentence could start (while it was being
            # made, or between two parts): it starts on resume.
            while self._paused and generation == self._generation:
                if self._closed:
                    break
                self._lock.wait(self.PAUSE_POLL_S)
            if generation != self._generation or self._closed:
                return False
            self._cut = False
            playback = self._playback = self._player.start(path)
        logger.debug(
            "tts.playing language=%s gain_db=%.1f rate_wpm=%d synthesis_s=%.3f",
            language,
            gain_db,
            rate_wpm,
            time.monotonic() - started,
        )
        try:
            limit = wav_duration_s(path) + self.PLAYBACK_MARGIN_S
            if not self._wait_unpaused(playback, limit):
                logger.warning("Playback still running after %.1f s: cut", limit)
                playback.stop()
                playback.wait(1.0)
                self.failed += 1
                return False
            self.spoken += 1
        finally:
            with self._lock:
                self._playback = None
        with self._lock:
            return generation == self._generation and not self._cut

    def _wait_unpaused(self, playback: Playback, limit_s: float) -> bool:
        """Wait for the end of playback, counting only time not paused."""
        with self._lock:
            deadline = self._unpaused_s() + limit_s
        while True:
            with self._lock:
                left = deadline - self._unpaused_s()
            if left <= 0:
                return False
            if playback.wait(min(left, self.PAUSE_POLL_S)):
                return True
