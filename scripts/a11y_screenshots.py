#!/usr/bin/env python3
"""Saves docs/img/a11y-*.png: the main screens in each accessibility mode.

A real window on a real X server, grabbed from the screen.

Usage: xvfb-run -a -s "-screen 0 1920x1080x24 -nolisten tcp" \\
           env PYTHONPATH=. .venv/bin/python scripts/a11y_screenshots.py [OUTDIR]
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault(
    "QT_QPA_PLATFORM", "xcb" if os.environ.get("DISPLAY") else "offscreen"
)

from PIL import Image  # noqa: E402
from PySide6.QtCore import QBuffer, QEventLoop, QIODevice, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from kiosk.accessibility import AccessPrefs  # noqa: E402
from kiosk.app import build_core  # noqa: E402
from kiosk.config import load_settings  # noqa: E402
from kiosk.session import (  # noqa: E402
    ChooseLanguage,
    Event,
    OpenCategories,
    StartOver,
    Wake,
)
from kiosk.speech.speaker import SilentSpeaker  # noqa: E402
from kiosk.ui.controller import SessionController  # noqa: E402
from kiosk.ui.main import grab_window  # noqa: E402
from kiosk.ui.timer import NamedTimer  # noqa: E402
from kiosk.ui.window import MainWindow  # noqa: E402

WINDOW_PX = (1920, 1080)
"""The kiosk's own screen ([screen] defaults), where every mode must fit."""
SAVED_WIDTH_PX = 960
COLOURS = 64
"""Palette size of the saved PNGs: flat UI colours survive, files stay small."""
MODES = {
    "normal": AccessPrefs(),
    "high-contrast": AccessPrefs(high_contrast=True),
    "large-text": AccessPrefs(text_scale=1.5),
    "text-200": AccessPrefs(text_scale=2.0),
    "low-layout": AccessPrefs(low_layout=True),
}
SCREENS: dict[str, list[Event]] = {
    "language": [Wake()],
    "describe": [Wake(), ChooseLanguage("en")],
    "categories": [Wake(), ChooseLanguage("en"), OpenCategories()],
}
SHOTS = [(mode, screen) for mode in MODES for screen in SCREENS][:-2]
"""Every screen in every mode; the low layout only on the language screen."""


def _settle(ms: int) -> None:
    loop = QEventLoop()
    timer = NamedTimer("a11y-screenshot-settle", ms, single_shot=True)
    timer.timeout.connect(loop.quit)
    timer.start_named()
    loop.exec()


def main() -> None:
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "img"
    out_dir.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        core = build_core(load_settings(None, Path(tmp)))
        controller = SessionController(core, SilentSpeaker())
        window = MainWindow(controller)
        window.resize(*WINDOW_PX)
        window.show()
        controller.start()
        for mode, screen in SHOTS:
            controller.dispatch(StartOver())
            window.access.set_prefs(MODES[mode])
            for event in SCREENS[screen]:
                controller.dispatch(event)
            _settle(400)
            _save(grab_window(window), out_dir / f"a11y-{screen}-{mode}.png")
        window.close()
        core.close()
    app.quit()


def _save(pixmap: object, out: Path) -> None:
    from PySide6.QtGui import QPixmap

    assert isinstance(pixmap, QPixmap)
    small = pixmap.scaledToWidth(
        SAVED_WIDTH_PX, Qt.TransformationMode.SmoothTransformation
    )
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    small.save(buffer, "PNG")
    image = Image.open(io.BytesIO(bytes(buffer.data().data())))
    image.convert("RGB").quantize(COLOURS).save(out, optimize=True)
    print(f"{out}: {image.width}x{image.height}, {out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
