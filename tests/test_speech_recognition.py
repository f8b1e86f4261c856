"""Real audio through the real vosk Korean model (loaded once per session)."""

import argparse
import json
import threading
import wave
from pathlib import Path

import numpy as np
import pytest

from kiosk.speech.audio import SAMPLE_RATE, WavFileSource
from kiosk.speech.cli import add_parsers
from kiosk.speech.endpoint import Endpointer, EndReason
from kiosk.speech.errors import GrammarError, NoModelError
from kiosk.speech.listener import Listener, ListenerEvent, Understood, recognise
from kiosk.speech.vosk_recognizer import VoskRecognizer
from tests.speech_helpers import (
    YES_NO,
    alsa_config,
    file_microphone,
    raw_pcm,
    run_python,
    subprocess_env,
)

pytest_plugins = ["tests.speech_fixtures"]


def hear(recognizer: VoskRecognizer, wav: Path, grammar: list[str] | None = None):
    source = WavFileSource(wav)
    try:
        return recognise(source, recognizer.start("ko", grammar), Endpointer())
    finally:
        source.close()


def test_only_installed_languages_are_available(
    korean_recognizer: VoskRecognizer, korean_models_dir: Path
) -> None:
    assert korean_recognizer.languages() == ("ko",)
    assert korean_recognizer.available("ko")
    assert not korean_recognizer.available("ro")
    assert not korean_recognizer.available("../ko")


def test_a_language_without_a_model_gives_a_clear_error(
    korean_recognizer: VoskRecognizer, korean_models_dir: Path
) -> None:
    with pytest.raises(NoModelError) as caught:
        korean_recognizer.start("ro", ["da", "nu"])
    message = str(caught.value)
    assert "'ro'" in message and str(korean_models_dir / "ro") in message
    assert "touch still works" in message


@pytest.mark.parametrize(("clip", "word"), [("yes", "네"), ("no", "아니요")])
def test_a_yes_no_grammar_recognises_each_answer(
    korean_recognizer: VoskRecognizer,
    korean_clips: dict[str, Path],
    clip: str,
    word: str,
) -> None:
    heard = hear(korean_recognizer, korean_clips[clip], YES_NO)
    assert heard.hypothesis.text == word
    assert heard.hypothesis.confidence > 0.9
    assert heard.hypothesis.grammar == tuple(YES_NO)
    assert heard.reason is EndReason.SILENCE
    assert heard.latency_s < 1.0


def test_grammar_words_missing_from_the_model_are_dropped_and_it_still_works(
    korean_recognizer: VoskRecognizer,
    korean_clips: dict[str, Path],
    caplog: pytest.LogCaptureFixture,
) -> None:
    heard = hear(korean_recognizer, korean_clips["yes"], [*YES_NO, "parcare"])
    assert heard.hypothesis.text == "네"
    assert heard.hypothesis.grammar == tuple(YES_NO)
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "parcare" in warnings[0].getMessage()


def test_a_grammar_of_only_unknown_words_is_refused(
    korean_recognizer: VoskRecognizer,
) -> None:
    with pytest.raises(GrammarError):
        korean_recognizer.start("ko", ["parcare", "impozit"])


def test_free_dictation_returns_words_with_confidences(
    korean_recognizer: VoskRecognizer, korean_clips: dict[str, Path]
) -> None:
    # espeak-ng's Korean is too robotic to check the words themselves.
    heard = hear(korean_recognizer, korean_clips["sentence"])
    assert heard.hypothesis.text
    assert heard.hypothesis.grammar is None
    assert all(0.0 <= w.confidence <= 1.0 for w in heard.hypothesis.words)
    starts = [w.start_s for w in heard.hypothesis.words]
    assert starts == sorted(starts)


def test_two_answers_in_one_stream_are_heard_one_after_the_other(
    korean_recognizer: VoskRecognizer, korean_clips: dict[str, Path]
) -> None:
    source = WavFileSource(korean_clips["yes"])
    second = WavFileSource(korean_clips["no"])
    stream = _Concatenated([source, second])
    first = recognise(stream, korean_recognizer.start("ko", YES_NO), Endpointer())
    then = recognise(
        stream,
        korean_recognizer.start("ko", YES_NO),
        Endpointer(),
        first=first.leftover,
    )
    assert (first.hypothesis.text, then.hypothesis.text) == ("네", "아니요")


class _Concatenated:
    def __init__(self, sources: list[WavFileSource]) -> None:
        self._sources = sources

    def read(self, timeout_s: float) -> bytes | None:
        while self._sources:
            chunk = self._sources[0].read(timeout_s)
            if chunk is not None:
                return chunk
            self._sources.pop(0).close()
        return None

    def close(self) -> None:
        for source in self._sources:
            source.close()


