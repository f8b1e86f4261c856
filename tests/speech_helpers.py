"""Helpers for the speech tests: espeak-ng clips, ALSA stand-in devices."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
YES_NO = ["네", "아니요"]
"""The Korean yes/no grammar ("ne", "aniyo")."""


def espeak_wav(
    path: Path,
    text: str,
    voice: str = "ko",
    rate: int = 16_000,
    pad_before_s: float = 0.5,
    pad_after_s: float = 1.5,
    channels: int = 1,
) -> Path:
    """Synthesise text with espeak-ng and convert it with sox."""
    raw = path.with_suffix(".espeak.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(raw), text], check=True)
    subprocess.run(
        ["sox", str(raw), "-r", str(rate), "-c", str(channels), "-b", "16", str(path)]
        + ["pad", str(pad_before_s), str(pad_after_s)],
        check=True,
    )
    raw.unlink()
    return path


def raw_pcm(wav: Path, rate: int = 16_000) -> Path:
    """The WAV as headerless signed 16-bit mono PCM at the given rate."""
    out = wav.with_suffix(f".{rate}.raw")
    subprocess.run(
        ["sox", str(wav), "-t", "raw", "-r", str(rate), "-c", "1", "-b", "16"]
        + ["-e", "signed-integer", str(out)],
        check=True,
    )
    return out


def alsa_config(folder: Path, pcms: dict[str, str]) -> Path:
    """An ALSA configuration adding the given PCM definitions to the system's."""
    lines = ["</usr/share/alsa/alsa.conf>"]
    lines += [f"pcm.{name} {{ {body} }}" for name, body in pcms.items()]
    path = folder / "asound.conf"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def file_microphone(infile: Path) -> str:
    """ALSA PCM body: capture replays a raw file, playback goes nowhere."""
    return (
        f'type file; slave.pcm "null"; file "/dev/null"; infile "{infile}"; '
        'format "raw"'
    )


def file_speaker(outfile: Path) -> str:
    """ALSA PCM body: playback is written to a file (or a FIFO)."""
    return f'type file; slave.pcm "null"; file "{outfile}"; format "raw"'


def subprocess_env(alsa_conf: Path) -> dict[str, str]:
    """The environment for a child that must see the test ALSA config."""
    env = dict(os.environ)
    env["ALSA_CONFIG_PATH"] = str(alsa_conf)
    env["PYTHONPATH"] = str(REPO)
    return env


def run_python(code: str, *args: str, env: dict[str, str]) -> bytes:
    """Run code in a fresh interpreter; return its stdout."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout
