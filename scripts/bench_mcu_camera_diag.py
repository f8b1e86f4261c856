"""Figures for the MCU link, the camera and ``kiosk diag``.

Run from the repository root:
    .venv/bin/python scripts/bench_mcu_camera_diag.py
Kept short (a few seconds of CPU) for a shared 2-core machine.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import segno
from PIL import Image

from firmware_bridge.link import LinkState, McuLink
from firmware_bridge.simulator import SimulatedMcu
from kiosk.config import CameraSettings
from kiosk.diag.cli import add_parsers, run_diag_command
from kiosk.hardware.camera_cv import HaarFaceDetector, OpenCvQrDecoder, downscale


def _astronaut_frame() -> np.ndarray:
    from skimage import data

    picture = np.ascontiguousarray(data.astronaut()[:, :, ::-1])
    canvas = np.zeros((480, 640, 3), np.uint8)
    canvas[:, 80:560] = cv2.resize(picture, (480, 480))
    return canvas


def _qr_frame() -> np.ndarray:
    buffer = io.BytesIO()
    segno.make_qr("antonia:ticket:cluj-moti-1:A-00017").save(
        buffer, kind="png", scale=7, border=4
    )
    code = np.asarray(Image.open(buffer).convert("RGB"))[:, :, ::-1]
    frame = np.full((480, 640, 3), 190, np.uint8)
    h, w = code.shape[:2]
    frame[(480 - h) // 2 : (480 + h) // 2, (640 - w) // 2 : (640 + w) // 2] = code
    return frame


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms"


def bench_camera(runs: int = 30) -> None:
    settings = CameraSettings()
    size = (settings.width, settings.height)
    faces, qr = HaarFaceDetector(), OpenCvQrDecoder()
    face_frame, qr_frame = _astronaut_frame(), _qr_frame()
    face_t, qr_t = [], []
    for _ in range(runs):
        started = time.perf_counter()
        small = downscale(face_frame, size)
        found = faces.count_faces(small)
        face_t.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        small = downscale(qr_frame, size)
        faces.count_faces(small)
        text = qr.decode(small)
        qr_t.append((time.perf_counter() - started) * 1000)
    print(f"camera: {size[0]}x{size[1]} at {settings.fps} fps (from 640x480)")
    print(f"  downscale + Haar faces ({found} found): {_ms(face_t)}")
    print(f"  downscale + faces + QR ({text is not None}): {_ms(qr_t)}")
    budget = 1000 / settings.fps
    print(f"  CPU share of one core at {settings.fps} fps: ", end="")
    print(f"{statistics.median(face_t) / budget:.0%} idle, ", end="")
    print(f"{statistics.median(qr_t) / budget:.0%} while scanning QR")


def bench_link(folder: Path, rounds: int = 40) -> None:
    mcu = SimulatedMcu(folder / "ttyMCU")
    mcu.start()
    link = McuLink(str(mcu.link_path), heartbeat_s=0.05)
    link.start()
    try:
        link.wait_until(lambda s: s.state is LinkState.CONNECTED, 5)
        samples = []
        last = None
        deadline = time.monotonic() + 10
        while len(samples) < rounds and time.monotonic() < deadline:
            status = link.wait_until(lambda s, prev=last: s.rtt_s != prev, 1)
            if status is not None and status.rtt_s is not None:
                samples.append(status.rtt_s * 1000)
                last = status.rtt_s
        started = time.perf_counter()
        mcu.set_presence(500)
        link.wait_until(lambda s: s.presence_mm == 500, 5)
        event_ms = (time.perf_counter() - started) * 1000
    finally:
        link.close()
        mcu.close()
    print(f"MCU link over a pty ({len(samples)} heartbeat round trips):")
    print(f"  heartbeat -> ack: {_ms(samples)}")
    print(f"  MCU event to host status: {event_ms:.1f} ms")


def bench_diag(folder: Path, runs: int = 3) -> None:
    with SimulatedMcu(folder / "ttyDIAG") as mcu:
        config = folder / "kiosk.toml"
        config.write_text(f'[mcu]\nport = "{mcu.link_path}"\n', encoding="utf-8")
        parser = argparse.ArgumentParser()
        add_parsers(parser.add_subparsers())
        times = []
        for _ in range(runs):
            args = parser.parse_args(["diag", "--json"])
            args.config, args.data_dir = config, folder / "data"
            out = io.StringIO()
            started = time.perf_counter()
            code = run_diag_command(args, out)
            times.append((time.perf_counter() - started) * 1000)
        report = json.loads(out.getvalue())
    slowest = max(report["checks"], key=lambda c: c["elapsed_ms"])
    print(
        f"kiosk diag --json, 12 passive checks, simulated MCU on a pty ({runs} runs):"
    )
    print(f"  wall time: {', '.join(f'{t:.0f}' for t in times)} ms (exit {code})")
    print(f"  slowest check: {slowest['name']} {slowest['elapsed_ms']:.0f} ms")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bench_camera()
        bench_link(folder)
        bench_diag(folder)


if __name__ == "__main__":
    main()
