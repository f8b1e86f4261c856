"""Qt timers with names, so the logs say which one fired."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer

logger = logging.getLogger(__name__)


class NamedTimer(QTimer):
    """A QTimer that carries a name; the only way the UI makes timers."""

    def __init__(
        self,
        name: str,
        interval_ms: int,
        *,
        single_shot: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.name = name
        self.setObjectName(name)
        self.setInterval(interval_ms)
        self.setSingleShot(single_shot)

    def start_named(self) -> None:
        """Start (or restart) the timer and log which one it is."""
        logger.debug(
            "timer.started name=%s interval_ms=%d single_shot=%s",
            self.name,
            self.interval(),
            self.isSingleShot(),
        )
        self.start()

    def __repr__(self) -> str:
        return f"<NamedTimer {self.name} {self.interval()} ms>"
