"""Pausing and resuming speech: real aplay held by SIGSTOP, and the simulator."""

from __future__ import annotations

import fcntl
import os
import select
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.speech.playback import AplayPlayer, SimulatedPlayer
from kiosk.speech.tts import TextToSpeech, ToneSynthesiser
from tests.speech_helpers import alsa_config, file_speaker
from tests.test_speech_routing import WAIT_S, tone_frames

PIPE_BYTES = 4096
"""The FIFO's capacity: aplay can run at most this far ahead of the reader."""
LONG_TEXT = "o propoziție lungă " * 4
"""About 4.6 s of tone, 146 kB: far more than the FIFO holds."""
QUIET_S = 0.3
"""No byte for this long after a pause: aplay has stopped writing."""


@dataclass
class Loudspeaker:
    """An ALSA device whose sound goes into a FIFO the test reads."""

    player: AplayPlayer
    reader: int
    received: bytearray

    def read_until(self, count: int) -> None:
        """Read until ``count`` bytes in all have come (bounded)."""
        deadline = time.monotonic() + WAIT_S
        while len(self.received) < count:
            left = deadline - time.monotonic()
            assert left > 0, f"only {len(self.received)} bytes reached the device"
            ready, _, _ = select.select([self.reader], [], [], left)
            data = os.read(self.reader, PIPE_BYTES) if ready else b""
            if ready and not data:
                # No aplay has the device open yet: end of file at once.
                threading.Event().wait(0.01)
            self.received += data

    def drain(self, limit: int) -> int:
        """Read until nothing comes for QUIET_S; the bytes read (at most limit)."""
        drained = 0
        while drained <= limit:
            ready, _, _ = select.select([self.reader], [], [], QUIET_S)
            if not ready:
                return drained
            data = os.read(self.reader, PIPE_BYTES)
            if not data:
                return drained  # aplay closed the device
            drained += len(data)
            self.received += data
        return drained

    def silent_for(self, seconds: float) -> bool:
        """True if no byte arrives within ``seconds``."""
        ready, _, _ = select.select([self.reader], [], [], seconds)
        return not ready

    def read_to_end(self) -> None:
        """Read until aplay closes the device (bounded)."""
        deadline = time.monotonic() + WAIT_S
        while True:
            left = deadline - time.monotonic()
            assert left > 0, "aplay never closed the device"
            ready, _, _ = select.select([self.reader], [], [], left)
            if not ready:
                continue
            data = os.read(self.reader, PIPE_BYTES)
            if not data:
                return
            self.received += data


