"""Playback of WAV files: an aplay process per sound, or a simulated one."""

from __future__ import annotations

import logging
import signal
import subprocess
import threading
import time
import wave
from collections.abc import Mapping
from dataclasses import dataclass
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
        """Cut the sound off, paused or not; returns at once."""
        ...

    def pause(self) -> None:
        """Hold the sound where it is until ``resume()``; returns at once."""
        ...

    def resume(self) -> None:
        """Go on from where ``pause()`` held the sound."""
        ...


@dataclass(frozen=True)
class PlaybackHealth:
    """How speech output has gone lately, for the technician's checks."""

    device: str
    """Where the next sound plays."""
    played: int
    """Sounds that played to their end."""
    failures_in_a_row: int
    """Sounds that failed since the last one that played; 0 when healthy."""
    last_failure: str | None
    """The device and the player's words for the last failure, if any."""


class Player(Protocol):
    """Plays WAV files on an output device."""

    device: str
    """Where the next sound plays (an ALSA device name for aplay)."""

    def start(self, path: Path) -> Playback:
        """Begin playing; raise AudioError if playback cannot start."""
        ...

    def health(self) -> PlaybackHealth:
        """How playback has gone lately."""
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
        self.played = 0
        """Sentences aplay played to their end."""
        self.failures_in_a_row = 0
        """Failures since the last sentence that played; 0 when healthy."""
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

    def health(self) -> PlaybackHealth:
        """The device, and whether its sentences play."""
        return PlaybackHealth(
            self.device, self.played, self.failures_in_a_row, self.last_failure
        )

    def _finished(
        self, device: str, returncode: int, stopped: bool, errors: bytes
    ) -> None:
        if stopped:
            return
        if returncode == 0:
            self.played += 1
            self.failures_in_a_row = 0
            return
        self.failures += 1
        self.failures_in_a_row += 1
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
        self._paused = False

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
        self._signal(signal.SIGTERM)
        if self._paused:
            # A stopped process acts on SIGTERM only once it runs again.
            self._paused = False
            self._signal(signal.SIGCONT)

    def pause(self) -> None:
        """Send SIGSTOP: aplay writes nothing more until ``resume()``.

        What the sound card already holds (aplay asks for at most 0.5 s)
        still plays; on resume aplay recovers from the underrun and plays
        the rest, nothing skipped.
        """
        if self._stop_at is None and not self._paused:
            self._paused = True
            self._signal(signal.SIGSTOP)

    def resume(self) -> None:
        """Send SIGCONT: aplay goes on where it was held."""
        if self._paused:
            self._paused = False
            self._signal(signal.SIGCONT)

    def _signal(self, number: signal.Signals) -> None:
        # send_signal does nothing once the process has been waited for.
        try:
            self._process.send_signal(number)
        except ProcessLookupError:
            pass  # it ended on its own in the meantime


class SimulatedPlayer:
    """A player without a device, for demos and tests.

    With ``realtime`` a sound lasts as long as the file; otherwise it ends
    at once. ``played`` lists (path name, seconds) of what was started and
    ``devices`` the device each went to. A paused sound holds its place as
    aplay's does: paused time does not count towards its length.
    """

    def __init__(self, realtime: bool = True) -> None:
        self.realtime = realtime
        self.device = "default"
        self.played: list[tuple[str, float]] = []
        self.devices: list[str] = []

    def health(self) -> PlaybackHealth:
        """A simulated player never fails."""
        return PlaybackHealth(self.device, len(self.played), 0, None)

    def start(self, path: Path) -> _SimulatedPlayback:
        """Pretend to play the file."""
        length = wav_duration_s(path)
        self.played.append((path.name, length))
        self.devices.append(self.device)
        return _SimulatedPlayback(length if self.realtime else 0.0)


class _SimulatedPlayback:
    """A sound that lasts its length of unpaused time, or until stopped."""

    def __init__(self, length_s: float) -> None:
        self._changed = threading.Condition()
        self._stopped = False
        self._left_s = length_s
        """Sound still to play at ``_since``."""
        self._since: float | None = time.monotonic()
        """When it last started playing; None while paused."""

    def _remaining_s(self) -> float:
        if self._since is None:
            return self._left_s
        return self._left_s - (time.monotonic() - self._since)

    def wait(self, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while True:
                if self._stopped or self._remaining_s() <= 0:
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                if self._since is not None:
                    left = min(left, self._remaining_s())
                self._changed.wait(left)

    def stop(self) -> None:
        with self._changed:
            self._stopped = True
            self._changed.notify_all()

    def pause(self) -> None:
        with self._changed:
            if self._since is not None:
                self._left_s = self._remaining_s()
                self._since = None

    def resume(self) -> None:
        with self._changed:
            if self._since is None:
                self._since = time.monotonic()
                self._changed.notify_all()
