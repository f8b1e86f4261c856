"""The touch screen's reactions to the devices, on the Qt thread.

Device callbacks run on the link's and the camera's threads; they only
``post`` the event, and a queued signal brings it to the Qt thread, where
``DeviceReactor`` asks ``DeviceReactions`` what to do and does it: wake the
attract screen, cover the window while the service door is open, show the
power notice, start a sync, quit after the session on a flat battery, pass
the headphone jack on, and keep the LED ring in step with the session.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

from firmware_bridge.messages import LedPattern
from kiosk.config import Settings
from kiosk.devices import (
    EXIT_POWER_LOW,
    DeviceEvent,
    DeviceReactions,
    HeadphonesChanged,
    KioskDevices,
    LedChooser,
    PowerNotice,
    Reaction,
    ShutdownWanted,
    SomeoneNear,
    SyncWanted,
    TamperAlarm,
)
from kiosk.i18n import translations
from kiosk.service import SyncNow
from kiosk.session import Screen, View, Wake
from kiosk.ui.controller import SessionController
from kiosk.ui.device_notices import (
    CLOSING,
    ON_BATTERY,
    OutOfServiceOverlay,
    PowerBanner,
)
from kiosk.ui.jobs import JobCrashed, JobRunner

logger = logging.getLogger(__name__)


class DeviceBridge(QObject):
    """Carries device events from the devices' threads to the Qt thread."""

    event_posted = Signal(object)
    """A DeviceEvent; connected receivers get it on their own thread."""

    def post(self, event: DeviceEvent) -> None:
        """Hand over one event; safe to call from any thread."""
        self.event_posted.emit(event)


class DeviceReactor(QObject):
    """Carries out what the devices' events call for."""

    quit_requested = Signal(int)
    """The app should exit with this status (connect it to QApplication.exit)."""
    reaction_done = Signal(object)
    """A Reaction was carried out (tests wait for it)."""
    headphones_changed = Signal(bool)
    """Headphones were plugged in (True) or pulled out (False)."""

    def __init__(
        self,
        controller: SessionController,
        window: QWidget,
        settings: Settings,
        devices: KioskDevices | None = None,
        sync_now: SyncNow | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent or window)
        self.controller = controller
        self.devices = devices
        self.sync_now = sync_now
        self.reactions = DeviceReactions(settings.mcu)
        self.leds = LedChooser()
        self.bridge = DeviceBridge(self)
        self.bridge.event_posted.connect(self.on_bridge_event_posted)
        self.overlay = OutOfServiceOverlay(window)
        self.banner = PowerBanner(window)
        self.technician_active = False
        """While True, presence does not wake the citizen's screen."""
        self.shutdown_pending = False
        self._jobs = JobRunner("device-jobs", self)
        self._jobs.finished.connect(self.on_jobs_finished)
        controller.view_changed.connect(self.on_controller_view_changed)
        self.on_controller_view_changed(controller.view)

    @property
    def out_of_service(self) -> bool:
        """Whether the service door is open."""
        return self.reactions.tamper_open

    def post(self, event: DeviceEvent) -> None:
        """Device callback: hand ``event`` to the Qt thread."""
        self.bridge.post(event)

    def reassert_led(self) -> None:
        """Show the LED pattern for the present state again (after a test)."""
        self._set_led(self.leds.pick())

    def stop(self) -> None:
        """Wait for a running sync and stop the worker thread."""
        self._jobs.stop()

    @Slot(object)
    def on_bridge_event_posted(self, event: DeviceEvent) -> None:
        """React to one device event, on the Qt thread."""
        for reaction in self.reactions.on_event(event):
            self._react(reaction)
            self.reaction_done.emit(reaction)

    @Slot(object)
    def on_controller_view_changed(self, view: View) -> None:
        """Keep the LEDs in step; quit at the end of a session if asked to."""
        self._set_led(self.leds.on_view(view))
        self._render_banner(view)
        if self.shutdown_pending and view.screen is Screen.ATTRACT:
            self._quit_for_power()

    @Slot(str, object)
    def on_jobs_finished(self, key: str, result: object) -> None:
        """A sync started by a power cut ended."""
        if isinstance(result, JobCrashed):
            logger.error("Sync after the power cut failed: %s", result.error)
        else:
            logger.info("Sync after the power cut: %s", result)

    def _react(self, reaction: Reaction) -> None:
        match reaction:
            case SomeoneNear(near):
                self._set_led(self.leds.on_presence(near))
                if near and self._may_wake():
                    self.controller.dispatch(Wake())
            case TamperAlarm(is_open):
                self._tamper(is_open)
            case PowerNotice(on_battery):
                if not on_battery and self.shutdown_pending:
                    logger.info("Mains power is back: the shutdown is called off")
                    self.shutdown_pending = False
                self._render_banner(self.controller.view)
            case SyncWanted():
                self._sync()
            case HeadphonesChanged(connected):
                self.headphones_changed.emit(connected)
            case ShutdownWanted():
                self.shutdown_pending = True
                self._render_banner(self.controller.view)
                if self.controller.view.screen is Screen.ATTRACT:
                    self._quit_for_power()

    def _may_wake(self) -> bool:
        return (
            not self.technician_active
            and not self.out_of_service
            and self.controller.view.screen is Screen.ATTRACT
        )

    def _tamper(self, is_open: bool) -> None:
        if is_open:
            # Whoever stands at the kiosk now must not find the last
            # citizen's request: drop it, then cover the screen.
            self.controller.reset_session("service door opened")
            # A technician at work on the service screen keeps it in front.
            self.overlay.show_over(on_top=not self.technician_active)
        else:
            self.overlay.hide()
        self._set_led(self.leds.on_alarm(is_open))

    def _sync(self) -> None:
        if self.sync_now is None:
            logger.info("On battery: no sync in this build, requests stay queued")
            return
        self._jobs.submit("sync", self.sync_now)

    def _quit_for_power(self) -> None:
        logger.warning("Closing the kiosk: the UPS battery is nearly empty")
        self.shutdown_pending = False
        self.quit_requested.emit(EXIT_POWER_LOW)

    def _render_banner(self, view: View) -> None:
        if not self.reactions.on_battery:
            self.banner.hide()
            return
        gettext = translations(view.language).gettext
        text = gettext(ON_BATTERY)
        if self.shutdown_pending:
            text = f"{text} {gettext(CLOSING)}"
        self.banner.show_notice(text)

    def _set_led(self, pattern: LedPattern | None) -> None:
        if pattern is not None and self.devices is not None:
            logger.debug("devices.led pattern=%s", pattern.name)
            self.devices.set_led(pattern)
