"""The real camera through OpenCV: capture, Haar faces, QR codes.

This is the only module that imports ``cv2``, so the rest of the kiosk and
its tests run without OpenCV installed.
"""

from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np

from kiosk.hardware.camera import CameraUnavailableError, Image

logger = logging.getLogger(__name__)

_CASCADE = "haarcascade_frontalface_default.xml"
_STREAM_SCHEMES = ("rtsp://", "rtsps://", "http://", "https://", "udp://", "tcp://")


class OpenCvSource:
    """Frames from a V4L2 device, a video file or a stream, scaled down.

    A video file stands in for a camera in demos and tests: it is played in
    a loop rather than ending, since a kiosk camera never ends either.
    """

    def __init__(self, source: str, width: int = 320, height: int = 240) -> None:
        self.source = source
        self.size = (width, height)
        self.description = f"camera {source}"
        self._capture: cv2.VideoCapture | None = None
        self._is_file = not source.isdigit() and not source.startswith(_STREAM_SCHEMES)
        self._is_file = self._is_file and not source.startswith("/dev/")

    def open(self) -> None:
        """Open the device, file or stream; CameraUnavailableError if not."""
        if self._is_file and not Path(self.source).is_file():
            raise CameraUnavailableError(self.source, "no such file")
        target: int | str = int(self.source) if self.source.isdigit() else self.source
        capture = cv2.VideoCapture(target)
        if not capture.isOpened():
            capture.release()
            raise CameraUnavailableError(
                self.source, "not opened (unplugged, busy, or no permission)"
            )
        self._capture = capture
        logger.info("Camera opened: %s (%s)", self.source, capture.getBackendName())

    def read(self) -> Image | None:
        """The next frame at processing size; None when the read failed."""
        if self._capture is None:
            return None
        ok, frame = self._capture.read()
        if not ok and self._is_file:
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._capture.read()
        if not ok or frame is None:
            return None
        return downscale(np.asarray(frame, dtype=np.uint8), self.size)

    def close(self) -> None:
        """Release the device."""
        if self._capture is not None:
            self._capture.release()
            self._capture = None


def downscale(frame: Image, size: tuple[int, int]) -> Image:
    """``frame`` shrunk to fit ``size`` (width, height), never enlarged."""
    height, width = frame.shape[:2]
    scale = min(size[0] / width, size[1] / height, 1.0)
    if scale == 1.0:
        return frame
    new_size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = cv2.resize(frame, new_size, interpolation=cv2.INTER_AREA)
    return np.asarray(small, dtype=np.uint8)


class HaarFaceDetector:
    """Frontal faces with OpenCV's shipped Haar cascade."""

    def __init__(self, min_face_px: int = 36, min_neighbors: int = 6) -> None:
        # cv2.data exists at run time but not in the stubs OpenCV ships.
        path = Path(cv2.data.haarcascades) / _CASCADE  # type: ignore[attr-defined]
        self._cascade = cv2.CascadeClassifier(str(path))
        if self._cascade.empty():
            raise CameraUnavailableError("face detector", f"cannot load {path}")
        self.min_face_px = min_face_px
        # 6 rather than the usual 5 neighbours: 5 also "finds" faces in
        # busy backgrounds, and a false face wakes the screen for nothing.
        self.min_neighbors = min_neighbors

    def count_faces(self, frame: Image) -> int:
        """How many frontal faces the frame shows."""
        grey = cv2.equalizeHist(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
        faces = self._cascade.detectMultiScale(
            grey,
            scaleFactor=1.15,
            minNeighbors=self.min_neighbors,
            minSize=(self.min_face_px, self.min_face_px),
        )
        return len(faces)


class OpenCvQrDecoder:
    """QR codes with ``cv2.QRCodeDetector`` (full QR only, not Micro QR)."""

    def __init__(self) -> None:
        self._detector = cv2.QRCodeDetector()

    def decode(self, frame: Image) -> str | None:
        """The text of the QR code in the frame, or None."""
        try:
            text, _points, _straight = self._detector.detectAndDecode(frame)
        except cv2.error as exc:
            logger.debug("qr.failed cause=%s", exc)
            return None
        return str(text) if text else None
