"""Starts the touch screen: the Qt application around the kiosk's core."""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from PySide6.QtCore import (
    QEvent,
    QMessageLogContext,
    QObject,
    Qt,
    QtMsgType,
    Signal,
    Slot,
    qInstallMessageHandler,
)
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.app import Core
from kiosk.config import parse_local_time
from kiosk.crash import CrashHandler, RingBufferHandler, report_previous_crashes
from kiosk.service import SyncNow
from kiosk.session import Screen
from kiosk.speech.speaker import Speaker
from kiosk.ui.controller import Clock, SessionController
from kiosk.ui.dimmer import ScreenDimmer
from kiosk.ui.drift import AttractDrift
from kiosk.ui.lockdown import Lockdown
from kiosk.ui.nightly import EXIT_NIGHTLY_RESTART, NightlyRestart
from kiosk.ui.service_wiring import ServiceWiring
from kiosk.ui.timer import NamedTimer
from kiosk.ui.voice import VoiceBridge, build_voice
from kiosk.ui.watchdog import STATUS_NIGHTLY, STATUS_STOPPING, SystemdNotifier
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

    shown = Signal()
    """The window has been painted for the first time."""

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
            self.shown.emit()
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
        # exit() rather than quit(): quit() asks the windows first, and the
        # locked-down kiosk window says no.
        QApplication.exit(self.exit_code)


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


@dataclass
class RunningKiosk:
    """The objects of a started touch screen, for run_app and for tests."""

    app: QApplication
    window: MainWindow
    controller: SessionController
    first_frame: FirstFrame
    notifier: SystemdNotifier
    dimmer: ScreenDimmer
    drift: AttractDrift
    lockdown: Lockdown | None
    nightly: NightlyRestart | None
    service: ServiceWiring | None = None
    """Devices, their reactions and the technician screen."""
    voice: VoiceBridge | None = None
    """Speech out and in, when built from the settings."""

    def leave(self, code: int, status: str) -> None:
        """End the event loop on the app's own request, with ``code``."""
        if self.lockdown is not None:
            self.lockdown.allow_quit()
        self.notifier.stopping(status)
        self.app.exit(code)

    def close(self) -> None:
        """Take the window down after the event loop has ended."""
        self.dimmer.stop()
        self.drift.stop()
        if self.lockdown is not None:
            self.lockdown.stop()
        self.window.close_allowed = True
        self.window.close()
        if self.service is not None:
            self.service.close()
        if self.voice is not None:
            self.voice.close()


def start_app(
    core: Core,
    fullscreen: bool = False,
    *,
    screenshot: Path | None = None,
    speaker: Speaker | None = None,
    clock: Clock = time.monotonic,
    argv: Sequence[str] | None = None,
    process_hooks: bool = True,
    sync_now: SyncNow | None = None,
) -> RunningKiosk:
    """Build and show the touch screen; the caller runs the event loop.

    Args:
        core: the kiosk's core objects (see kiosk.app.build_core).
        fullscreen: kiosk mode: fill the screen, frameless, locked down.
        screenshot: save the first frame to this PNG file and quit.
        speaker: where spoken sentences go; by default the voice of the
            ``[speech]`` settings (speaker if enabled, microphone).
        clock: monotonic seconds for the session's timing.
        argv: arguments for QApplication.
        process_hooks: install the process-wide hooks: the crash handler,
            Qt messages into logging, SIGTERM and SIGINT. In-process tests
            keep pytest's own.
        sync_now: runs one sync and returns a one-line summary (called on a
            worker thread by the technician screen and on battery power).
    """
    started_s = time.monotonic()
    if process_hooks:
        _install_crash_handler(core.settings.storage.data_dir / "crashes")
        qInstallMessageHandler(_on_qt_message)
    existing = QApplication.instance()
    app = (
        existing
        if isinstance(existing, QApplication)
        else QApplication(list(argv or ["kiosk"]))
    )
    kiosk_settings = core.settings.kiosk
    # Without a speaker handed in, the kiosk talks and listens as configured.
    voice = None
    if speaker is None:
        speaker = voice = build_voice(core.settings.speech)
    controller = SessionController(core, speaker, clock)
    window = MainWindow(controller)
    notifier = SystemdNotifier(parent=window)
    first_frame = FirstFrame(window, started_s, screenshot)
    first_frame.shown.connect(notifier.on_first_frame_shown)
    dimmer = ScreenDimmer(window, controller, kiosk_settings.dim_after_s, clock)
    layout = window.layout()
    assert layout is not None, "MainWindow lays out its pages in __init__"
    running = RunningKiosk(
        app,
        window,
        controller,
        first_frame,
        notifier,
        dimmer,
        AttractDrift(layout, controller, parent=window),
        Lockdown(window) if fullscreen else None,
        _nightly_restart(core, controller, window),
        voice=voice,
    )
    running.service = ServiceWiring(
        window,
        controller,
        core,
        lambda code: running.leave(code, STATUS_STOPPING),
        sync_now=sync_now,
        speech_health=None if voice is None else voice.playback_health,
    )
    if voice is not None:
        voice.install(window)
    if running.nightly is not None:
        running.nightly.due.connect(
            lambda: running.leave(EXIT_NIGHTLY_RESTART, STATUS_NIGHTLY)
        )
        running.nightly.start()
    if process_hooks:
        _quit_on_signals(running)
    controller.start()
    notifier.start()
    dimmer.start()
    place_window(window, fullscreen)
    return running


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

    The arguments are those of :func:`start_app`. The exit code is 0 after
    SIGTERM or SIGINT and EXIT_NIGHTLY_RESTART after the nightly restart.
    """
    running = start_app(
        core,
        fullscreen,
        screenshot=screenshot,
        speaker=speaker,
        clock=clock,
        argv=argv,
        sync_now=sync_now,
    )
    code = running.app.exec()
    running.close()
    logger.info("Touch screen stopped (exit code %d)", code)
    return running.first_frame.exit_code if screenshot is not None else int(code)


def _install_crash_handler(crash_dir: Path) -> None:
    CrashHandler(crash_dir, RingBufferHandler()).install()
    report_previous_crashes(crash_dir)


def _nightly_restart(
    core: Core, controller: SessionController, parent: QObject
) -> NightlyRestart | None:
    wall = core.settings.kiosk.nightly_restart_local
    if not wall:
        return None
    return NightlyRestart(
        parse_local_time(wall),
        core.settings.zone,
        lambda: controller.view.screen is Screen.ATTRACT,
        parent=parent,
    )


def _quit_on_signals(running: RunningKiosk) -> None:
    # Python runs signal handlers between bytecodes; the session's 1 s tick
    # gives it that chance while Qt's loop waits, so SIGTERM ends cleanly.
    def on_signal(number: int, frame: FrameType | None) -> None:
        logger.info("Signal %d received, closing the touch screen", number)
        running.leave(EXIT_OK, STATUS_STOPPING)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