@pytest.fixture
def loudspeaker(tmp_path: Path) -> Iterator[Loudspeaker]:
    """aplay on a device that writes into a small FIFO read by the test."""
    fifo = tmp_path / "speaker.fifo"
    os.mkfifo(fifo)
    conf = alsa_config(tmp_path, {"speaker": file_speaker(fifo)})
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    fcntl.fcntl(reader, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    env = dict(os.environ, ALSA_CONFIG_PATH=str(conf))
    try:
        yield Loudspeaker(AplayPlayer("speaker", env=env), reader, bytearray())
    finally:
        os.close(reader)


def aplay_children() -> dict[int, str]:
    """Process id and state letter of every aplay this test process started."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # it ended while the folder was listed
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        state, parent = stat[stat.rindex(")") + 2 :].split()[:2]
        if name == "aplay" and int(parent) == os.getpid():
            found[int(entry.name)] = state
    return found


# Real aplay ------------------------------------------------------------------


def test_while_paused_no_sound_reaches_the_device_and_after_resume_all_of_it_does(
    tmp_path: Path, loudspeaker: Loudspeaker
) -> None:
    finished: list[bool] = []
    tts = TextToSpeech(
        ToneSynthesiser(), loudspeaker.player, on_finished=finished.append
    )
    expected = tone_frames(LONG_TEXT, tmp_path)
    try:
        tts.speak(LONG_TEXT, "ro")
        loudspeaker.read_until(4 * PIPE_BYTES)
        assert tts.pause()
        assert tts.paused
        # What was in the FIFO and in aplay's hands when the signal came.
        assert loudspeaker.drain(16 * PIPE_BYTES) <= 16 * PIPE_BYTES
        assert list(aplay_children().values()) == ["T"]  # stopped
        held_at = len(loudspeaker.received)
        assert held_at < len(expected) // 2
        # Longer than the rest of the sentence plus the playback margin:
        # unpaused it would have ended, or been killed by the time-out.
        assert loudspeaker.silent_for(1.0)
        assert not tts.wait_idle(len(expected) / 32_000)
        assert len(loudspeaker.received) == held_at
        assert tts.resume()
        assert not tts.paused
        loudspeaker.read_to_end()
        assert tts.wait_idle(WAIT_S)
    finally:
        tts.close()
    assert heard_bytes(bytes(loudspeaker.received), expected)
    assert finished == [True]
    assert tts.failed == 0 and loudspeaker.player.failures == 0


def heard_bytes(data: bytes, expected: bytes) -> bool:
    """``data`` is ``expected``, then at most aplay's silent padding."""
    return data.startswith(expected) and not data[len(expected) :].strip(b"\0")


@pytest.mark.parametrize("how", ["stop", "new sentence", "close"])
def test_a_paused_aplay_ends_at_once_on_stop_a_new_sentence_or_close(
    tmp_path: Path, loudspeaker: Loudspeaker, how: str
) -> None:
    finished: list[bool] = []
    tts = TextToSpeech(
        ToneSynthesiser(), loudspeaker.player, on_finished=finished.append
    )
    try:
        tts.speak(LONG_TEXT, "ro")
        loudspeaker.read_until(2 * PIPE_BYTES)
        assert tts.pause()
        loudspeaker.drain(16 * PIPE_BYTES)
        assert list(aplay_children().values()) == ["T"]
        started = time.monotonic()
        if how == "stop":
            tts.stop()
        elif how == "new sentence":
            tts.speak("gata", "ro")
        else:
            tts.close()
        if how == "new sentence":
            # The new sentence is not paused: it plays to its end.
            loudspeaker.read_to_end()  # the cut sentence's device closes
            loudspeaker.received.clear()
            expected = tone_frames("gata", tmp_path)
            loudspeaker.read_until(len(expected))
            loudspeaker.read_to_end()
            assert heard_bytes(bytes(loudspeaker.received), expected)
        assert tts.wait_idle(WAIT_S)
        took = time.monotonic() - started
        assert not tts.paused
    finally:
        tts.close()
    assert aplay_children() == {}
    assert took < (2.0 if how == "new sentence" else 1.0)
    assert finished[0] is False  # the paused sentence was cut, not heard out
    assert loudspeaker.player.failures == 0


# The simulated player --------------------------------------------------------


def wait_for_playback(player: SimulatedPlayer, count: int) -> None:
    """Wait until ``count`` sounds have started (bounded)."""
    deadline = time.monotonic() + WAIT_S
    done = threading.Event()
    while len(player.played) < count:
        assert time.monotonic() < deadline, "the sound never started"
        done.wait(0.01)


def test_the_simulated_player_holds_a_paused_sentence_past_its_time_out() -> None:
    player = SimulatedPlayer(realtime=True)
    finished: list[bool] = []
    tts = TextToSpeech(ToneSynthesiser(), player, on_finished=finished.append)
    tts.PLAYBACK_MARGIN_S = 0.2
    text = "unu doi trei patru"  # 1.08 s
    try:
        tts.speak(text, "ro")
        wait_for_playback(player, 1)
        assert tts.pause()
        assert not tts.pause()  # already paused
        paused_at = time.monotonic()
        # Longer than the sentence and its margin together.
        assert not tts.wait_idle(1.08 + 0.2 + 0.3)
        assert tts.resume()
        assert not tts.resume()  # nothing paused any more
        assert tts.wait_idle(WAIT_S)
        took = time.monotonic() - paused_at
    finally:
        tts.close()
    assert finished == [True]
    assert tts.failed == 0
    assert len(player.played) == 1  # held, not started again
    assert took >= 1.58


def test_nothing_to_pause_when_nothing_is_said() -> None:
    tts = TextToSpeech(ToneSynthesiser(), SimulatedPlayer(realtime=False))
    try:
        assert not tts.pause()
        assert not tts.paused
        assert not tts.resume()
        tts.speak("da", "ro")
        assert tts.wait_idle(WAIT_S)
        assert not tts.pause()
    finally:
        tts.close()


def test_a_new_sentence_replaces_the_paused_one_and_is_not_paused() -> None:
    synthesiser = ToneSynthesiser()
    player = SimulatedPlayer(realtime=True)
    finished: list[bool] = []
    tts = TextToSpeech(synthesiser, player, on_finished=finished.append)
    try:
        tts.speak(LONG_TEXT, "ro")
        wait_for_playback(player, 1)
        assert tts.pause()
        tts.speak("nou", "ro")
        assert not tts.paused
        assert tts.wait_idle(WAIT_S)
    finally:
        tts.close()
    assert [text for text, _ in synthesiser.spoken] == [LONG_TEXT, "nou"]
    assert finished == [False, True]


class GatedSynthesiser(ToneSynthesiser):
    """Makes each sentence after the first only when the test opens the gate."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting = threading.Event()
        self.gate = threading.Event()

    def synthesise(self, text: str, language: str, path: Path) -> None:
        if self.spoken:
            self.waiting.set()
            assert self.gate.wait(WAIT_S), "the test never opened the gate"
        super().synthesise(text, language, path)


def test_a_sequence_paused_between_parts_starts_the_next_part_only_on_resume() -> None:
    synthesiser = GatedSynthesiser()
    player = SimulatedPlayer(realtime=True)
    finished: list[bool] = []
    tts = TextToSpeech(synthesiser, player, on_finished=finished.append)
    try:
        tts.speak_parts([("da", "ro"), ("igen", "hu"), ("yes", "en")])
        # The first part has played to its end; the second is being made.
        assert synthesiser.waiting.wait(WAIT_S)
        assert tts.pause()
        synthesiser.gate.set()
        assert not tts.wait_idle(1.0)
        assert len(player.played) == 1
        assert tts.paused
        assert tts.resume()
        assert tts.wait_idle(WAIT_S)
    finally:
        tts.close()
    assert [language for _, language in synthesiser.spoken] == ["ro", "hu", "en"]
    assert len(player.played) == 3
    assert finished == [True]


def test_close_ends_a_sequence_paused_between_parts_at_once() -> None:
    synthesiser = GatedSynthesiser()
    player = SimulatedPlayer(realtime=True)
    tts = TextToSpeech(synthesiser, player)
    tts.speak_parts([("da", "ro"), ("igen", "hu")])
    assert synthesiser.waiting.wait(WAIT_S)
    assert tts.pause()
    synthesiser.gate.set()
    started = time.monotonic()
    tts.close()
    assert time.monotonic() - started < 1.0
    assert len(player.played) == 1
