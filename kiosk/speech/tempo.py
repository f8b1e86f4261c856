"""Speech rate in software: the synthesised WAV stretched to the citizen's rate.

espeak-ng has a rate of its own, but set through pyttsx3's driver it did
not reliably reach the sentence that followed: a sentence often came out at
the previous sentence's rate, most of all when the voice changed with it
(as on the language screen, which speaks three languages in a row). So the
engine always speaks at its own rate and sox's ``tempo`` effect stretches
the sentence in time without changing its pitch. The result is the same for
every sentence, whatever came before, and costs 10 to 20 ms.
"""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path

from kiosk.speech.errors import AudioError

logger = logging.getLogger(__name__)

ENGINE_RATE_WPM = 200
"""The rate pyttsx3 gives espeak-ng, in words per minute; left as it is."""
TEMPO_TIMEOUT_S = 5.0
"""Longest sox may take; a sentence of the kiosk takes a few milliseconds."""


def tempo_factor(rate_wpm: int) -> float:
    """How much faster than the engine's own rate (below 1: slower)."""
    return rate_wpm / ENGINE_RATE_WPM


def apply_tempo(path: Path, rate_wpm: int) -> None:
    """Rewrite the WAV at ``path`` so it is spoken at ``rate_wpm``.

    Raises:
        AudioError: sox is missing, failed or took too long; the file is
            left as the engine wrote it.
    """
    if rate_wpm == ENGINE_RATE_WPM:
        return
    stretched = path.with_name(f"{path.stem}.tempo{path.suffix}")
    # -s: the settings sox tunes for speech.
    command = ["sox", str(path), str(stretched), "tempo", "-s"]
    command.append(f"{tempo_factor(rate_wpm):.4f}")
    try:
        done = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=TEMPO_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        stretched.unlink(missing_ok=True)
        raise AudioError("speech rate (sox)", str(exc)) from exc
    if done.returncode != 0:
        stretched.unlink(missing_ok=True)
        words = done.stderr.decode(errors="replace").strip()[:300]
        raise AudioError("speech rate (sox)", f"exit {done.returncode}: {words}")
    os.replace(stretched, path)
