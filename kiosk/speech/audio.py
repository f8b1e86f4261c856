"""Audio sources: 16 kHz mono 16-bit PCM from a microphone or a WAV file.

Every source hands out the same format, whatever the device or file holds,
so the end-of-speech detector and the recogniser never convert anything.
"""

from __future__ import annotations

import logging
import math
import queue
import wave
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from kiosk.speech.errors import AudioError

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
"""Samples per second of every source's output."""
SAMPLE_BYTES = 2
"""Bytes per sample: signed 16-bit little-endian."""
SILENCE_DBFS = -96.0
"""Level reported for digital silence (the floor of 16-bit audio)."""

Int16Array = npt.NDArray[np.int16]
FloatArray = npt.NDArray[np.float64]


class AudioSource(Protocol):
    """A stream of 16 kHz mono signed 16-bit little-endian PCM."""

    def read(self, timeout_s: float) -> bytes | None:
        """Return the next chunk; b"" if none came in time, None at the end."""
        ...

    def close(self) -> None:
        """Release the device or file."""
        ...


def level_dbfs(pcm: bytes) -> float:
    """RMS level of 16-bit PCM in dB below full scale (-96 for silence)."""
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    if samples.size == 0:
        return SILENCE_DBFS
    rms = math.sqrt(float(np.mean(samples * samples)))
    if rms < 1.0:
        return SILENCE_DBFS
    return max(SILENCE_DBFS, 20.0 * math.log10(rms / 32768.0))


def duration_s(pcm: bytes) -> float:
    """Seconds of audio in a 16 kHz mono 16-bit buffer."""
    return len(pcm) / (SAMPLE_RATE * SAMPLE_BYTES)


def _lowpass_taps(cutoff: float, count: int = 63) -> FloatArray:
    # Hann-windowed sinc; cutoff is a fraction of the input sample rate.
    n = np.arange(count) - (count - 1) / 2
    taps = 2 * cutoff * np.sinc(2 * cutoff * n) * np.hanning(count)
    return np.asarray(taps / taps.sum(), dtype=np.float64)


class Resampler:
    """Streaming converter from any rate to 16 kHz, chunk by chunk.

    Downsampling first removes what the target rate cannot carry (a 63-tap
    low-pass filter) so that hiss above 8 kHz does not fold into the speech
    band; then linear interpolation picks the output samples. State carries
    across chunks, so splitting a signal differently gives the same output.
    """

    def __init__(self, in_rate: int, out_rate: int = SAMPLE_RATE) -> None:
        if in_rate <= 0 or out_rate <= 0:
            raise ValueError(f"sample rates must be positive: {in_rate}, {out_rate}")
        self.in_rate = in_rate
        self.out_rate = out_rate
        self._step = in_rate / out_rate
        self._taps: FloatArray | None = None
        if in_rate > out_rate:
            self._taps = _lowpass_taps(0.45 * out_rate / in_rate)
        self._history = np.zeros(0 if self._taps is None else self._taps.size - 1)
        self._last = 0.0
        self._position = 1.0
        """Where the next output sample falls, in indices of [last, *chunk]."""

    def process(self, samples: FloatArray | Int16Array) -> Int16Array:
        """Convert one chunk of mono samples (int16 scale)."""
        x = np.asarray(samples, dtype=np.float64)
        if self.in_rate == self.out_rate:
            return _to_int16(x)
        if self._taps is not None:
            padded = np.concatenate((self._history, x))
            self._history = padded[padded.size - self._history.size :]
            x = np.convolve(padded, self._taps, mode="valid")
        n = x.size
        if n == 0:
            return np.zeros(0, dtype=np.int16)
        buffer = np.concatenate(([self._last], x))
        count = max(0, math.ceil((n - self._position) / self._step))
        points = self._position + self._step * np.arange(count)
        index = points.astype(np.int64)
        fraction = points - index
        out = buffer[index] * (1.0 - fraction) + buffer[index + 1] * fraction
        self._position = self._position + self._step * count - n
        self._last = float(x[-1])
        return _to_int16(out)


