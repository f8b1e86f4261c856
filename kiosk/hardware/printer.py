"""The receipt printer's interface, its status values and its errors."""

from __future__ import annotations

import enum
from typing import Protocol

from kiosk.receipt import Receipt


class PrinterStatus(enum.Enum):
    """What the printer reports about itself."""

    READY = "ready"
    PAPER_LOW = "paper_low"
    """Still prints; a technician should refill soon."""
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    NOT_ANSWERING = "not_answering"
    """No reply to a status query: never taken to mean "paper OK"."""

    @property
    def can_print(self) -> bool:
        """True when a receipt can be printed in this state."""
        return self in (PrinterStatus.READY, PrinterStatus.PAPER_LOW)


class PrinterError(Exception):
    """A receipt was not printed, completely or at all."""

    def __init__(self, status: PrinterStatus, detail: str) -> None:
        self.status = status
        self.detail = detail
        super().__init__(f"receipt not printed ({status.value}): {detail}")


class Printer(Protocol):
    """A receipt printer, real or simulated."""

    def status(self) -> PrinterStatus:
        """Ask the printer for its state; bounded by a short timeout."""
        ...

    def print_receipt(self, receipt: Receipt) -> None:
        """Print one receipt and cut it; raise PrinterError if it was not."""
        ...

    def close(self) -> None:
        """Release the device."""
        ...
