"""Speech out: pyttsx3 on espeak-ng in a worker process, aplay playback."""

import argparse
import os
import select
import sys
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from kiosk.speech.cli import add_parsers
from kiosk.speech.errors import SynthesisError
from kiosk.speech.playback import AplayPlayer, SimulatedPlayer, wav_duration_s
from kiosk.speech.tempo import ENGINE_RATE_WPM, apply_tempo
from kiosk.speech.tts import (
    MAX_SPOKEN_CHARS,
    Pyttsx3Synthesiser,
    TextToSpeech,
    ToneSynthesiser,
)
from tests.speech_helpers import alsa_config, file_speaker

LONG_EN = " ".join(["The kiosk is reading a long announcement to the citizen."] * 6)


def wav_stats(path: Path) -> tuple[float, float]:
    with wave.open(str(path)) as wav:
        samples = np.frombuffer(wav.readframes(wav.getnframes()), "<i2")
        duration = wav.getnframes() / wav.getframerate()
    return duration, float(np.sqrt(np.mean(samples.astype(float) ** 2)))


@pytest.fixture
def synthesiser() -> Iterator[Pyttsx3Synthesiser]:
    engine = Pyttsx3Synthesiser()
    yield engine
    engine.close()


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ro", "Bună ziua. Tichetul dumneavoastră are numărul șapte."),
        ("hu", "Jó napot kívánok. A jegye száma hét."),
        ("en", "Good morning. Your ticket number is seven."),
    ],
)
def test_each_kiosk_language_is_synthesised_to_audible_speech(
    synthesiser: Pyttsx3Synthesiser, tmp_path: Path, language: str, text: str
) -> None:
    path = tmp_path / f"{language}.wav"
    synthesiser.synthesise(text, language, path)
    duration, rms = wav_stats(path)
    assert duration > 1.0
    assert rms > 500  # clearly not silence


def read_until(fd: int, deadline: float, want_eof: bool) -> bytes:
    """Read a FIFO until data arrives (or, with want_eof, until EOF)."""
    data = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.01)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if want_eof and not chunk and data:
            return data + b"<EOF>"
        data += chunk
        if chunk and not want_eof:
            return data
    return data


@pytest.fixture
def fifo_speaker(tmp_path: Path) -> Iterator[tuple[AplayPlayer, int]]:
    """An ALSA device whose playback goes into a FIFO the test reads."""
    fifo = tmp_path / "speaker.fifo"
    os.mkfifo(fifo)
    conf = alsa_config(tmp_path, {"fifospk": file_speaker(fifo)})
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    env = dict(os.environ, ALSA_CONFIG_PATH=str(conf))
    try:
        yield AplayPlayer("fifospk", env=env), reader
    finally:
        os.close(reader)


def test_stop_cuts_playback_off_within_100_ms(
    fifo_speaker: tuple[AplayPlayer, int],
) -> None:
    player, fifo = fifo_speaker
    speaker = TextToSpeech(Pyttsx3Synthesiser(), player)
    try:
        speaker.speak(LONG_EN, "en")
        first = read_until(fifo, time.monotonic() + 5, want_eof=False)
        assert first, "no audio reached the speaker"
        stopped_at = time.monotonic()
        speaker.stop()
        rest = read_until(fifo, stopped_at + 1, want_eof=True)
        took = time.monotonic() - stopped_at
        assert rest.endswith(b"<EOF>")
        assert took < 0.1
        assert speaker.wait_idle(1)
    finally:
        speaker.close()
    # The sentence is about 20 s long: most of it was never played.
    assert len(first) + len(rest) < 22050 * 2 * 5


def test_a_new_sentence_replaces_the_one_being_spoken() -> None:
    synthesiser = ToneSynthesiser()
    player = SimulatedPlayer(realtime=True)
    finished: list[bool] = []
    speaker = TextToSpeech(synthesiser, player, on_finished=finished.append)
    try:
        speaker.speak("a sentence of several seconds" * 3, "ro")
        speaker.speak("da", "ro")
        assert speaker.wait_idle(5)
        speaker.speak("", "ro")  # nothing to say: stays idle
        assert speaker.wait_idle(1)
    finally:
        speaker.close()
    assert synthesiser.spoken[-1] == ("da", "ro")
    assert len(player.played) <= 2
    assert finished[-1] is True and finished.count(True) == 1


