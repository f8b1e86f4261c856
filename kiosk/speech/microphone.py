"""The microphone through PortAudio (sounddevice), as a 16 kHz source.

sounddevice is imported here only, so machines without PortAudio can run
everything else. The device is opened at 16 kHz when it accepts that rate;
otherwise at its own default rate, and the audio is resampled.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import sounddevice

from kiosk.speech.audio import SAMPLE_RATE, QueueSource, Resampler
from kiosk.speech.errors import AudioError

logger = logging.getLogger(__name__)


def _device_arg(device: str) -> int | str | None:
    if device in ("", "default"):
        return None
    return int(device) if device.isdigit() else device


class Microphone:
    """A capture stream that runs from construction until close()."""

    def __init__(self, device: str = "", rate: int | None = None, block_ms: int = 20):
        self.device = device or "default"
        target = _device_arg(device)
        try:
            self.rate = rate or self._pick_rate(target)
            self._resampler = Resampler(self.rate)
            self._queue = QueueSource()
            self._stream = sounddevice.RawInputStream(
                samplerate=self.rate,
                blocksize=self.rate * block_ms // 1000,
                device=target,
                channels=1,
                dtype="int16",
                callback=self._on_audio,
            )
            self._stream.start()
        except (sounddevice.PortAudioError, ValueError) as exc:
            raise AudioError(
                f"input device {self.device!r}",
                f"cannot capture ({exc}); is a microphone plugged in?",
            ) from exc
        logger.info("Microphone %s open at %d Hz", self.device, self.rate)

    @staticmethod
    def _pick_rate(device: int | str | None) -> int:
        try:
            sounddevice.check_input_settings(
                device=device, channels=1, dtype="int16", samplerate=SAMPLE_RATE
            )
            return SAMPLE_RATE
        except (sounddevice.PortAudioError, ValueError):
            info = sounddevice.query_devices(device, "input")
            return int(info["default_samplerate"])

    def _on_audio(self, data: Any, frames: int, when: Any, status: Any) -> None:
        # Runs on PortAudio's thread: copy, convert and hand over, nothing else.
        if status:
            logger.debug("microphone.status flags=%s", status)
        samples = np.frombuffer(bytes(data), dtype="<i2")
        self._queue.push(self._resampler.process(samples).astype("<i2").tobytes())

    @property
    def dropped(self) -> int:
        """Chunks lost because nobody read them in time."""
        return self._queue.dropped

    def read(self, timeout_s: float) -> bytes | None:
        """Wait up to timeout_s for the next 16 kHz chunk."""
        return self._queue.read(timeout_s)

    def close(self) -> None:
        """Stop capturing and release the device."""
        try:
            self._stream.stop()
            self._stream.close()
        except sounddevice.PortAudioError as exc:
            logger.warning("Microphone %s did not close cleanly: %s", self.device, exc)
        self._queue.close()
        logger.debug("microphone.closed device=%s", self.device)
