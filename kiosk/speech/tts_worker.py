"""The pyttsx3 engine in a child process: one JSON request per line.

Run as ``python -m kiosk.speech.tts_worker``. The parent writes
``{"text", "voice", "path"}`` lines and reads one ``{"ok", "error"}`` line
back per request. pyttsx3 prints "Audio saved to ..." on stdout, so the
replies go out on a copy of the original stdout and fd 1 is sent to
/dev/null before the engine starts.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

import pyttsx3


def _answer(out: TextIO, error: str | None) -> None:
    out.write(json.dumps({"ok": error is None, "error": error}) + "\n")
    out.flush()


ATTEMPTS = 3
"""Tries per sentence: pyttsx3 2.99 now and then writes no audio at all."""


def _synthesise(engine: Any, request: dict[str, Any]) -> str | None:
    path = Path(request["path"])
    engine.setProperty("voice", request["voice"])
    # pyttsx3 2.99's espeak driver sometimes skips a sentence: no file, or a
    # bare 44-byte header (seen here about once in 20 first sentences). The
    # same call again has always worked, so a few tries are cheap insurance.
    for _ in range(ATTEMPTS):
        path.unlink(missing_ok=True)
        engine.save_to_file(request["text"], str(path))
        # One runAndWait per sentence: the driver keeps only the last queued
        # text, so two queued sentences would lose the first.
        engine.runAndWait()
        if path.is_file() and path.stat().st_size > 44:
            return None
    return f"the engine wrote no audio to {path} in {ATTEMPTS} tries"


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
