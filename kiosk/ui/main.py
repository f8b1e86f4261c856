"""Starts the touch screen: the Qt application around the kiosk's core."""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from PySide6.QtCore import (
    QEvent,
    QMessageLogContext,
    QObject,
    Qt,
    QtMsgType,
    Slot,
    qInstallMessageHandler,
)
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.app import Core
from kiosk.service import SyncNow
from kiosk.speech.speaker import Speaker
from kiosk.ui.controller import Clock, SessionController
from kiosk.ui.service_wiring import ServiceWiring
from kiosk.ui.timer import NamedTimer
from kiosk.ui.voice import build_voice
from kiosk.ui.window import MainWindow

logger = logging.getLogger(__name__)
qt_logger = logging.getLogger("kiosk.ui.qt")

WINDOW_SIZE_PX = (1280, 800)
"""Windowed (demo) size: fits a 1920x1080 desktop or virtual screen."""
SCREENSHOT_DELAY_MS = 300
"""Wait after the first paint so the X server has the frame, not a blank."""

EXIT_OK = 0
EXIT_SCREENSHOT_FAILED = 1

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _on_qt_message(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    qt_logger.log(_QT_LEVELS.get(mode, logging.WARNING), "%s", message)


class FirstFrame(QObject):
    """Notices the window's first paint; can then save a screenshot and quit."""

    def __init__(self, window: QWidget, started_s: float, screenshot: Path | None):
        super().__init__(window)
        self.window = window
        self.started_s = started_s
        self.screenshot = screenshot
        self.exit_code = EXIT_OK
        self.painted_after_s: float | None = None
        self._timer = NamedTimer(
            "screenshot-delay", SCREENSHOT_DELAY_MS, single_shot=True, parent=self
        )
        self._timer.timeout.connect(self.on_screenshot_timer_timeout)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Catch the first Paint event of the window."""
        if event.type() == QEvent.Type.Paint and self.painted_after_s is None:
            self.painted_after_s = time.monotonic() - self.started_s
            logger.info("ui.first_frame ms=%.0f", self.painted_after_s * 1000)
            self.window.removeEventFilter(self)
            if self.screenshot is not None:
                self._timer.start_named()
        return False

    @Slot()
    def on_screenshot_timer_timeout(self) -> None:
        """Save what the screen shows of the window, then quit."""
        assert self.screenshot is not None
        pixmap = grab_window(self.window)
        self.screenshot.parent.mkdir(parents=True, exist_ok=True)
        if pixmap.isNull() or not pixmap.save(str(self.screenshot), "PNG"):
            logger.error("Screenshot could not be saved to %s", self.screenshot)
            self.exit_code = EXIT_SCREENSHOT_FAILED
        else:
            logger.info("Screenshot saved to %s", self.screenshot)
        QApplication.quit()


def grab_window(window: QWidget) -> QPixmap:
    """The window as it is on screen (rendered in memory when offscreen)."""
    if QGuiApplication.platformName() == "offscreen":
        return window.grab()
    screen = window.screen()
    return screen.grabWindow(window.winId())


def place_window(window: QWidget, fullscreen: bool) -> None:
    """Show the window: framed at demo size, or frameless over the screen."""
    if not fullscreen:
        window.resize(*WINDOW_SIZE_PX)
        window.show()
        return
    window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
    # Without a window manager, showFullScreen() alone keeps the size hint;
    # the explicit geometry makes the window cover the screen either way.
    window.setGeometry(window.screen().geometry())
    window.showFullScreen()
    QApplication.setOverrideCursor(Qt.CursorShape.BlankCursor)


def run_app(
    core: Core,
    fullscreen: bool = False,
    *,
    screenshot: Path | None = None,
    speaker: Speaker | None = None,
    clock: Clock = time.monotonic,
    argv: Sequence[str] | None = None,
    sync_now: SyncNow | None = None,
) -> int:
    """Run the touch screen until it is closed; returns the exit code.

    Args:
        core: the kiosk's core objects (see kiosk.app.build_core).
        fullscreen: fill the primary screen without a frame.
        screenshot: save the first frame to this PNG file and quit.
        speaker: where spoken sentences go; by default the voice of the
            ``[speech]`` settings (speaker if enabled, microphone).
        clock: monotonic seconds for the session's timing.
        argv: arguments for QApplication.
        sync_now: runs one sync and returns a one-line summary (called on a
            worker thread by the technician screen and on battery power).
    """
    started_s = time.monotonic()
    qInstallMessageHandler(_on_qt_message)
    existing = QApplication.instance()
    app = (
        existing
        if isinstance(existing, QApplication)
        else QApplication(list(argv or ["kiosk"]))
    )
    # Without a speaker handed in, the kiosk talks and listens as configured.
    voice = None
    if speaker is None:
        speaker = voice = build_voice(core.settings.speech)
    controller = SessionController(core, speaker, clock)
    window = MainWindow(controller)
    service = ServiceWiring(window, controller, core, app.exit, sync_now=sync_now)
    if voice is not None:
        voice.install(window)
    first_frame = FirstFrame(window, started_s, screenshot)
    _quit_on_signals(app)
    controller.start()
    place_window(window, fullscreen)
    code = app.exec()
    window.close()
    service.close()
    if voice is not None:
        voice.close()
    logger.info("Touch screen stopped (exit code %d)", code)
    return first_frame.exit_code if screenshot is not None else int(code)


def _quit_on_signals(app: QApplication) -> None:
    # Python runs signal handlers between bytecodes; the session's 1 s tick
    # gives it that chance while Qt's loop waits, so SIGTERM ends cleanly.
    def on_signal(number: int, frame: FrameType | None) -> None:
        logger.info("Signal %d received, closing the touch screen", number)
        app.quit()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
