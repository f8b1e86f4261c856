"""Speech out on a chosen device, at a chosen level, in several languages."""

from __future__ import annotations

import logging
import os
import select
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from kiosk.diag.devices import check_speech_output
from kiosk.diag.model import Level
from kiosk.speech.gain import apply_gain, gain_factor, scale_samples
from kiosk.speech.playback import AplayPlayer, SimulatedPlayer
from kiosk.speech.tts import Pyttsx3Synthesiser, TextToSpeech, ToneSynthesiser
from tests.speech_helpers import alsa_config, file_speaker

WAIT_S = 10.0
"""Upper bound for the speech thread on a busy 2-core box."""


def tone_frames(text: str, tmp_path: Path) -> bytes:
    """The samples ToneSynthesiser writes for ``text``."""
    path = tmp_path / "expected.wav"
    ToneSynthesiser().synthesise(text, "ro", path)
    with wave.open(str(path)) as wav:
        return wav.readframes(wav.getnframes())


def heard(path: Path, expected: bytes) -> bool:
    """The device file holds ``expected``, then at most aplay's silent padding."""
    data = path.read_bytes()
    return data.startswith(expected) and not data[len(expected) :].strip(b"\0")


def two_devices(tmp_path: Path) -> tuple[AplayPlayer, Path, Path]:
    """An aplay player that knows devices ``speaker`` and ``phones`` (files)."""
    speaker, phones = tmp_path / "speaker.raw", tmp_path / "phones.raw"
    conf = alsa_config(
        tmp_path, {"speaker": file_speaker(speaker), "phones": file_speaker(phones)}
    )
    env = dict(os.environ, ALSA_CONFIG_PATH=str(conf))
    return AplayPlayer("speaker", env=env), speaker, phones


def test_each_sentence_plays_on_the_device_set_before_it(tmp_path: Path) -> None:
    player, speaker_file, phones_file = two_devices(tmp_path)
    tts = TextToSpeech(ToneSynthesiser(), player)
    try:
        tts.speak("da", "ro")
        assert tts.wait_idle(WAIT_S)
        tts.set_output_device("phones")
        assert tts.output_device == "phones"
        tts.speak("nu, mulțumesc", "ro")
        assert tts.wait_idle(WAIT_S)
    finally:
        tts.close()
    assert heard(speaker_file, tone_frames("da", tmp_path))
    assert heard(phones_file, tone_frames("nu, mulțumesc", tmp_path))
    assert player.failures == 0


def test_a_device_switch_cuts_the_sentence_and_the_rest_goes_to_the_new_device(
    tmp_path: Path,
) -> None:
    # The loudspeaker is a FIFO nobody reads past its first bytes, so aplay
    # is still playing the long sentence when the switch comes.
    fifo = tmp_path / "speaker.fifo"
    os.mkfifo(fifo)
    phones_file = tmp_path / "phones.raw"
    conf = alsa_config(
        tmp_path, {"speaker": file_speaker(fifo), "phones": file_speaker(phones_file)}
    )
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    player = AplayPlayer("speaker", env=dict(os.environ, ALSA_CONFIG_PATH=str(conf)))
    finished: list[bool] = []
    tts = TextToSpeech(ToneSynthesiser(), player, on_finished=finished.append)
    long_text = "o propoziție lungă " * 20  # about 23 s of tone
    try:
        tts.speak_parts([(long_text, "ro"), ("gata", "ro")])
        ready, _, _ = select.select([reader], [], [], WAIT_S)
        assert ready and os.read(reader, 4096), "nothing reached the loudspeaker"
        switched = time.monotonic()
        tts.set_output_device("phones")
        assert tts.wait_idle(WAIT_S)
        took = time.monotonic() - switched
    finally:
        tts.close()
        os.close(reader)
    assert took < 2.0
    assert heard(phones_file, tone_frames("gata", tmp_path))
    assert finished == [False]  # the first part was cut, not heard out
    assert player.failures == 0


