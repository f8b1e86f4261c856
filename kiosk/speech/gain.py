"""Speech volume in software: a gain in decibels applied to a WAV file.

The kiosk's two outputs (loudspeaker and headphone jack) need their own
levels, and the ALSA mixer offers neither the same controls on every sound
card nor a control per output on many of them, nor anything on the file
and null devices the tests play to. So the mixer is set once at
installation, so that the top level reaches the loudness the enclosure
needs (EN 301 549 5.1.3.12 asks for at least 65 dBA), and the citizen's
levels scale the synthesised samples below that, here. Attenuating 16-bit
speech by up to 24 dB keeps its quietest parts well above the noise floor.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

INT16_MAX = 32767
INT16_MIN = -32768


def gain_factor(gain_db: float) -> float:
    """The amplitude factor of a gain in decibels (-6 dB is about 0.5)."""
    return float(10 ** (gain_db / 20))


def scale_samples(frames: bytes, gain_db: float) -> bytes:
    """16-bit little-endian samples scaled by ``gain_db``, saturating.

    A sample pushed beyond the 16-bit range is held at its limit instead of
    wrapping round to the opposite sign, which would sound like cracks.
    """
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float64)
    scaled = np.rint(samples * gain_factor(gain_db))
    return np.clip(scaled, INT16_MIN, INT16_MAX).astype("<i2").tobytes()


def apply_gain(path: Path, gain_db: float) -> None:
    """Rewrite a 16-bit PCM WAV file with its samples scaled by ``gain_db``.

    Raises ValueError if the file is not 16-bit PCM (espeak-ng always
    writes 16-bit mono).
    """
    if gain_db == 0:
        return
    with wave.open(str(path), "rb") as wav:
        params = wav.getparams()
        frames = wav.readframes(params.nframes)
    if params.sampwidth != 2:
        raise ValueError(f"{path} has {8 * params.sampwidth}-bit samples, not 16")
    with wave.open(str(path), "wb") as wav:
        wav.setparams(params)
        wav.writeframes(scale_samples(frames, gain_db))
