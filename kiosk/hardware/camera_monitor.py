"""The camera's owner thread: presence, QR codes and health, at a low rate."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from kiosk.hardware.camera import (
    CameraState,
    CameraUnavailableError,
    FaceDetector,
    FrameSource,
    Image,
    PresenceTracker,
    QrDecoder,
    ReceiptQr,
    StallDetector,
    parse_receipt_qr,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PresenceChanged:
    """Someone arrived in front of the kiosk, or left."""

    present: bool


@dataclass(frozen=True)
class QrScanned:
    """A QR code was read while scanning was on."""

    text: str
    receipt: ReceiptQr | None
    """Set when the code is one of our receipts."""


@dataclass(frozen=True)
class CameraStateChanged:
    """The camera became ready, frozen, unplugged or closed."""

    state: CameraState


CameraEvent = PresenceChanged | QrScanned | CameraStateChanged


@dataclass(frozen=True)
class CameraStatus:
    """What the monitor knows, for diagnostics."""

    state: CameraState = CameraState.CLOSED
    present: bool = False
    frames: int = 0
    """Frames looked at since start."""
    failed_reads: int = 0
    """Failed reads in a row right now."""
    last_processing_ms: float | None = None
    """Time spent on the last frame (faces, and QR when scanning), ms."""
    detail: str = ""
    """Why the camera is not ready, in words."""


class CameraMonitor:
    """Reads frames at ``fps`` in one thread and reports what it sees.

    ``on_event`` is called on the camera thread; it must return quickly and
    never touch widgets (post to the UI thread instead).
    """

    def __init__(
        self,
        source: FrameSource,
        faces: FaceDetector,
        qr: QrDecoder,
        on_event: Callable[[CameraEvent], None] | None = None,
        fps: float = 4.0,
        presence: PresenceTracker | None = None,
        stall: StallDetector | None = None,
        reopen_s: float = 5.0,
    ) -> None:
        self.source = source
        self.faces = faces
        self.qr = qr
        self.on_event = on_event
        self.period_s = 1.0 / fps
        self.presence = presence or PresenceTracker()
        self.stall = stall or StallDetector()
        self.reopen_s = reopen_s
        self._scanning = threading.Event()
        self._stop = threading.Event()
        self._changed = threading.Condition()
        self._status = CameraStatus()
        self._thread: threading.Thread | None = None
        self._last_qr: tuple[str, float] = ("", 0.0)

    def start(self) -> None:
        """Start the camera thread."""
        if self._thread is not None:
            raise RuntimeError("the camera monitor was already started")
        self._thread = threading.Thread(target=self._run, name="camera", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop the thread and release the camera; returns within one frame."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        self._set(state=CameraState.CLOSED)

    def scan_qr(self, on: bool) -> None:
        """Look for QR codes in every frame while ``on`` (costs CPU)."""
        if on:
            self._scanning.set()
        else:
            self._scanning.clear()

    def status(self) -> CameraStatus:
        """The latest status; never blocks on the camera."""
        with self._changed:
            return self._status

    def wait_until(
        self, predicate: Callable[[CameraStatus], bool], timeout_s: float
    ) -> CameraStatus | None:
        """Block until ``predicate(status)`` holds; None after ``timeout_s``."""
        with self._changed:
            if self._changed.wait_for(lambda: predicate(self._status), timeout_s):
                return self._status
            return None

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                if not self._open():
                    self._stop.wait(self.reopen_s)
                    continue
                try:
                    self._watch()
                finally:
                    self.source.close()
        except Exception:
            logger.exception("The camera thread failed; no presence or QR from now")
            self._set(state=CameraState.UNPLUGGED, detail="camera thread failed")

    def _open(self) -> bool:
        self._set(state=CameraState.OPENING)
        try:
            self.source.open()
        except CameraUnavailableError as exc:
            logger.warning("%s", exc)
            self._set(state=CameraState.UNPLUGGED, detail=exc.cause)
            return False
        return True

    def _watch(self) -> None:
        next_s = time.monotonic()
        while not self._stop.wait(max(0.0, next_s - time.monotonic())):
            next_s += self.period_s
            self._step(time.monotonic())
            if self.stall.state is CameraState.UNPLUGGED:
                # Reopen: a device that comes back gets a fresh handle.
                return

    def _step(self, now_s: float) -> None:
        started = time.perf_counter()
        frame = self.source.read()
        state = self.stall.update(frame, now_s)
        detail = {
            CameraState.FROZEN: "the same picture for too long",
            CameraState.UNPLUGGED: f"{self.stall.failures} reads failed in a row",
        }.get(state, "")
        if frame is None or state is CameraState.FROZEN:
            self._set(state=state, failed_reads=self.stall.failures, detail=detail)
            return
        changed = self.presence.update(self.faces.count_faces(frame), now_s)
        if changed is not None:
            self._emit(PresenceChanged(changed))
        if self._scanning.is_set():
            self._look_for_qr(frame, now_s)
        del frame  # nothing of the picture outlives this step
        self._set(
            state=state,
            present=self.presence.present,
            frames=self._status.frames + 1,
            failed_reads=0,
            last_processing_ms=(time.perf_counter() - started) * 1000,
            detail=detail,
        )

    def _look_for_qr(self, frame: Image, now_s: float) -> None:
        text = self.qr.decode(frame)
        if not text:
            return
        last_text, last_s = self._last_qr
        if text == last_text and now_s - last_s < 3.0:
            return  # the same code still held up to the camera
        self._last_qr = (text, now_s)
        receipt = parse_receipt_qr(text)
        logger.info("QR code read (%s)", "receipt" if receipt else "other")
        self._emit(QrScanned(text, receipt))

    def _set(self, **changes: object) -> None:
        with self._changed:
            old = self._status
            self._status = replace(old, **changes)  # type: ignore[arg-type]
            self._changed.notify_all()
        if self._status.state is not old.state:
            level = logging.INFO
            if self._status.state in (CameraState.FROZEN, CameraState.UNPLUGGED):
                level = logging.WARNING
            logger.log(level, "Camera %s", self._status.state.value)
            self._emit(CameraStateChanged(self._status.state))

    def _emit(self, event: CameraEvent) -> None:
        if self.on_event is None:
            return
        try:
            self.on_event(event)
        except Exception:
            logger.exception("Camera event handler failed on %s", event)
