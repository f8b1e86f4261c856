"""The camera's interfaces, value types and the logic that needs no OpenCV.

The kiosk uses its camera for two things only: to notice that someone is
standing in front of it (a face, with hysteresis, wakes the screen) and to
read QR codes on receipts and payment notices. Frames live in memory for
the time it takes to look at them: none is ever written to disk, logged or
sent anywhere.

The pieces:

- ``FrameSource``: where frames come from (a V4L2 device, a video file, a
  stream, or a simulator). ``read()`` returns None when no frame came.
- ``FaceDetector`` and ``QrDecoder``: what is looked for in a frame.
- ``PresenceTracker``: faces per frame in, "someone is there" out.
- ``StallDetector``: notices a frozen camera (the same frame again and
  again) or an unplugged one (reads failing in a row).
"""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
"""A BGR frame, height × width × 3, as OpenCV gives it."""


class CameraState(enum.Enum):
    """Health of the camera as the monitor sees it."""

    CLOSED = "closed"
    OPENING = "opening"
    READY = "ready"
    FROZEN = "frozen"
    """Frames keep coming but are all the same: the driver or sensor hung."""
    UNPLUGGED = "unplugged"
    """Reads keep failing: cable out, device gone or stream down."""


class CameraError(Exception):
    """Base of the camera's errors."""


class CameraUnavailableError(CameraError):
    """The camera cannot be opened."""

    def __init__(self, source: str, cause: str) -> None:
        self.source = source
        self.cause = cause
        super().__init__(f"cannot open the camera {source!r}: {cause}")


class FrameSource(Protocol):
    """Where frames come from: a device, a file, a stream or a simulator."""

    description: str
    """Where the frames come from, for logs and diagnostics."""

    def open(self) -> None:
        """Start capturing; raise CameraUnavailableError if impossible."""
        ...

    def read(self) -> Image | None:
        """The next frame at processing size, or None when none came."""
        ...

    def close(self) -> None:
        """Stop capturing and release the device."""
        ...


class FaceDetector(Protocol):
    """Finds frontal faces in a frame."""

    def count_faces(self, frame: Image) -> int:
        """How many faces the frame shows."""
        ...


class QrDecoder(Protocol):
    """Reads one QR code in a frame."""

    def decode(self, frame: Image) -> str | None:
        """The text of the QR code in the frame, or None."""
        ...


_RECEIPT_QR = re.compile(r"antonia:ticket:([A-Za-z0-9-]{1,40}):([A-Za-z0-9-]{1,20})")


@dataclass(frozen=True)
class ReceiptQr:
    """What the QR code on one of our receipts says."""

    kiosk_id: str
    ticket: str


def parse_receipt_qr(text: str) -> ReceiptQr | None:
    """``antonia:ticket:<kiosk>:<ticket>`` parsed; None for any other text."""
    match = _RECEIPT_QR.fullmatch(text.strip())
    return ReceiptQr(match[1], match[2]) if match else None


class PresenceTracker:
    """Hysteresis on faces: present after N frames, gone after T seconds."""

    def __init__(self, present_after_frames: int = 2, absent_after_s: float = 4.0):
        self.present_after_frames = present_after_frames
        self.absent_after_s = absent_after_s
        self.present = False
        self._streak = 0
        self._last_face_s: float | None = None

    def update(self, faces: int, now_s: float) -> bool | None:
        """Take one frame's face count; return the new state if it changed."""
        if faces > 0:
            self._streak += 1
            self._last_face_s = now_s
            if not self.present and self._streak >= self.present_after_frames:
                self.present = True
                return True
            return None
        self._streak = 0
        if (
            self.present
            and self._last_face_s is not None
            and now_s - self._last_face_s >= self.absent_after_s
        ):
            self.present = False
            return False
        return None


class StallDetector:
    """Tells a live camera from a frozen or an unplugged one."""

    def __init__(
        self, frozen_after_s: float = 5.0, unplugged_after_failures: int = 5
    ) -> None:
        self.frozen_after_s = frozen_after_s
        self.unplugged_after_failures = unplugged_after_failures
        self.state = CameraState.OPENING
        self.failures = 0
        """Failed reads in a row."""
        self._fingerprint = b""
        self._same_since_s = 0.0

    def update(self, frame: Image | None, now_s: float) -> CameraState:
        """Take one read's result; return the camera's state after it."""
        if frame is None:
            self.failures += 1
            if self.failures >= self.unplugged_after_failures:
                self.state = CameraState.UNPLUGGED
            return self.state
        self.failures = 0

        # A real sensor never gives two identical frames (noise alone sees
        # to that), so byte-equal frames mean a driver repeating its buffer.
        fingerprint = hashlib.blake2b(frame.tobytes(), digest_size=16).digest()
        if fingerprint != self._fingerprint:
            self._fingerprint = fingerprint
            self._same_since_s = now_s
            self.state = CameraState.READY
        elif now_s - self._same_since_s >= self.frozen_after_s:
            self.state = CameraState.FROZEN
        elif self.state is not CameraState.FROZEN:
            self.state = CameraState.READY
        return self.state


class NoFaceDetector:
    """Stands in where OpenCV is missing: never sees anyone."""

    def count_faces(self, frame: Image) -> int:
        """Always zero."""
        return 0


class NoQrDecoder:
    """Stands in where OpenCV is missing: never reads a code."""

    def decode(self, frame: Image) -> str | None:
        """Always None."""
        return None
