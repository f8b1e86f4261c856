"""The real window on a real X server: start, paint, screenshot, quit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.xvfb
@pytest.mark.parametrize("fullscreen", [False, True], ids=["windowed", "fullscreen"])
def test_kiosk_run_saves_a_screenshot_of_the_real_window(
    tmp_path: Path, fullscreen: bool
) -> None:
    display = os.environ.get("DISPLAY")
    if not display:
        pytest.skip("no DISPLAY: run the suite under xvfb-run (scripts/test.sh)")
    shot = tmp_path / "first-frame.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "DISPLAY": display}
    command = [
        sys.executable,
        "-m",
        "kiosk",
        "run",
        "--data-dir",
        str(tmp_path / "data"),
        "--screenshot",
        str(shot),
    ]
    if fullscreen:
        command.append("--fullscreen")

    done = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "ui.first_frame" in done.stdout
    with Image.open(shot) as image:
        rgb = image.convert("RGB")
        width, height = rgb.size
        colours = rgb.getcolors(maxcolors=1 << 16)
    assert width >= 640 and height >= 480
    # A blank or black grab has one colour; the attract screen has text,
    # buttons and a background.
    assert colours is None or len(colours) > 10
