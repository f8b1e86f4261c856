"""Builds the camera monitor from the ``[camera]`` settings."""

from __future__ import annotations

import logging
from collections.abc import Callable

from kiosk.config import CameraSettings
from kiosk.hardware.camera import (
    FaceDetector,
    FrameSource,
    NoFaceDetector,
    NoQrDecoder,
    PresenceTracker,
    QrDecoder,
    StallDetector,
)
from kiosk.hardware.camera_monitor import CameraEvent, CameraMonitor
from kiosk.hardware.camera_sim import SimulatedSource

logger = logging.getLogger(__name__)


def make_camera_parts(
    settings: CameraSettings,
) -> tuple[FrameSource, FaceDetector, QrDecoder]:
    """The source, face detector and QR decoder the settings ask for."""
    try:
        from kiosk.hardware import camera_cv
    except ImportError as exc:
        if settings.source != "simulated":
            from kiosk.hardware.camera import CameraUnavailableError

            raise CameraUnavailableError(
                settings.source, f"OpenCV is not installed ({exc})"
            ) from exc
        logger.warning("OpenCV is missing: the simulated camera sees no faces")
        return SimulatedSource(), NoFaceDetector(), NoQrDecoder()
    source: FrameSource
    if settings.source == "simulated":
        source = SimulatedSource()
    else:
        source = camera_cv.OpenCvSource(
            settings.source, settings.width, settings.height
        )
    return source, camera_cv.HaarFaceDetector(), camera_cv.OpenCvQrDecoder()


def make_camera_monitor(
    settings: CameraSettings, on_event: Callable[[CameraEvent], None] | None = None
) -> CameraMonitor:
    """A monitor for the configured camera; call ``start()`` to run it."""
    source, faces, qr = make_camera_parts(settings)
    return CameraMonitor(
        source,
        faces,
        qr,
        on_event=on_event,
        fps=settings.fps,
        presence=PresenceTracker(
            settings.present_after_frames, settings.absent_after_s
        ),
        stall=StallDetector(settings.frozen_after_s, settings.unplugged_after_failures),
    )