def test_a_failing_device_is_logged_and_speech_carries_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    player, _, phones_file = two_devices(tmp_path)
    tts = TextToSpeech(ToneSynthesiser(), player)
    try:
        tts.set_output_device("no_such_jack")
        tts.speak("da", "ro")
        assert tts.wait_idle(WAIT_S)
        tts.speak("nu", "ro")
        assert tts.wait_idle(WAIT_S)
        tts.set_output_device("phones")
        tts.speak("da", "ro")
        assert tts.wait_idle(WAIT_S)
    finally:
        tts.close()
    assert player.failures == 2
    assert player.last_failure is not None
    assert player.last_failure.startswith("no_such_jack: aplay exit 1")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "no_such_jack" in warnings[0]
    assert heard(phones_file, tone_frames("da", tmp_path))


def test_the_technicians_speech_check_fails_while_the_device_fails(
    tmp_path: Path,
) -> None:
    player, _, _ = two_devices(tmp_path)
    tts = TextToSpeech(ToneSynthesiser(), player)
    findings = []
    try:
        for device in ("phones", "no_such_jack", "no_such_jack", "phones"):
            tts.set_output_device(device)
            tts.speak("da", "ro")
            assert tts.wait_idle(WAIT_S)
            findings.append(check_speech_output(tts.playback_health()))
    finally:
        tts.close()
    assert [f.level for f in findings] == [
        Level.OK,
        Level.FAILED,
        Level.FAILED,
        Level.OK,
    ]
    assert "'no_such_jack': 2 sentence(s) failed in a row" in findings[2].summary
    assert "aplay -L" in findings[2].remedy
    assert findings[3].summary == "2 sentence(s) played; speech goes to 'phones'"
    assert check_speech_output(None).level is Level.OK  # speech is off


def test_the_simulated_player_follows_the_device_too() -> None:
    player = SimulatedPlayer(realtime=False)
    tts = TextToSpeech(ToneSynthesiser(), player)
    try:
        tts.speak("da", "ro")
        assert tts.wait_idle(WAIT_S)
        tts.set_output_device("plughw:1,0")
        tts.speak("nu", "ro")
        assert tts.wait_idle(WAIT_S)
    finally:
        tts.close()
    assert player.devices == ["default", "plughw:1,0"]


# Volume -------------------------------------------------------------------


def test_the_gain_scales_the_played_samples_by_the_expected_factor(
    tmp_path: Path,
) -> None:
    player, speaker_file, _ = two_devices(tmp_path)
    tts = TextToSpeech(ToneSynthesiser(), player)
    try:
        tts.set_gain_db(-6.0)
        tts.speak("da", "ro")
        assert tts.wait_idle(WAIT_S)
    finally:
        tts.close()
    original = np.frombuffer(tone_frames("da", tmp_path), "<i2").astype(float)
    played = np.frombuffer(speaker_file.read_bytes(), "<i2").astype(float)
    played = played[: len(original)]  # aplay pads the last period with silence
    factor = np.sqrt(np.mean(played**2)) / np.sqrt(np.mean(original**2))
    assert factor == pytest.approx(10 ** (-6 / 20), rel=0.002)
    assert np.max(np.abs(played - original * gain_factor(-6.0))) <= 0.5


def test_a_boost_past_full_scale_saturates_instead_of_wrapping() -> None:
    ramp = np.linspace(-32768, 32767, 4001).round().astype("<i2")
    louder = np.frombuffer(scale_samples(ramp.tobytes(), 12.0), "<i2")
    assert louder.max() == 32767 and louder.min() == -32768
    # A wrapped sample would change sign; a held one keeps it.
    assert np.all(np.sign(louder) == np.sign(ramp))
    assert np.all(np.diff(louder.astype(int)) >= 0)  # still a ramp


