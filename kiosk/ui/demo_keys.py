"""Demo mode only: keys that script the simulated microcontroller.

F2 someone steps up or leaves, F3 opens or closes the service door, F4
cuts or restores mains power, F5 drains the UPS battery to 10 %, F6 plugs
headphones into the jack or pulls them out.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from firmware_bridge.simulator import SimulatedMcu

logger = logging.getLogger(__name__)

NEAR_MM = 600
BATTERY_PERCENT = 60
DRAINED_PERCENT = 10


class DemoKeys(QObject):
    """Keyboard shortcuts that play the microcontroller's sensors in a demo."""

    def __init__(self, window: QWidget, simulator: SimulatedMcu) -> None:
        super().__init__(window)
        self.simulator = simulator
        for key, slot in (
            ("F2", self.on_presence_key_activated),
            ("F3", self.on_door_key_activated),
            ("F4", self.on_power_key_activated),
            ("F5", self.on_drain_key_activated),
            ("F6", self.on_headphones_key_activated),
        ):
            shortcut = QShortcut(QKeySequence(key), window)
            shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            shortcut.activated.connect(slot)
        logger.info(
            "Demo keys: F2 presence, F3 service door, F4 mains, F5 battery, "
            "F6 headphones"
        )

    @Slot()
    def on_presence_key_activated(self) -> None:
        """Someone steps up, or walks away."""
        near = self.simulator.presence_mm is None
        self.simulator.set_presence(NEAR_MM if near else None)

    @Slot()
    def on_door_key_activated(self) -> None:
        """Open or close the service door."""
        self.simulator.set_tamper(not self.simulator.tamper_open)

    @Slot()
    def on_power_key_activated(self) -> None:
        """Cut or restore mains power."""
        if self.simulator.on_battery:
            self.simulator.set_power(False, 100)
        else:
            self.simulator.set_power(True, BATTERY_PERCENT)

    @Slot()
    def on_drain_key_activated(self) -> None:
        """Drain the battery below the shutdown level."""
        self.simulator.set_power(True, DRAINED_PERCENT)

    @Slot()
    def on_headphones_key_activated(self) -> None:
        """Plug headphones into the jack, or pull them out."""
        self.simulator.set_headphones(not self.simulator.headphones)
