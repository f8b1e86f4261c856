"""The pyttsx3 engine in a child process: one JSON request per line.

Run as ``python -m kiosk.speech.tts_worker``. The parent writes
``{"text", "voice", "rate", "path"}`` lines (rate in words per minute) and
reads one ``{"ok", "error"}`` line back per request. pyttsx3 prints "Audio
saved to ..." on stdout, so the replies go out on a copy of the original
stdout and fd 1 is sent to /dev/null before the engine starts.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

import pyttsx3
from pyttsx3.drivers import _espeak


def _answer(out: TextIO, error: str | None) -> None:
    out.write(json.dumps({"ok": error is None, "error": error}) + "\n")
    out.flush()


ATTEMPTS = 3
"""Tries per sentence: pyttsx3 2.99 now and then writes no audio at all."""


def _synthesise(engine: Any, request: dict[str, Any]) -> str | None:
    path = Path(request["path"])
    # pyttsx3 2.99's espeak driver sometimes skips a sentence: no file, or a
    # bare 44-byte header (seen here about once in 20 first sentences). The
    # same call again has always worked, so a few tries are cheap insurance.
    for _ in range(ATTEMPTS):
        path.unlink(missing_ok=True)
        _set_voice_and_rate(request["voice"], int(request["rate"]))
        engine.save_to_file(request["text"], str(path))
        # One runAndWait per sentence: the driver keeps only the last queued
        # text, so two queued sentences would lose the first.
        engine.runAndWait()
        if path.is_file() and path.stat().st_size > 44:
            return None
    return f"the engine wrote no audio to {path} in {ATTEMPTS} tries"


def _set_voice_and_rate(voice: str, rate: int) -> None:
    # pyttsx3 queues property changes with the sentence, and with a changed
    # voice the rate came out at the default in about half the sentences.
    # espeak-ng is told directly instead, voice first: a new voice can put
    # the rate back to the default.
    # TODO: a sentence can still come out at the previous sentence's rate
    # (seen most when the voice changes, as on the language screen), so a
    # Slower speech press may first take effect one sentence late.
    # Synthesising with the espeak-ng command line per sentence would avoid
    # the driver's state altogether.
    if _espeak.SetVoiceByName(voice.encode()) != 0:
        raise ValueError(f"espeak-ng has no voice {voice!r}")
    _espeak.SetParameter(_espeak.RATE, rate, 0)


def main() -> int:
    """Serve requests until stdin closes."""
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    engine = pyttsx3.init("espeak")
    for line in sys.stdin:
        try:
            request = json.loads(line)
            error = _synthesise(engine, request)
        except Exception as exc:  # noqa: BLE001 - reported to the parent
            error = f"{type(exc).__name__}: {exc}"
        _answer(replies, error)
    return 0


if __name__ == "__main__":
    sys.exit(main())
