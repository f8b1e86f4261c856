import math
import threading
import wave
from pathlib import Path

import numpy as np
import pytest

from kiosk.config import ConfigError, load_settings
from kiosk.speech.audio import (
    SAMPLE_RATE,
    QueueSource,
    Resampler,
    WavFileSource,
    level_dbfs,
    read_all,
)
from kiosk.speech.endpoint import EndpointConfig, Endpointer, EndReason
from kiosk.speech.errors import AudioError, GrammarError
from kiosk.speech.listener import (
    Level,
    Listener,
    ListenerEvent,
    ListenFailed,
    SpeechStarted,
    Understood,
    recognise,
)
from kiosk.speech.recognition import SimulatedRecognizer, usable_grammar
from tests.speech_helpers import espeak_wav


def sine(freq: float, seconds: float, rate: int, amplitude: float = 10000.0):
    t = np.arange(int(seconds * rate)) / rate
    return amplitude * np.sin(2 * math.pi * freq * t)


def write_wav(path: Path, samples: np.ndarray, rate: int, channels: int = 1) -> Path:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(np.asarray(samples, dtype="<i2").tobytes())
    return path


def dominant_frequency(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples))
    return float(np.argmax(spectrum) * rate / samples.size)


@pytest.fixture(scope="module")
def spoken_en(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """An English sentence with 0.5 s of silence before and 1.5 s after."""
    path = tmp_path_factory.mktemp("en") / "en.wav"
    espeak_wav(path, "Good morning, I need a parking permit.", voice="en")
    return read_all(WavFileSource(path))


def test_level_is_minus_96_for_silence_and_near_zero_for_full_scale() -> None:
    assert level_dbfs(b"") == -96.0
    assert level_dbfs(bytes(3200)) == -96.0
    square = np.tile(np.array([32767, -32767], dtype="<i2"), 800).tobytes()
    assert level_dbfs(square) == pytest.approx(0.0, abs=0.01)
    half_sine = sine(440, 0.1, SAMPLE_RATE, 16384).astype("<i2").tobytes()
    assert level_dbfs(half_sine) == pytest.approx(-9.03, abs=0.1)


def test_resampling_48k_keeps_the_pitch_and_the_length() -> None:
    tone = sine(1000, 1.0, 48_000)
    out = Resampler(48_000).process(tone)
    assert abs(out.size - SAMPLE_RATE) <= 1
    assert dominant_frequency(out, SAMPLE_RATE) == pytest.approx(1000, abs=2)


def test_resampling_in_chunks_gives_the_same_samples_as_at_once() -> None:
    tone = sine(700, 0.5, 44_100)
    whole = Resampler(44_100).process(tone)
    chunked = Resampler(44_100)
    pieces = [chunked.process(tone[i : i + 777]) for i in range(0, tone.size, 777)]
    assert np.array_equal(np.concatenate(pieces), whole)


def test_resampling_removes_tones_the_target_rate_cannot_carry() -> None:
    out = Resampler(48_000).process(sine(12_000, 0.5, 48_000, 20000))
    steady = out[200:].astype(np.float64)
    assert 20 * math.log10(np.sqrt(np.mean(steady**2)) / 14142) < -30


def test_a_stereo_44k_file_is_read_as_16k_mono(tmp_path: Path) -> None:
    left = sine(500, 1.0, 44_100)
    stereo = np.column_stack((left, left)).ravel()
    path = write_wav(tmp_path / "stereo.wav", stereo, 44_100, channels=2)
    source = WavFileSource(path)
    pcm = read_all(source)
    source.close()
    samples = np.frombuffer(pcm, dtype="<i2")
    assert abs(samples.size - SAMPLE_RATE) <= 2
    assert dominant_frequency(samples, SAMPLE_RATE) == pytest.approx(500, abs=2)


@pytest.mark.parametrize(("channels", "size"), [(1, 1001), (2, 1001), (2, 1003)])
def test_a_wav_cut_inside_a_frame_is_read_up_to_the_last_whole_frame(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, channels: int, size: int
) -> None:
    tone = sine(500, 0.1, SAMPLE_RATE)
    samples = np.repeat(tone, channels)
    whole = write_wav(tmp_path / "whole.wav", samples, SAMPLE_RATE, channels)
    path = tmp_path / "trunc.wav"
    path.write_bytes(whole.read_bytes()[:size])
    caplog.set_level("DEBUG", logger="kiosk.speech.audio")
    source = WavFileSource(path)
    try:
        pcm = read_all(source)
    finally:
        source.close()
    whole_frames = (size - 44) // (2 * channels)
    assert abs(len(pcm) // 2 - whole_frames) <= 1
    assert any("wav.truncated" in r.getMessage() for r in caplog.records)


def test_a_missing_wav_is_reported_as_missing_without_a_sox_hint(
    tmp_path: Path,
) -> None:
    with pytest.raises(AudioError, match="does not exist") as caught:
        WavFileSource(tmp_path / "missing.wav")
    assert "sox" not in str(caught.value)
    assert "missing.wav" in str(caught.value)


def test_a_file_that_is_not_a_wav_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("not audio", encoding="utf-8")
    with pytest.raises(AudioError, match="sox"):
        WavFileSource(path)


def test_speech_between_silences_is_cut_after_the_silence_timeout(
    spoken_en: bytes,
) -> None:
    endpointer = Endpointer(EndpointConfig(silence_timeout_s=0.6))
    step = endpointer.feed(spoken_en)
    assert step.ended is EndReason.SILENCE
    assert step.started
    # 0.5 s of silence, then about 2 s of speech plus the 0.6 s timeout.
    assert 2.0 < endpointer.speech_s < 3.4
    assert len(step.audio) == round(endpointer.speech_s * SAMPLE_RATE * 2)
    assert step.leftover


@pytest.mark.parametrize("frame_ms", [10, 20, 30])
def test_every_vad_frame_length_finds_the_same_utterance(
    spoken_en: bytes, frame_ms: int
) -> None:
    endpointer = Endpointer(EndpointConfig(frame_ms=frame_ms))
    assert endpointer.feed(spoken_en).ended is EndReason.SILENCE
    assert 2.0 < endpointer.speech_s < 3.6


def test_chunk_size_does_not_change_the_decisions(spoken_en: bytes) -> None:
    whole = Endpointer()
    at_once = whole.feed(spoken_en)
    pieces = Endpointer()
    audio = b""
    for offset in range(0, len(spoken_en), 222):
        step = pieces.feed(spoken_en[offset : offset + 222])
        audio += step.audio
        if step.ended:
            break
    assert step.ended is at_once.ended
    assert audio == at_once.audio


def test_silence_alone_ends_with_no_speech_after_the_waiting_time() -> None:
    endpointer = Endpointer(EndpointConfig(no_speech_timeout_s=2.0))
    steps = [endpointer.feed(bytes(3200)) for _ in range(25)]
    ended = [s for s in steps if s.ended]
    assert ended[0].ended is EndReason.NO_SPEECH
    # 30 ms frames: the 67th ends at 2.01 s, inside the 21st chunk of 0.1 s.
    assert steps.index(ended[0]) == 20
    assert not any(s.audio for s in steps)


def test_long_speech_is_cut_at_the_maximum_length(spoken_en: bytes) -> None:
    endpointer = Endpointer(EndpointConfig(max_utterance_s=1.0))
    step = endpointer.feed(spoken_en)
    assert step.ended is EndReason.MAX_LENGTH
    assert endpointer.speech_s == pytest.approx(1.0, abs=0.05)


def test_the_end_of_a_stream_closes_the_utterance(spoken_en: bytes) -> None:
    endpointer = Endpointer()
    step = endpointer.feed(spoken_en[: SAMPLE_RATE * 2 * 2])  # speech cut mid-way
    assert step.started and step.ended is None
    assert endpointer.finish().ended is EndReason.END_OF_STREAM


@pytest.mark.parametrize(
    "kwargs",
    [{"frame_ms": 25}, {"aggressiveness": 4}, {"min_speech_ms": 900}],
)
def test_bad_endpoint_settings_are_refused(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        EndpointConfig(**kwargs)


def test_a_full_queue_source_drops_rather_than_blocks() -> None:
    source = QueueSource(max_chunks=2)
    for _ in range(5):
        source.push(b"x")
    assert source.dropped == 3
    assert source.read(0.01) == b"x"


def test_grammar_phrases_with_unknown_words_are_dropped_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    known = {"da", "nu", "vreau", "plata"}.__contains__
    kept = usable_grammar(["Da", "nu", "vreau plata", "vreau xyz"], known, "ro")
    assert kept == ("da", "nu", "vreau plata")
    assert "vreau xyz" in caplog.text
    assert caplog.records[0].levelname == "WARNING"
    with pytest.raises(GrammarError, match="vocabulary"):
        usable_grammar(["qq"], known, "ro")


def test_the_simulated_recogniser_honours_the_grammar() -> None:
    recognizer = SimulatedRecognizer(["ro"], answers=["da", "poate"])
    assert recognizer.start("ro", ["da", "nu"]).finish().text == "da"
    assert recognizer.start("ro", ["da", "nu"]).finish().text == ""
    assert not recognizer.available("hu")


def test_recognise_reports_levels_and_stops_when_cancelled(spoken_en: bytes) -> None:
    levels: list[float] = []
    cancelled = threading.Event()
    source = QueueSource()
    source.push(spoken_en[:32000])
    cancelled.set()
    recognizer = SimulatedRecognizer(["en"], ["hello"])
    heard = recognise(
        source,
        recognizer.start("en"),
        Endpointer(),
        on_level=levels.append,
        cancelled=cancelled,
    )
    assert heard.reason is EndReason.CANCELLED
    assert heard.hypothesis.text == ""


class EventLog:
    def __init__(self) -> None:
        self.events: list[ListenerEvent] = []
        self.done = threading.Event()

    def __call__(self, event: ListenerEvent) -> None:
        self.events.append(event)
        if isinstance(event, Understood | ListenFailed):
            self.done.set()


def test_the_listener_reports_level_start_and_result_from_its_thread(
    tmp_path: Path,
) -> None:
    path = espeak_wav(tmp_path / "da.wav", "da", voice="ro")
    log = EventLog()
    recognizer = SimulatedRecognizer(["ro"], ["da"])
    listener = Listener(recognizer, lambda: WavFileSource(path), log)
    try:
        listener.listen("ro", ["da", "nu"])
        assert log.done.wait(5)
    finally:
        listener.close()
    kinds = [type(e) for e in log.events]
    assert Level in kinds and SpeechStarted in kinds
    assert kinds.index(SpeechStarted) < kinds.index(Understood)
    result = log.events[-1]
    assert isinstance(result, Understood)
    assert result.heard.hypothesis.text == "da"
    assert result.heard.reason is EndReason.SILENCE


def test_a_listener_without_the_language_fails_the_turn_and_carries_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log = EventLog()
    listener = Listener(SimulatedRecognizer(["ro"]), QueueSource, log)
    try:
        listener.listen("hu")
        assert log.done.wait(5)
    finally:
        listener.close()
    failed = log.events[-1]
    assert isinstance(failed, ListenFailed)
    assert "'hu'" in failed.message
    assert "Listening in hu failed" in caplog.text


def test_cancel_ends_a_turn_that_hears_nothing_without_a_result() -> None:
    log = EventLog()
    opened = threading.Event()
    source = QueueSource()

    def open_source() -> QueueSource:
        opened.set()
        return source

    listener = Listener(SimulatedRecognizer(["ro"]), open_source, log)
    try:
        listener.listen("ro")
        assert opened.wait(5)
        listener.cancel()
    finally:
        listener.close()
    assert not any(isinstance(e, Understood) for e in log.events)


def test_speech_settings_load_and_are_validated(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        "[speech]\nmodels_dir = '/opt/models'\ninput_device = 'hw:1'\n"
        "output_enabled = true\nvad_aggressiveness = 3\nsilence_timeout_s = 1\n",
        encoding="utf-8",
    )
    speech = load_settings(path).speech
    assert speech.models_dir == Path("/opt/models")
    assert speech.output_enabled and speech.vad_aggressiveness == 3
    assert speech.silence_timeout_s == 1.0
    for text, key in [
        ("vad_aggressiveness = 5", "speech.vad_aggressiveness"),
        ("max_utterance_s = 0", "speech.max_utterance_s"),
        ("silence_timeout_s = 'long'", "speech.silence_timeout_s"),
        ("voice = 'x'", "speech.voice"),
    ]:
        path.write_text(f"[speech]\n{text}\n", encoding="utf-8")
        with pytest.raises(ConfigError) as caught:
            load_settings(path)
        assert caught.value.key == key