def _to_int16(x: FloatArray) -> Int16Array:
    return np.clip(np.rint(x), -32768, 32767).astype(np.int16)


def to_mono(samples: FloatArray, channels: int) -> FloatArray:
    """Average interleaved channels into one."""
    if channels == 1:
        return samples
    usable = samples.size - samples.size % channels
    return np.asarray(
        samples[:usable].reshape(-1, channels).mean(axis=1), dtype=np.float64
    )


def _decode_pcm(raw: bytes, width: int) -> FloatArray:
    # Every width is brought to the 16-bit scale the rest of the code uses.
    if width == 1:
        return (np.frombuffer(raw, dtype=np.uint8).astype(np.float64) - 128) * 256
    if width == 2:
        return np.frombuffer(raw, dtype="<i2").astype(np.float64)
    if width == 3:
        bytes3 = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        value = bytes3[:, 0] | (bytes3[:, 1] << 8) | (bytes3[:, 2] << 16)
        value = np.where(value >= 1 << 23, value - (1 << 24), value)
        return value.astype(np.float64) / 256
    if width == 4:
        return np.frombuffer(raw, dtype="<i4").astype(np.float64) / 65536
    raise AudioError("file", f"unsupported sample width of {width} bytes")


class WavFileSource:
    """A PCM WAV file of any rate and channel count, read as 16 kHz mono."""

    def __init__(self, path: Path, chunk_ms: int = 100) -> None:
        self.path = path
        try:
            self._wav = wave.open(str(path), "rb")
        except FileNotFoundError as exc:
            raise AudioError(f"file {path}", "the file does not exist") from exc
        except OSError as exc:
            raise AudioError(
                f"file {path}", f"cannot be read ({exc.strerror or exc})"
            ) from exc
        except (EOFError, wave.Error) as exc:
            raise AudioError(
                f"file {path}",
                f"not a readable PCM WAV file ({exc}); convert it with "
                "'sox IN -b 16 -e signed-integer OUT.wav'",
            ) from exc
        self.rate = self._wav.getframerate()
        self.channels = self._wav.getnchannels()
        self._width = self._wav.getsampwidth()
        self._frame_bytes = self._width * self.channels
        self._frames_per_chunk = max(1, self.rate * chunk_ms // 1000)
        self._resampler = Resampler(self.rate)
        logger.debug(
            "wav.opened path=%s rate=%d channels=%d width=%d",
            path,
            self.rate,
            self.channels,
            self._width,
        )

    def read(self, timeout_s: float = 0.0) -> bytes | None:
        """Return the next chunk, or None after the last one."""
        raw = self._wav.readframes(self._frames_per_chunk)
        # A file cut short mid-frame (a copy that did not finish) ends in a
        # partial frame that cannot be decoded; the sound before it can.
        if partial := len(raw) % self._frame_bytes:
            logger.debug("wav.truncated path=%s dropped_bytes=%d", self.path, partial)
            raw = raw[:-partial]
        if not raw:
            return None
        mono = to_mono(_decode_pcm(raw, self._width), self.channels)
        return self._resampler.process(mono).astype("<i2").tobytes()

    def close(self) -> None:
        """Close the file."""
        self._wav.close()


def read_all(source: AudioSource) -> bytes:
    """Every remaining chunk of a finite source, joined."""
    chunks = []
    while (chunk := source.read(1.0)) is not None:
        chunks.append(chunk)
    return b"".join(chunks)


class QueueSource:
    """A source fed from another thread, e.g. a device callback."""

    def __init__(self, max_chunks: int = 500) -> None:
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=max_chunks)
        self.dropped = 0
        """Chunks thrown away because the reader fell behind."""

    def push(self, chunk: bytes | None) -> None:
        """Add a chunk (None ends the stream); never blocks the producer."""
        try:
            self._queue.put_nowait(chunk)
        except queue.Full:
            self.dropped += 1

    def read(self, timeout_s: float) -> bytes | None:
        """Wait up to timeout_s for the next chunk."""
        try:
            return self._queue.get(timeout=timeout_s)
        except queue.Empty:
            return b""

    def close(self) -> None:
        """End the stream for the reader."""
        self.push(None)
