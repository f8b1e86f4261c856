"""Playback of WAV files: an aplay process per sound, or a simulated one."""

from __future__ import annotations

import logging
import subprocess
import threading
import time
import wave
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from kiosk.speech.errors import AudioError

logger = logging.getLogger(__name__)

STOP_ESCALATION_S = 0.05
"""Time a player gets to exit on SIGTERM before it is killed."""


class Playback(Protocol):
    """One sound being played."""

    def wait(self, timeout_s: float) -> bool:
        """Wait for the end; False if it was still playing at the time-out."""
        ...

    def stop(self) -> None:
        """Cut the sound off; returns at once."""
        ...


class Player(Protocol):
    """Plays WAV files on an output device."""

    device: str
    """Where the next sound plays (an ALSA device name for aplay)."""

    def start(self, path: Path) -> Playback:
        """Begin playing; raise AudioError if playback cannot start."""
        ...


def wav_duration_s(path: Path) -> float:
    """Length of a WAV file in seconds."""
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


# Playback -------------------------------------------------------------------


class AplayPlayer:
    """Plays through ALSA with an ``aplay`` process per sentence."""

    def __init__(self, device: str = "default", env: Mapping[str, str] | None = None):
        self.device = device or "default"
        self._env = None if env is None else dict(env)
        self.failures = 0
        """Sentences aplay could not play (not counting stopped ones)."""
        self.last_failure: str | None = None
        """The device and aplay's words for the last failure; None if none."""
        self._warned: set[str] = set()

    def start(self, path: Path) -> AplayPlayback:
        """Start aplay on the file, on the device set now."""
        device = self.device
        try:
            process = subprocess.Popen(
                ["aplay", "-q", "-D", device, str(path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=self._env,
            )
        except OSError as exc:
            raise AudioError(f"output device {device!r}", str(exc)) from exc
        return AplayPlayback(self, process, device)

    def _finished(
        self, device: str, returncode: int, stopped: bool, errors: bytes
    ) -> None:
        if stopped or returncode == 0:
            return
        self.failures += 1
        words = errors.decode(errors="replace").strip()[:300]
        self.last_failure = f"{device}: aplay exit {returncode}: {words}"
        # The first failure of each device needs an operator; repeating it
        # every sentence would bury everything else in the journal.
        log = logger.debug if device in self._warned else logger.warning
        self._warned.add(device)
        log(
            "Speech output on ALSA device %s failed (aplay exit %d): %s",
            device,
            returncode,
            words,
        )


class AplayPlayback:
    """One running aplay process."""

    def __init__(
        self, player: AplayPlayer, process: subprocess.Popen[bytes], device: str
    ) -> None:
        self._player = player
        self._process = process
        self.device = device
        """The ALSA device this sound plays on."""
        self._stop_at: float | None = None

    @property
    def pid(self) -> int:
        """Process id of aplay."""
        return self._process.pid

    def wait(self, timeout_s: float) -> bool:
        """Wait for aplay to exit, killing it if a stop was ignored."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                self._process.wait(STOP_ESCALATION_S)
                break
            except subprocess.TimeoutExpired:
                now = time.monotonic()
                if (
                    self._stop_at is not None
                    and now - self._stop_at > STOP_ESCALATION_S
                ):
                    self._process.kill()
                if now >= deadline:
                    return False
        assert self._process.stderr is not None
        errors = self._process.stderr.read()
        self._process.stderr.close()
        self._player._finished(
            self.device, self._process.returncode, self._stop_at is not None, errors
        )
        return True

    def stop(self) -> None:
        """Send SIGTERM; aplay drops its buffer and exits."""
        if self._stop_at is None:
            self._stop_at = time.monotonic()
        if self._process.returncode is None:
            try:
                self._process.terminate()
            except ProcessLookupError:
                pass  # it ended on its own in the meantime


class SimulatedPlayer:
    """A player without a device, for demos and tests.

    With ``realtime`` a sound lasts as long as the file; otherwise it ends
    at once. ``played`` lists (path name, seconds) of what was started and
    ``devices`` the device each went to.
    """

    def __init__(self, realtime: bool = True) -> None:
        self.realtime = realtime
        self.device = "default"
        self.played: list[tuple[str, float]] = []
        self.devices: list[str] = []

    def start(self, path: Path) -> _SimulatedPlayback:
        """Pretend to play the file."""
        length = wav_duration_s(path)
        self.played.append((path.name, length))
        self.devices.append(self.device)
        return _SimulatedPlayback(length if self.realtime else 0.0)


class _SimulatedPlayback:
    def __init__(self, length_s: float) -> None:
        self._stopped = threading.Event()
        self._end = time.monotonic() + length_s

    def wait(self, timeout_s: float) -> bool:
        left = self._end - time.monotonic()
        if left <= 0:
            return True
        self._stopped.wait(min(left, timeout_s))
        return self._stopped.is_set() or time.monotonic() >= self._end

    def stop(self) -> None:
        self._stopped.set()
