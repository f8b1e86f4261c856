"""The filing worker: the one thread that writes to the outbox and prints.

The Qt thread must never wait for SQLite's fsync or for the printer, so the
controller hands each request to a :class:`FilingWorker` living in its own
QThread and gets a ``Filed`` or ``FilingFailed`` event back by signal.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QThread, Signal, Slot

from kiosk.filing import FilingService
from kiosk.i18n import N_
from kiosk.session import Filed, FilingFailed
from kiosk.store import NewRequest, StorageFullError, StorageUnavailableError

logger = logging.getLogger(__name__)

STORAGE_FULL = N_(
    "The kiosk's storage is full, so your request could not be saved. Nothing "
    "was lost: please ask the staff for help or try again later."
)
STORAGE_UNAVAILABLE = N_(
    "The kiosk cannot save requests right now. Nothing was lost: please try "
    "again in a moment or ask the staff for help."
)
UNKNOWN_SERVICE = N_(
    "This service cannot be filed at this kiosk any more. Please go back and "
    "choose another one, or ask the staff for help."
)
UNEXPECTED = N_(
    "Something went wrong while saving your request. Nothing was lost: please "
    "try again or ask the staff for help."
)


def file_request(filing: FilingService, request: NewRequest) -> Filed | FilingFailed:
    """File one request and turn every outcome into a session event."""
    try:
        return Filed(filing.file(request))
    except StorageFullError as exc:
        logger.error("Request not filed, storage full: %s", exc)
        return FilingFailed(STORAGE_FULL)
    except StorageUnavailableError as exc:
        logger.error("Request not filed, outbox unavailable: %s", exc)
        return FilingFailed(STORAGE_UNAVAILABLE)
    except KeyError as exc:
        logger.error("Request not filed, service not fileable: %s", exc)
        return FilingFailed(UNKNOWN_SERVICE)
    except Exception:  # noqa: BLE001 - supervisor: the citizen must get an answer
        logger.exception("Request not filed, unexpected error")
        return FilingFailed(UNEXPECTED)


class FilingWorker(QObject):
    """Files requests on its own thread and reports back by signal."""

    finished = Signal(object)
    """A Filed or FilingFailed event for the session."""

    def __init__(self, filing: FilingService) -> None:
        super().__init__()
        self._filing = filing

    @Slot(object)
    def on_controller_filing_requested(self, request: NewRequest) -> None:
        """File ``request``; always answers with exactly one event."""
        logger.debug("filing.started service=%s", request.service_code)
        event = file_request(self._filing, request)
        logger.debug("filing.complete outcome=%s", type(event).__name__)
        self.finished.emit(event)


class FilingThread:
    """Owns the worker's QThread: start it, stop it, wait for it."""

    def __init__(self, filing: FilingService) -> None:
        self.thread = QThread()
        self.thread.setObjectName("filing-worker")
        self.worker = FilingWorker(filing)
        self.worker.moveToThread(self.thread)

    def start(self) -> None:
        """Start the thread's event loop."""
        self.thread.start()

    def stop(self, timeout_ms: int = 10_000) -> bool:
        """Let a running filing finish, then end the thread; False on timeout."""
        if not self.thread.isRunning():
            return True
        self.thread.quit()
        stopped = self.thread.wait(timeout_ms)
        if not stopped:
            logger.error("Filing thread did not stop within %d ms", timeout_ms)
        return bool(stopped)
