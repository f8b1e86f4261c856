"""The kiosk's devices at run time and how the kiosk reacts to them.

No Qt here. ``KioskDevices`` builds, starts and closes the microcontroller
link and the camera monitor from the settings; in demo mode it also plays
the microcontroller itself on a pty. ``DeviceReactions`` turns what the
devices report (on their own threads) into ``Reaction`` values that the UI
carries out on its thread; ``LedChooser`` picks the LED ring's pattern from
the session's screen, the presence and the tamper alarm.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from firmware_bridge.link import LinkStateChanged, McuEvent, McuLink
from firmware_bridge.messages import (
    BatteryLevel,
    Headphones,
    LedPattern,
    PowerSource,
    Presence,
    Tamper,
)
from firmware_bridge.simulator import SimulatedMcu
from kiosk.config import McuSettings, Settings
from kiosk.hardware.camera import CameraUnavailableError
from kiosk.hardware.camera_monitor import CameraEvent, CameraMonitor, PresenceChanged
from kiosk.session import Screen, View

logger = logging.getLogger(__name__)

EXIT_RESTART = 75
"""Exit status when a technician asks for a restart (EX_TEMPFAIL)."""
EXIT_POWER_LOW = 76
"""Exit status of the clean shutdown on a nearly empty UPS battery."""
SIMULATED_MCU_LINK = "mcu-simulated.tty"
"""Name, in the data directory, of the demo microcontroller's pty link."""

DeviceEvent = McuEvent | CameraEvent
"""Anything the link or the camera reports."""


@dataclass(frozen=True)
class SomeoneNear:
    """Someone stepped up to the kiosk (``near``), or everyone left."""

    near: bool


@dataclass(frozen=True)
class TamperAlarm:
    """The service door was opened (``open``) or closed again."""

    open: bool


@dataclass(frozen=True)
class PowerNotice:
    """The kiosk went on the UPS battery, or back on mains."""

    on_battery: bool
    percent: int | None
    """UPS charge, 0..100 %; None until the microcontroller reports it."""


@dataclass(frozen=True)
class SyncWanted:
    """Send what waits in the outbox now, while there is still power."""


@dataclass(frozen=True)
class ShutdownWanted:
    """The battery is nearly empty: stop cleanly after the current session."""

    percent: int


@dataclass(frozen=True)
class HeadphonesChanged:
    """Headphones were plugged into the jack (``connected``) or pulled out."""

    connected: bool


Reaction = (
    SomeoneNear
    | TamperAlarm
    | PowerNotice
    | SyncWanted
    | ShutdownWanted
    | HeadphonesChanged
)


class DeviceReactions:
    """Turns device events into reactions; remembers what it last saw.

    Only changes count: the microcontroller reports every value again after
    each reconnect, and that must not wake the screen or raise an alarm twice.
    """

    def __init__(self, settings: McuSettings) -> None:
        self.wake_mm = settings.presence_wake_mm
        self.shutdown_percent = settings.shutdown_battery_percent
        self.tamper_open = False
        self.on_battery = False
        self.battery_percent: int | None = None
        self.shutdown_wanted = False
        self.headphones = False
        self._mcu_near = False
        self._camera_near = False

    @property
    def near(self) -> bool:
        """Whether the sensor or the camera sees someone now."""
        return self._mcu_near or self._camera_near

    def on_event(self, event: DeviceEvent) -> list[Reaction]:
        """The reactions to one device event (often none)."""
        match event:
            case Presence(distance_mm):
                near = distance_mm is not None and distance_mm < self.wake_mm
                return self._presence(mcu=near)
            case PresenceChanged(present):
                return self._presence(camera=present)
            case Tamper(is_open):
                return self._tamper(is_open)
            case PowerSource(on_battery):
                return self._power(on_battery, self.battery_percent)
            case BatteryLevel(percent):
                return self._power(self.on_battery, percent)
            case Headphones(connected):
                if connected is self.headphones:
                    return []
                self.headphones = connected
                logger.info("Headphone jack: %s", "in" if connected else "out")
                return [HeadphonesChanged(connected)]
            case LinkStateChanged(state):
                logger.debug("devices.link state=%s", state.value)
        return []

    def _presence(
        self, mcu: bool | None = None, camera: bool | None = None
    ) -> list[Reaction]:
        before = self.near
        if mcu is not None:
            self._mcu_near = mcu
        if camera is not None:
            self._camera_near = camera
        if self.near is before:
            return []
        logger.debug("devices.presence near=%s", self.near)
        return [SomeoneNear(self.near)]

    def _tamper(self, is_open: bool) -> list[Reaction]:
        if is_open is self.tamper_open:
            return []
        self.tamper_open = is_open
        if is_open:
            logger.error("Service door opened: the kiosk is out of service")
        else:
            logger.info("Service door closed: the kiosk is back in service")
        return [TamperAlarm(is_open)]

    def _power(self, on_battery: bool, percent: int | None) -> list[Reaction]:
        reactions: list[Reaction] = []
        changed = on_battery is not self.on_battery
        level_changed = percent != self.battery_percent
        self.on_battery, self.battery_percent = on_battery, percent
        if changed or (on_battery and level_changed):
            reactions.append(PowerNotice(on_battery, percent))
        if changed and on_battery:
            logger.warning(
                "Mains power lost: running on the UPS battery (%s %%)", percent
            )
            reactions.append(SyncWanted())
        elif changed:
            logger.info("Mains power is back")
            self.shutdown_wanted = False
        if (
            on_battery
            and percent is not None
            and percent <= self.shutdown_percent
            and not self.shutdown_wanted
        ):
            self.shutdown_wanted = True
            logger.error(
                "UPS battery at %d %%: shutting down after the current session",
                percent,
            )
            reactions.append(ShutdownWanted(percent))
        return reactions


