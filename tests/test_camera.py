import io
import queue
from pathlib import Path

import cv2
import numpy as np
import pytest
import segno
from PIL import Image as PILImage
from skimage import data

from kiosk.config import CameraSettings
from kiosk.hardware.camera import (
    CameraState,
    PresenceTracker,
    ReceiptQr,
    StallDetector,
    parse_receipt_qr,
)
from kiosk.hardware.camera_cv import (
    HaarFaceDetector,
    OpenCvQrDecoder,
    OpenCvSource,
    downscale,
)
from kiosk.hardware.camera_factory import make_camera_parts
from kiosk.hardware.camera_monitor import (
    CameraMonitor,
    CameraStateChanged,
    PresenceChanged,
    QrScanned,
)
from kiosk.hardware.camera_sim import SimulatedSource

PAYLOAD = "antonia:ticket:cluj-moti-1:A-00017"


def _bgr(rgb: np.ndarray) -> np.ndarray:
    if rgb.ndim == 2:
        rgb = np.stack([rgb] * 3, axis=-1)
    return np.ascontiguousarray(rgb[:, :, ::-1])


def _on_canvas(picture: np.ndarray, size=(640, 480), fill=0) -> np.ndarray:
    """The picture centred on a 4:3 frame, as a camera would frame it."""
    width, height = size
    side = min(width, height)
    canvas = np.full((height, width, 3), fill, np.uint8)
    small = cv2.resize(picture, (side, side))
    x, y = (width - side) // 2, (height - side) // 2
    canvas[y : y + side, x : x + side] = small
    return canvas


@pytest.fixture(scope="module")
def face_detector() -> HaarFaceDetector:
    return HaarFaceDetector()


@pytest.fixture(scope="module")
def astronaut_frame() -> np.ndarray:
    return downscale(_on_canvas(_bgr(data.astronaut())), (320, 240))


def test_face_found_on_a_real_photograph(face_detector, astronaut_frame):
    assert face_detector.count_faces(astronaut_frame) == 1


@pytest.mark.parametrize("name", ["coffee", "chelsea", "rocket", "camera"])
def test_no_face_on_photographs_without_one(face_detector, name: str):
    frame = downscale(_on_canvas(_bgr(getattr(data, name)())), (320, 240))
    assert face_detector.count_faces(frame) == 0