def test_a_stuck_engine_costs_one_sentence_and_is_replaced(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    marker = tmp_path / "stuck-once"
    # A stand-in engine that hangs on its first request ever, then is the
    # real worker.
    code = (
        "import pathlib, runpy, sys, threading\n"
        f"m = pathlib.Path({str(marker)!r})\n"
        "if not m.exists():\n"
        "    m.touch(); sys.stdin.readline(); threading.Event().wait()\n"
        "runpy.run_module('kiosk.speech.tts_worker', run_name='__main__')\n"
    )
    engine = Pyttsx3Synthesiser(timeout_s=0.5, command=[sys.executable, "-c", code])
    try:
        with pytest.raises(SynthesisError, match="did not answer"):
            engine.synthesise("Bună ziua", "ro", tmp_path / "one.wav")
        engine.synthesise("Bună ziua", "ro", tmp_path / "two.wav")
    finally:
        engine.close()
    assert engine.restarts == 1
    assert wav_duration_s(tmp_path / "two.wav") > 0.3
    assert "Speech engine replaced" in caplog.text


def test_a_crashed_engine_is_restarted_for_the_next_sentence(
    synthesiser: Pyttsx3Synthesiser, tmp_path: Path
) -> None:
    synthesiser.synthesise("one", "en", tmp_path / "one.wav")
    pid = synthesiser.pid
    assert pid is not None
    os.kill(pid, 9)
    synthesiser.synthesise("two", "en", tmp_path / "two.wav")
    assert synthesiser.pid != pid
    assert wav_duration_s(tmp_path / "two.wav") > 0.1


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def rss_kib(pid: int | str = "self") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_500_sentences_in_a_row_neither_hang_nor_leak(tmp_path: Path) -> None:
    conf = alsa_config(tmp_path, {"nullspk": file_speaker(Path("/dev/null"))})
    player = AplayPlayer("nullspk", env=dict(os.environ, ALSA_CONFIG_PATH=str(conf)))
    synthesiser = Pyttsx3Synthesiser()
    speaker = TextToSpeech(synthesiser, player)
    languages = ["ro", "hu", "en"]
    try:
        for i in range(20):  # warm up: engine started, caches filled
            speaker.speak(f"Tichetul {i}", languages[i % 3])
            assert speaker.wait_idle(5)
        fds, rss = open_fds(), rss_kib()
        engine_pid = synthesiser.pid
        engine_rss = rss_kib(engine_pid)
        for i in range(500):
            speaker.speak(f"Numărul {i}", languages[i % 3])
            assert speaker.wait_idle(5), f"sentence {i} hung"
        assert synthesiser.pid == engine_pid
        engine_growth = rss_kib(engine_pid) - engine_rss
    finally:
        speaker.close()
    assert speaker.failed == 0 and player.failures == 0
    assert speaker.spoken == 520
    assert open_fds() <= fds + 2
    assert rss_kib() - rss < 20_000
    assert engine_growth < 20_000


def test_playback_on_a_missing_device_warns_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    player = AplayPlayer("no_such_device")
    speaker = TextToSpeech(ToneSynthesiser(), player)
    try:
        for _ in range(3):
            speaker.speak("da", "ro")
            assert speaker.wait_idle(5)
    finally:
        speaker.close()
    assert player.failures == 3
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "no_such_device" in warnings[0].getMessage()


def run_say(argv: list[str], config: Path | None) -> int:
    parser = argparse.ArgumentParser(prog="kiosk")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    args.config, args.data_dir = config, None
    return int(args.handler(args))


def test_the_say_command_writes_a_wav(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "hu.wav"
    assert run_say(["say", "Jó napot", "--lang", "hu", "--out", str(out)], None) == 0
    assert wav_duration_s(out) > 0.3
    assert "s of speech (hu)" in capsys.readouterr().out


def test_the_say_command_plays_on_the_configured_device(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    played = tmp_path / "played.raw"
    conf = alsa_config(tmp_path, {"filespk": file_speaker(played)})
    monkeypatch.setenv("ALSA_CONFIG_PATH", str(conf))
    config = tmp_path / "kiosk.toml"
    config.write_text("[speech]\noutput_device = 'filespk'\n", encoding="utf-8")
    assert run_say(["say", "Bună ziua", "--lang", "ro"], config) == 0
    assert played.stat().st_size > 22050  # about half a second at least


def test_the_say_command_plays_at_a_chosen_level_on_a_chosen_device(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The installer calibrates the mixer at 0 dB, then checks the default
    # level and the headphones' device with the same sentence.
    loud, quiet = tmp_path / "loud.raw", tmp_path / "quiet.raw"
    conf = alsa_config(
        tmp_path, {"speaker": file_speaker(loud), "phones": file_speaker(quiet)}
    )
    monkeypatch.setenv("ALSA_CONFIG_PATH", str(conf))
    config = tmp_path / "kiosk.toml"
    config.write_text("[speech]\noutput_device = 'speaker'\n", encoding="utf-8")

    assert run_say(["say", "Bună ziua", "--lang", "ro"], config) == 0
    argv = ["say", "Bună ziua", "--lang", "ro", "--device", "phones"]
    assert run_say([*argv, "--gain-db", "-6"], config) == 0

    energy = [
        float(np.sum(np.fromfile(path, dtype="<i2").astype(np.float64) ** 2))
        for path in (loud, quiet)
    ]
    assert energy[0] > 0
    # Silence that aplay adds at the end adds no energy, so the ratio of the
    # energies is the square of the amplitude ratio: 0.50 for -6 dB. Each
    # command starts a new engine, which now and then renders the sentence
    # about a fifth longer (measured), so the bounds allow for that; a level
    # that was not applied gives 1.0.
    assert 0.4 < np.sqrt(energy[1] / energy[0]) < 0.63


@pytest.mark.parametrize("gain", ["3", "-61", "nan", "loud"])
def test_the_say_command_refuses_a_level_outside_minus_60_to_0_db(
    gain: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        run_say(["say", "salut", "--gain-db", gain], None)
    assert exit_.value.code == 2
    assert "is not a level from -60 to 0 dB" in capsys.readouterr().err


def test_the_say_command_refuses_text_that_is_not_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.wav"
    # What Python makes of the bytes "x\xff" on the command line.
    assert run_say(["say", "x\udcff", "--out", str(out)], None) == 2
    assert "not valid UTF-8" in capsys.readouterr().err
    assert not out.exists()


def test_the_say_command_refuses_an_out_file_in_a_missing_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "nodir" / "x.wav"
    assert run_say(["say", "salut", "--out", str(out)], None) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert "nodir" in captured.err and "does not exist" in captured.err
    assert "did not answer" not in captured.err
    assert not out.parent.exists()


def test_the_engine_is_not_asked_to_write_into_a_missing_folder(
    synthesiser: Pyttsx3Synthesiser, tmp_path: Path
) -> None:
    with pytest.raises(SynthesisError, match="does not exist"):
        synthesiser.synthesise("salut", "ro", tmp_path / "nodir" / "x.wav")
    assert synthesiser.pid is None


@pytest.mark.parametrize("out", [False, True])
def test_the_say_command_refuses_50000_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], out: bool
) -> None:
    argv = ["say", "a" * 50_000]
    if out:
        argv += ["--out", str(tmp_path / "long.wav")]
    assert run_say(argv, None) == 2
    err = capsys.readouterr().err
    assert "50000 characters" in err and str(MAX_SPOKEN_CHARS) in err
    assert not (tmp_path / "long.wav").exists()


def test_the_engine_refuses_text_over_the_limit_without_starting(
    synthesiser: Pyttsx3Synthesiser, tmp_path: Path
) -> None:
    with pytest.raises(SynthesisError, match="50000 characters"):
        synthesiser.synthesise("a" * 50_000, "ro", tmp_path / "long.wav")
    assert synthesiser.pid is None and synthesiser.restarts == 0


class _RecordingSynthesiser:
    """Records the text it is given and writes a 10 ms silent WAV."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def synthesise(self, text: str, language: str, path: Path) -> None:
        self.texts.append(text)
        with wave.open(str(path), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(16_000)
            wav.writeframes(bytes(320))

    def close(self) -> None:
        pass


def test_speak_cuts_50000_characters_to_the_limit_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    synthesiser = _RecordingSynthesiser()
    speaker = TextToSpeech(synthesiser, SimulatedPlayer(realtime=False))
    words = "word " * 10_000
    try:
        speaker.speak(words, "en")
        assert speaker.wait_idle(5)
    finally:
        speaker.close()
    [spoken] = synthesiser.texts
    assert MAX_SPOKEN_CHARS // 2 < len(spoken) <= MAX_SPOKEN_CHARS
    assert words.startswith(spoken) and spoken.endswith("word")
    assert speaker.failed == 0
    [warning] = [r for r in caplog.records if r.levelname == "WARNING"]
    assert "50000 characters" in warning.getMessage()


RATE_SENTENCE = "Bună ziua. Tichetul dumneavoastră are numărul șapte."


def test_a_slower_rate_makes_the_real_engine_say_the_same_sentence_longer() -> None:
    player = SimulatedPlayer(realtime=False)
    speaker = TextToSpeech(Pyttsx3Synthesiser(), player)
    try:
        for rate in (175, 120, 175):
            speaker.set_rate_wpm(rate)
            assert speaker.rate_wpm == rate
            speaker.speak(RATE_SENTENCE, "ro")
            assert speaker.wait_idle(10.0)
    finally:
        speaker.close()
    assert speaker.failed == 0
    normal, slow, normal_again = (seconds for _, seconds in player.played)
    # sox stretches exactly 175/120 = 1.46 (see the test below), but the
    # engine itself now and then renders a sentence about a fifth longer
    # (seen once in 12 fresh engines here): the bounds allow for that, and
    # a rate that was not applied (1.0) still fails.
    assert 1.2 < slow / normal < 1.8
    assert 1.2 < slow / normal_again < 1.8


def test_the_stretch_follows_the_rate_exactly_on_a_real_sentence(
    tmp_path: Path,
) -> None:
    engine = Pyttsx3Synthesiser()
    try:
        engine.synthesise(RATE_SENTENCE, "ro", tmp_path / "said.wav")
    finally:
        engine.close()
    said = (tmp_path / "said.wav").read_bytes()
    for rate in (120, 175, 300):
        stretched = tmp_path / f"{rate}.wav"
        stretched.write_bytes(said)
        apply_tempo(stretched, rate)
        ratio = wav_duration_s(stretched) / wav_duration_s(tmp_path / "said.wav")
        assert ratio == pytest.approx(ENGINE_RATE_WPM / rate, rel=0.01)
    unchanged = tmp_path / "200.wav"
    unchanged.write_bytes(said)
    apply_tempo(unchanged, ENGINE_RATE_WPM)
    assert unchanged.read_bytes() == said


@pytest.mark.parametrize("rate", [79, 451, 0, -175])
def test_a_rate_espeak_cannot_produce_is_refused(rate: int) -> None:
    speaker = TextToSpeech(ToneSynthesiser(), SimulatedPlayer(realtime=False))
    try:
        with pytest.raises(ValueError, match="outside 80 to 450"):
            speaker.set_rate_wpm(rate)
        assert speaker.rate_wpm == ENGINE_RATE_WPM
    finally:
        speaker.close()


def test_a_failed_stretch_leaves_the_sentence_at_the_engines_rate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A PATH without sox: the citizen still hears the sentence.
    monkeypatch.setenv("PATH", str(tmp_path))
    player = SimulatedPlayer(realtime=False)
    speaker = TextToSpeech(ToneSynthesiser(), player)
    try:
        speaker.set_rate_wpm(120)
        speaker.speak("Bună ziua", "ro")
        assert speaker.wait_idle(10.0)
    finally:
        speaker.close()
    assert speaker.failed == 0
    [(_, seconds)] = player.played
    assert seconds == pytest.approx(0.06 * len("Bună ziua"), rel=0.01)
    assert any("Speech rate not applied" in r.getMessage() for r in caplog.records)