def test_apply_gain_rewrites_the_wav_and_leaves_zero_db_alone(tmp_path: Path) -> None:
    path = tmp_path / "tone.wav"
    ToneSynthesiser().synthesise("da", "ro", path)
    before = path.read_bytes()
    apply_gain(path, 0.0)
    assert path.read_bytes() == before
    apply_gain(path, -20.0)
    with wave.open(str(path)) as wav:
        quieter = np.frombuffer(wav.readframes(wav.getnframes()), "<i2")
        assert (wav.getframerate(), wav.getsampwidth()) == (16_000, 2)
    assert np.abs(quieter).max() == pytest.approx(3000 * 0.1, abs=1)


def test_a_wav_that_is_not_16_bit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "8bit.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(1)
        wav.setframerate(8000)
        wav.writeframes(bytes(range(256)))
    with pytest.raises(ValueError, match="8-bit"):
        apply_gain(path, -6.0)


# Several languages in a row ----------------------------------------------


def test_parts_are_said_in_order_each_in_its_own_language() -> None:
    synthesiser = ToneSynthesiser()
    player = SimulatedPlayer(realtime=False)
    finished: list[bool] = []
    tts = TextToSpeech(synthesiser, player, on_finished=finished.append)
    parts = [("Alegeți limba.", "ro"), ("Válasszon nyelvet.", "hu")]
    parts.append(("Choose your language.", "en"))
    try:
        tts.speak_parts(parts)
        assert tts.wait_idle(WAIT_S)
    finally:
        tts.close()
    assert synthesiser.spoken == parts
    assert len(player.played) == 3
    assert finished == [True]  # one utterance, heard out once


def test_a_new_sentence_replaces_the_rest_of_a_sequence() -> None:
    synthesiser = ToneSynthesiser()
    player = SimulatedPlayer(realtime=True)
    finished: list[bool] = []
    tts = TextToSpeech(synthesiser, player, on_finished=finished.append)
    try:
        tts.speak_parts([("unu doi trei " * 10, "ro"), ("egy kettő", "hu")])
        deadline = time.monotonic() + WAIT_S
        while not player.played and time.monotonic() < deadline:
            tts.wait_idle(0.01)
        assert player.played, "the first part never started"
        tts.speak("stop", "en")
        assert tts.wait_idle(WAIT_S)
    finally:
        tts.close()
    assert [language for _, language in synthesiser.spoken] == ["ro", "en"]
    assert finished == [False, True]


def test_a_part_whose_voice_fails_costs_only_that_part(tmp_path: Path) -> None:
    # A stand-in engine process that speaks the worker's protocol, knows
    # no voice "no/such", and writes tones for the others.
    code = (
        "import json, pathlib, sys\n"
        "from kiosk.speech.tts import ToneSynthesiser\n"
        "for line in sys.stdin:\n"
        "    r = json.loads(line)\n"
        "    ok = r['voice'] != 'no/such'\n"
        "    out = pathlib.Path(r['path'])\n"
        "    if ok: ToneSynthesiser().synthesise(r['text'], 'ro', out)\n"
        "    error = None if ok else 'no voice'\n"
        "    print(json.dumps({'ok': ok, 'error': error}), flush=True)\n"
    )
    synthesiser = Pyttsx3Synthesiser(
        voices={"ro": "roa/ro", "xx": "no/such"}, command=[sys.executable, "-c", code]
    )
    player = SimulatedPlayer(realtime=False)
    finished: list[bool] = []
    tts = TextToSpeech(synthesiser, player, on_finished=finished.append)
    try:
        tts.speak_parts([("da", "ro"), ("", "hu"), ("nope", "xx"), ("nu", "ro")])
        assert tts.wait_idle(WAIT_S)
    finally:
        tts.close()
    assert len(player.played) == 2  # ro, ro; the empty part was never sent
    assert tts.failed == 1
    assert finished == [False]  # a part was lost: the prompt is over anyway