def _qr_frame(
    payload: str, angle: float = 0.0, blur: float = 0.0, scale: int = 7
) -> np.ndarray:
    buffer = io.BytesIO()
    segno.make_qr(payload, error="m").save(buffer, kind="png", scale=scale, border=4)
    code = _bgr(np.asarray(PILImage.open(buffer).convert("RGB")))
    frame = np.full((480, 640, 3), 190, np.uint8)
    h, w = code.shape[:2]
    frame[(480 - h) // 2 : (480 + h) // 2, (640 - w) // 2 : (640 + w) // 2] = code
    turn = cv2.getRotationMatrix2D((320, 240), angle, 1.0)
    frame = cv2.warpAffine(frame, turn, (640, 480), borderValue=(190, 190, 190))
    if blur:
        frame = cv2.GaussianBlur(frame, (0, 0), blur)
    return downscale(frame, (320, 240))


@pytest.mark.parametrize(
    ("angle", "blur"), [(0, 0), (30, 0), (45, 1.5), (15, 1.5), (-20, 2.0)]
)
def test_receipt_qr_decoded_rotated_and_blurred(angle: float, blur: float):
    text = OpenCvQrDecoder().decode(_qr_frame(PAYLOAD, angle, blur))
    assert text == PAYLOAD
    assert parse_receipt_qr(text) == ReceiptQr("cluj-moti-1", "A-00017")


def test_a_hopelessly_blurred_code_reads_as_nothing():
    assert OpenCvQrDecoder().decode(_qr_frame(PAYLOAD, 30, 5.0)) is None


def test_no_qr_in_a_frame_without_one(astronaut_frame):
    assert OpenCvQrDecoder().decode(astronaut_frame) is None


@pytest.mark.parametrize(
    "text", ["antonia:ticket:k1", "https://example.org", "antonia:ticket:a:b:c", ""]
)
def test_other_codes_are_not_receipts(text: str):
    assert parse_receipt_qr(text) is None


def test_presence_needs_consecutive_faces_and_lingers():
    tracker = PresenceTracker(present_after_frames=2, absent_after_s=3.0)
    assert tracker.update(1, 0.0) is None
    assert tracker.update(0, 0.25) is None  # one face is a glimpse
    assert tracker.update(1, 0.5) is None
    assert tracker.update(1, 0.75) is True
    assert tracker.update(0, 2.0) is None  # looked away briefly
    assert tracker.update(1, 2.5) is None
    assert tracker.update(0, 5.4) is None
    assert tracker.update(0, 5.6) is False


def test_identical_frames_mean_frozen_and_new_ones_mean_ready():
    stall = StallDetector(frozen_after_s=2.0, unplugged_after_failures=3)
    frame = np.zeros((4, 4, 3), np.uint8)
    assert stall.update(frame, 0.0) is CameraState.READY
    assert stall.update(frame.copy(), 1.9) is CameraState.READY
    assert stall.update(frame.copy(), 2.1) is CameraState.FROZEN
    frame[0, 0, 0] = 1
    assert stall.update(frame, 2.3) is CameraState.READY


def test_failed_reads_in_a_row_mean_unplugged():
    stall = StallDetector(unplugged_after_failures=3)
    frame = np.zeros((4, 4, 3), np.uint8)
    assert stall.update(None, 0.0) is not CameraState.UNPLUGGED
    assert stall.update(None, 0.1) is not CameraState.UNPLUGGED
    assert stall.update(frame, 0.2) is CameraState.READY
    for t in (0.3, 0.4, 0.5):
        state = stall.update(None, t)
    assert state is CameraState.UNPLUGGED


def _monitor(source, faces, events, frozen_after_s=0.3):
    return CameraMonitor(
        source,
        faces,
        OpenCvQrDecoder(),
        on_event=events.put,
        fps=30.0,
        presence=PresenceTracker(2, 0.3),
        stall=StallDetector(frozen_after_s, 3),
        reopen_s=0.05,
    )


def _next(events: queue.Queue, kind):
    while True:
        event = events.get(timeout=5.0)
        if isinstance(event, kind):
            return event


def _reaches(events: queue.Queue, state: CameraState) -> bool:
    while _next(events, CameraStateChanged).state is not state:
        pass
    return True


def test_monitor_reports_presence_from_a_simulated_camera(
    face_detector, astronaut_frame
):
    source = SimulatedSource()
    events: queue.Queue = queue.Queue()
    monitor = _monitor(source, face_detector, events)
    monitor.start()
    try:
        assert _reaches(events, CameraState.READY)
        # The same photo, each copy nudged so it is not a frozen camera.
        faces = [astronaut_frame.copy() for _ in range(4)]
        for i, frame in enumerate(faces):
            frame[0, 0, 0] = i
        source.show(faces)
        assert _next(events, PresenceChanged) == PresenceChanged(True)
        source.show(SimulatedSource()._frames)
        assert _next(events, PresenceChanged) == PresenceChanged(False)
    finally:
        monitor.close()
    assert monitor.status().state is CameraState.CLOSED


def test_monitor_reads_a_receipt_only_while_scanning():
    frames = [_qr_frame(PAYLOAD, angle) for angle in (10, 12, 14)]
    source = SimulatedSource(frames)
    events: queue.Queue = queue.Queue()
    monitor = _monitor(source, HaarFaceDetector(), events)
    monitor.start()
    try:
        assert monitor.wait_until(lambda s: s.frames >= 3, 5.0)
        assert events.qsize() < 10 and all(
            not isinstance(e, QrScanned) for e in list(events.queue)
        )
        monitor.scan_qr(True)
        scanned = _next(events, QrScanned)
        assert scanned.receipt == ReceiptQr("cluj-moti-1", "A-00017")
    finally:
        monitor.close()


def test_monitor_detects_a_frozen_camera_and_its_recovery():
    source = SimulatedSource()
    events: queue.Queue = queue.Queue()
    monitor = _monitor(source, HaarFaceDetector(), events)
    monitor.start()
    try:
        assert _reaches(events, CameraState.READY)
        source.frozen = True
        assert _next(events, CameraStateChanged).state is CameraState.FROZEN
        source.frozen = False
        assert _next(events, CameraStateChanged).state is CameraState.READY
    finally:
        monitor.close()


def test_monitor_detects_an_unplugged_camera_and_reopens_it():
    source = SimulatedSource()
    events: queue.Queue = queue.Queue()
    monitor = _monitor(source, HaarFaceDetector(), events)
    monitor.start()
    try:
        assert _reaches(events, CameraState.READY)
        source.unplugged = True
        assert _next(events, CameraStateChanged).state is CameraState.UNPLUGGED
        source.unplugged = False
        assert _reaches(events, CameraState.READY)
    finally:
        monitor.close()


def test_a_camera_that_cannot_open_is_reported_unplugged():
    source = SimulatedSource()
    source.fail_open = True
    monitor = _monitor(source, HaarFaceDetector(), queue.Queue())
    monitor.start()
    try:
        status = monitor.wait_until(lambda s: s.state is CameraState.UNPLUGGED, 5.0)
        assert status is not None and "simulated failure" in status.detail
    finally:
        monitor.close()


def test_a_video_file_stands_in_for_a_camera(tmp_path: Path, astronaut_frame):
    clip = tmp_path / "lobby.avi"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*"MJPG"), 5, (320, 240))
    for i in range(3):
        frame = astronaut_frame.copy()
        frame[:8, :8] = 40 * i
        writer.write(frame)
    writer.release()
    source = OpenCvSource(str(clip), 160, 120)
    source.open()
    try:
        shapes = [source.read().shape for _ in range(5)]  # loops past the end
    finally:
        source.close()
    assert shapes == [(120, 160, 3)] * 5


def test_missing_camera_file_is_unavailable(tmp_path: Path):
    from kiosk.hardware.camera import CameraUnavailableError

    with pytest.raises(CameraUnavailableError, match="no such file"):
        OpenCvSource(str(tmp_path / "nothing.avi")).open()


def test_factory_builds_the_simulated_camera_by_default():
    source, faces, qr = make_camera_parts(CameraSettings())
    assert isinstance(source, SimulatedSource)
    assert isinstance(faces, HaarFaceDetector)


def test_only_the_opencv_driver_needs_cv2():
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['cv2'] = None\n"
        "import kiosk.hardware.camera, kiosk.hardware.camera_sim\n"
        "import kiosk.hardware.camera_monitor, kiosk.diag.cli, firmware_bridge.link\n"
        "from kiosk.config import CameraSettings\n"
        "from kiosk.hardware.camera_factory import make_camera_parts\n"
        "print(type(make_camera_parts(CameraSettings())[1]).__name__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "NoFaceDetector"