def test_the_listener_thread_hears_an_answer_with_the_real_model(
    korean_recognizer: VoskRecognizer, korean_clips: dict[str, Path]
) -> None:
    results: list[ListenerEvent] = []
    done = threading.Event()

    def on_event(event: ListenerEvent) -> None:
        if isinstance(event, Understood):
            results.append(event)
            done.set()

    listener = Listener(
        _Borrowed(korean_recognizer),
        lambda: WavFileSource(korean_clips["no"]),
        on_event,
    )
    try:
        listener.listen("ko", YES_NO)
        assert done.wait(10)
    finally:
        listener.close()
    assert isinstance(results[0], Understood)
    assert results[0].heard.hypothesis.text == "아니요"


class _Borrowed:
    """The session's recogniser, shielded from the listener's close()."""

    def __init__(self, inner: VoskRecognizer) -> None:
        self._inner = inner
        self.available = inner.available
        self.prepare = inner.prepare
        self.start = inner.start

    def close(self) -> None:
        pass


CAPTURE = """
import sys
from kiosk.speech.microphone import Microphone
device, rate, wanted = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
microphone = Microphone(device, rate=rate or None)
captured = b""
while len(captured) < wanted:
    chunk = microphone.read(2.0)
    assert chunk is not None, "the stream ended"
    captured += chunk
microphone.close()
sys.stderr.write(f"rate={microphone.rate}\\n")
sys.stdout.buffer.write(captured[:wanted])
"""


@pytest.mark.parametrize("device_rate", [16_000, 48_000])
def test_the_alsa_file_microphone_is_captured_and_recognised(
    korean_recognizer: VoskRecognizer,
    korean_clips: dict[str, Path],
    tmp_path: Path,
    device_rate: int,
) -> None:
    raw = raw_pcm(korean_clips["yes"], device_rate)
    conf = alsa_config(tmp_path, {"filemic": file_microphone(raw)})
    with wave.open(str(korean_clips["yes"])) as wav:
        wanted = wav.getnframes() * 2
    captured = run_python(
        CAPTURE,
        "filemic",
        str(device_rate if device_rate != SAMPLE_RATE else 0),
        str(wanted),
        env=subprocess_env(conf),
    )
    # The file microphone is not paced: past the clip it delivers silence
    # as fast as it can, and a reader slowed down by a busy machine lets
    # the queue fill and drop chunks. The queue keeps the oldest, so a drop
    # inside the clip would be a gap, and the comparisons below catch it.
    assert len(captured) == wanted
    if device_rate == SAMPLE_RATE:
        assert captured == raw.read_bytes()[:wanted]  # bit-exact
    else:
        # Our resampler and sox's differ in filter and delay: compare the
        # waveforms at the best of a few lags.
        original = np.frombuffer(raw_pcm(korean_clips["yes"]).read_bytes(), "<i2")
        got = np.frombuffer(captured, "<i2")
        middle = original[1000:-1000].astype(float)
        best = max(
            np.corrcoef(middle, got[1000 + lag : len(got) - 1000 + lag])[0, 1]
            for lag in range(-40, 41)
        )
        assert best > 0.95
    recognition = korean_recognizer.start("ko", YES_NO)
    recognition.accept(captured)
    assert recognition.finish().text == "네"


def run_hear(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="kiosk")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    args.config, args.data_dir = None, None
    code = args.handler(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_the_hear_command_prints_words_and_confidences(
    korean_recognizer: VoskRecognizer,
    korean_models_dir: Path,
    korean_clips: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = ["hear", str(korean_clips["no"]), "--lang", "ko"]
    base += ["--models-dir", str(korean_models_dir), "--grammar", "네,아니요"]
    code, out, _ = run_hear(base, capsys)
    assert code == 0
    assert out.startswith("아니요  (confidence 1.00; silence after")
    code, out, _ = run_hear([*base, "--json"], capsys)
    document = json.loads(out)
    assert code == 0
    assert document["text"] == "아니요" and document["end"] == "silence"
    assert document["grammar"] == YES_NO
    assert document["words"][0]["word"] == "아니요"


def test_the_hear_command_fails_clearly_for_a_language_without_a_model(
    korean_models_dir: Path,
    korean_clips: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["hear", str(korean_clips["yes"]), "--lang", "ro"]
    code, out, err = run_hear([*argv, "--models-dir", str(korean_models_dir)], capsys)
    assert code == 1 and out == ""
    assert "no speech recognition model for language 'ro'" in err


def test_the_hear_command_fails_clearly_for_a_missing_file(
    korean_models_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["hear", str(tmp_path / "none.wav"), "--lang", "ko"]
    code, _, err = run_hear([*argv, "--models-dir", str(korean_models_dir)], capsys)
    assert code == 1 and "none.wav" in err
    assert "does not exist" in err and "sox" not in err


def test_the_hear_command_reads_a_wav_truncated_at_an_odd_byte(
    korean_recognizer: VoskRecognizer,
    korean_models_dir: Path,
    korean_clips: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    trunc = tmp_path / "trunc.wav"
    trunc.write_bytes(korean_clips["no"].read_bytes()[:1001])
    argv = ["hear", str(trunc), "--lang", "ko", "--json"]
    code, out, err = run_hear([*argv, "--models-dir", str(korean_models_dir)], capsys)
    assert code == 0 and err == ""
    assert json.loads(out)["language"] == "ko"