def led_for_view(view: View, previous: Screen | None) -> LedPattern:
    """The session's own LED pattern for the screen in ``view``."""
    if view.screen is Screen.ATTRACT:
        return LedPattern.IDLE
    if view.screen is Screen.FILING:
        return LedPattern.BUSY
    if view.screen is Screen.DONE:
        return LedPattern.SUCCESS
    if view.screen is Screen.SUMMARY and previous is Screen.FILING:
        return LedPattern.ERROR  # the filing failed and the summary is back
    return LedPattern.ATTENTION


class LedChooser:
    """Decides what the LED ring shows; says only when that changes."""

    def __init__(self) -> None:
        self.screen: Screen = Screen.ATTRACT
        self.current: LedPattern | None = None
        self._session = LedPattern.IDLE
        self._someone_near = False
        self._alarm = False

    def on_view(self, view: View) -> LedPattern | None:
        """The session showed ``view``; the new pattern, if it changed."""
        self._session = led_for_view(view, self.screen)
        self.screen = view.screen
        return self._choose()

    def on_presence(self, near: bool) -> LedPattern | None:
        """Someone is near (or not); the new pattern, if it changed."""
        self._someone_near = near
        return self._choose()

    def on_alarm(self, alarm: bool) -> LedPattern | None:
        """The kiosk went out of service (or back); the new pattern, if any."""
        self._alarm = alarm
        return self._choose()

    def pick(self) -> LedPattern:
        """The pattern for the present state."""
        if self._alarm:
            return LedPattern.OUT_OF_SERVICE
        if self.screen is Screen.ATTRACT and self._someone_near:
            return LedPattern.ATTENTION
        return self._session

    def _choose(self) -> LedPattern | None:
        pattern = self.pick()
        if pattern is self.current:
            return None
        self.current = pattern
        return pattern


class KioskDevices:
    """Owns the microcontroller link and the camera monitor of a running kiosk.

    ``on_event`` is called on the devices' threads; it must return quickly
    and never touch widgets.
    """

    def __init__(
        self, settings: Settings, on_event: Callable[[DeviceEvent], None]
    ) -> None:
        self.settings = settings
        self.on_event = on_event
        self.simulator: SimulatedMcu | None = None
        """The demo microcontroller, when ``[mcu] port`` is "simulated"."""
        self.link: McuLink | None = None
        self.camera: CameraMonitor | None = None

    @property
    def mcu_url(self) -> str:
        """The port the link opens (the simulator's pty in demo mode)."""
        if self.settings.mcu.port == "simulated":
            return str(self.settings.storage.data_dir / SIMULATED_MCU_LINK)
        return self.settings.mcu.port

    def start(self) -> None:
        """Start the link and the camera; a missing device is only logged."""
        mcu = self.settings.mcu
        if mcu.port == "simulated":
            link_path = Path(self.mcu_url)
            link_path.parent.mkdir(parents=True, exist_ok=True)
            self.simulator = SimulatedMcu(link_path)
            self.simulator.start()
            logger.info("Demo mode: simulated microcontroller on %s", link_path)
        self.link = McuLink(
            self.mcu_url,
            on_event=self.on_event,
            heartbeat_s=mcu.heartbeat_s,
            out_of_service_s=mcu.out_of_service_s,
            silence_s=mcu.silence_s,
            reconnect_s=mcu.reconnect_s,
        )
        self.link.start()
        # Imported here: building the camera may load OpenCV, which only
        # the camera needs.
        from kiosk.hardware.camera_factory import make_camera_monitor

        try:
            self.camera = make_camera_monitor(self.settings.camera, self.on_event)
        except CameraUnavailableError as exc:
            logger.error("%s; the kiosk runs without a camera", exc)
            return
        self.camera.start()

    def set_led(self, pattern: LedPattern) -> None:
        """Show ``pattern`` on the LED ring; safe from any thread."""
        if self.link is not None:
            self.link.set_led(pattern)

    def close(self) -> None:
        """Stop the camera, the link and the simulator; returns promptly."""
        if self.camera is not None:
            self.camera.close()
        if self.link is not None:
            self.link.close()
        if self.simulator is not None:
            self.simulator.close()
