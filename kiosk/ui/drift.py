"""Moves the attract screen's content slowly, against burn-in of the panel.

A kiosk that shows the same invitation all night would print it into an
LCD or OLED panel. While the attract screen is up, the window's margins
follow a slow Lissajous path: every two seconds the content moves by at
most a pixel, unnoticeable, and over minutes it covers a few centimetres.
"""

from __future__ import annotations

import logging
import math

from PySide6.QtCore import QMargins, QObject, Slot
from PySide6.QtWidgets import QLayout

from kiosk.session import Screen, View
from kiosk.ui.controller import SessionController
from kiosk.ui.timer import NamedTimer

logger = logging.getLogger(__name__)

STEP_MS = 2000
AMPLITUDE_PX = (18, 12)
"""Largest shift sideways and up or down; below the window's own margins."""
PERIOD_STEPS = (300, 210)
"""Steps for one swing sideways (10 min) and up and down (7 min)."""


def drift_offset(step: int) -> tuple[int, int]:
    """The content's shift in pixels at ``step`` of the path."""
    dx = AMPLITUDE_PX[0] * math.sin(2 * math.pi * step / PERIOD_STEPS[0])
    dy = AMPLITUDE_PX[1] * math.sin(2 * math.pi * step / PERIOD_STEPS[1])
    return round(dx), round(dy)


class AttractDrift(QObject):
    """Shifts a layout's margins step by step while the attract screen is up."""

    def __init__(
        self,
        layout: QLayout,
        controller: SessionController,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._layout = layout
        self._base = layout.contentsMargins()
        self.step = 0
        self.timer = NamedTimer("attract-drift", STEP_MS, parent=self)
        self.timer.timeout.connect(self.on_timer_timeout)
        controller.view_changed.connect(self.on_controller_view_changed)

    def stop(self) -> None:
        """Stop moving and put the content back in place."""
        self.timer.stop()
        self._layout.setContentsMargins(self._base)

    def advance(self) -> None:
        """Move the content one step along the path."""
        self.step += 1
        dx, dy = drift_offset(self.step)
        base = self._base
        self._layout.setContentsMargins(
            QMargins(
                base.left() + dx,
                base.top() + dy,
                base.right() - dx,
                base.bottom() - dy,
            )
        )

    @Slot()
    def on_timer_timeout(self) -> None:
        """Next step."""
        self.advance()

    @Slot(object)
    def on_controller_view_changed(self, view: View) -> None:
        """Drift on the attract screen only; elsewhere content stays put."""
        if view.screen is Screen.ATTRACT:
            if not self.timer.isActive():
                self.timer.start_named()
        elif self.timer.isActive():
            self.stop()
