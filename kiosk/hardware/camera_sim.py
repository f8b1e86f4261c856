"""A simulated camera: frames from images in memory, with faults to play."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image as PILImage

from kiosk.hardware.camera import CameraUnavailableError, Image


class SimulatedSource:
    """Yields the given frames in a loop; can freeze, unplug and fail to open."""

    def __init__(self, frames: Sequence[Image] | None = None) -> None:
        self.description = "simulated camera"
        self._frames = list(frames) if frames else _noise_frames(8)
        self._index = 0
        self._lock = threading.Lock()
        self.frozen = False
        """While True, the same frame is returned again and again."""
        self.unplugged = False
        """While True, every read fails."""
        self.fail_open = False
        """When True, open() raises CameraUnavailableError."""
        self.reads = 0
        self.is_open = False

    @classmethod
    def from_images(
        cls, paths: Sequence[Path], size: tuple[int, int] = (320, 240)
    ) -> SimulatedSource:
        """A source cycling through image files, scaled to ``size`` (w, h)."""
        frames = []
        for path in paths:
            with PILImage.open(path) as picture:
                rgb = picture.convert("RGB").resize(size)
            frames.append(np.ascontiguousarray(np.asarray(rgb)[:, :, ::-1]))
        return cls(frames)

    def show(self, frames: Sequence[Image]) -> None:
        """Replace what the camera sees (a face walks in, a receipt is held)."""
        with self._lock:
            self._frames = list(frames)
            self._index = 0

    def open(self) -> None:
        """Open, unless told to fail."""
        if self.fail_open:
            raise CameraUnavailableError(self.description, "simulated failure")
        self.is_open = True

    def read(self) -> Image | None:
        """The next frame, the same frame when frozen, None when unplugged."""
        with self._lock:
            self.reads += 1
            if self.unplugged or not self.is_open:
                return None
            frame = self._frames[self._index % len(self._frames)]
            if not self.frozen:
                self._index += 1
            return frame.copy()

    def close(self) -> None:
        """Stop."""
        self.is_open = False


def _noise_frames(count: int, size: tuple[int, int] = (240, 320)) -> list[Image]:
    """Grey frames with sensor-like noise: an empty lobby, no face."""
    rng = np.random.default_rng(2024)
    base = np.full((*size, 3), 110, dtype=np.int16)
    return [
        np.clip(base + rng.integers(-6, 7, (*size, 3)), 0, 255).astype(np.uint8)
        for _ in range(count)
    ]
