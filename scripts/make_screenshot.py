#!/usr/bin/env python3
"""Saves docs/screenshot.png: the describe screen in Romanian, keyboard shown.

Usage: xvfb-run -a -s "-screen 0 1920x1080x24 -nolisten tcp" \\
           .venv/bin/python scripts/make_screenshot.py [OUT.png]
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault(
    "QT_QPA_PLATFORM", "xcb" if os.environ.get("DISPLAY") else "offscreen"
)

from PySide6.QtCore import QEventLoop, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from kiosk.app import build_core  # noqa: E402
from kiosk.config import load_settings  # noqa: E402
from kiosk.session import ChooseLanguage, Screen, Wake  # noqa: E402
from kiosk.speech.speaker import SilentSpeaker  # noqa: E402
from kiosk.ui.controller import SessionController  # noqa: E402
from kiosk.ui.main import grab_window  # noqa: E402
from kiosk.ui.pages_entry import DescribePage  # noqa: E402
from kiosk.ui.timer import NamedTimer  # noqa: E402
from kiosk.ui.window import MainWindow  # noqa: E402


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "screenshot.png"
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        core = build_core(load_settings(None, Path(tmp)))
        controller = SessionController(core, SilentSpeaker())
        window = MainWindow(controller)
        window.resize(1280, 800)
        window.show()
        controller.start()
        controller.dispatch(Wake())
        controller.dispatch(ChooseLanguage("ro"))
        page = window.page(Screen.DESCRIBE)
        assert isinstance(page, DescribePage)
        page.keyboard.press("vreau să plătesc impozitul pe casă")
        loop = QEventLoop()
        settle = NamedTimer("screenshot-settle", 500, single_shot=True)
        settle.timeout.connect(loop.quit)
        settle.start_named()
        loop.exec()
        pixmap = grab_window(window)
        small = pixmap.scaledToWidth(960, Qt.TransformationMode.SmoothTransformation)
        out.parent.mkdir(parents=True, exist_ok=True)
        if not small.save(str(out), "PNG"):
            raise SystemExit(f"could not save {out}")
        print(f"{out}: {small.width()}x{small.height()}, {out.stat().st_size} bytes")
        window.close()
        core.close()
    app.quit()


if __name__ == "__main__":
    main()
