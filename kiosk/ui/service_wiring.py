"""Wires the devices, their reactions and the technician screen to the window."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QWidget

from kiosk.app import Core
from kiosk.devices import EXIT_RESTART, DeviceEvent, KioskDevices
from kiosk.hardware.camera_monitor import QrScanned
from kiosk.payment_flow import NoticeScanned
from kiosk.service import LiveParts, SyncNow, link_waiter, log_ring
from kiosk.speech.playback import PlaybackHealth
from kiosk.technician import PinStore
from kiosk.technician_cli import pin_path
from kiosk.ui.access import Accessibility
from kiosk.ui.controller import SessionController
from kiosk.ui.demo_keys import DemoKeys
from kiosk.ui.devices import DeviceReactor
from kiosk.ui.hidden_gesture import HiddenGesture
from kiosk.ui.technician_page import TechnicianScreen

logger = logging.getLogger(__name__)

Quit = Callable[[int], None]
"""Ends the app with an exit status (QApplication.exit in the real app)."""


class ServiceWiring(QObject):
    """The devices, the reactor and the technician screen of one window."""

    def __init__(
        self,
        window: QWidget,
        controller: SessionController,
        core: Core,
        quit_app: Quit,
        *,
        sync_now: SyncNow | None = None,
        speech_health: Callable[[], PlaybackHealth | None] | None = None,
        pins: PinStore | None = None,
        idle_close_ms: int | None = None,
    ) -> None:
        super().__init__(window)
        settings = core.settings
        self.controller = controller
        self.quit_app = quit_app
        self.reactor = DeviceReactor(controller, window, settings, sync_now=sync_now)
        self.devices = KioskDevices(settings, self.reactor.post)
        self.devices.start()
        self.reactor.devices = self.devices
        self.reactor.reassert_led()
        self.demo_keys: DemoKeys | None = None
        if self.devices.simulator is not None:
            self.demo_keys = DemoKeys(window, self.devices.simulator)
        link = self.devices.link
        assert link is not None
        live = LiveParts(
            settings,
            core.printer,
            camera=self.devices.camera,
            mcu_status=link.status,
            set_led=self.devices.set_led,
            wait_led=link_waiter(link),
            sync_now=sync_now,
            speech_health=speech_health,
        )
        ring = log_ring()
        extra = {} if idle_close_ms is None else {"idle_close_ms": idle_close_ms}
        self.technician = TechnicianScreen(
            window,
            pins or PinStore(pin_path(settings)),
            live,
            lambda: list(ring.lines),
            **extra,
        )
        self.gesture = HiddenGesture(window)
        self.gesture.triggered.connect(self.on_gesture_triggered)
        self.technician.opened.connect(self.on_technician_opened)
        self.technician.closed.connect(self.on_technician_closed)
        self.technician.restart_requested.connect(self.on_technician_restart_requested)
        self.technician.led_test_finished.connect(self.on_technician_led_test_finished)
        self.reactor.quit_requested.connect(self.on_reactor_quit_requested)
        # The jack moves speech to the headphones (and offers Screen off).
        access = getattr(window, "access", None)
        if isinstance(access, Accessibility):
            self.reactor.headphones_changed.connect(access.set_headphones)
        # Payment notices: the camera looks for QR codes only while the
        # reference screen asks for them, and what it reads goes to the session.
        controller.qr_scan_changed.connect(self.on_controller_qr_scan_changed)
        self.reactor.bridge.event_posted.connect(self.on_bridge_event_posted)

    def close(self) -> None:
        """Stop the workers and close the devices."""
        self.technician.shutdown()
        self.reactor.stop()
        self.devices.close()

    @Slot()
    def on_gesture_triggered(self) -> None:
        """Open the technician screen."""
        self.technician.open()

    @Slot()
    def on_technician_opened(self) -> None:
        """No citizen's session may stay alive behind the service screen."""
        self.reactor.technician_active = True
        self.controller.reset_session("technician screen opened")

    @Slot()
    def on_technician_closed(self) -> None:
        """Presence may wake the screen again."""
        self.reactor.technician_active = False

    @Slot()
    def on_technician_restart_requested(self) -> None:
        """Quit with the status that tells systemd to start the kiosk again."""
        self.quit_app(EXIT_RESTART)

    @Slot()
    def on_technician_led_test_finished(self) -> None:
        """Put the session's LED pattern back after the test pattern."""
        self.reactor.reassert_led()

    @Slot(int)
    def on_reactor_quit_requested(self, code: int) -> None:
        """Quit (a flat battery, after the session)."""
        self.quit_app(code)

    @Slot(bool)
    def on_controller_qr_scan_changed(self, on: bool) -> None:
        """Turn the camera's QR scanning on or off."""
        if self.devices.camera is not None:
            self.devices.camera.scan_qr(on)

    @Slot(object)
    def on_bridge_event_posted(self, event: DeviceEvent) -> None:
        """Hand a QR code read by the camera to the session."""
        if isinstance(event, QrScanned):
            self.controller.dispatch(NoticeScanned(event.text))
