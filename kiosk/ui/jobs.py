"""A worker thread for blocking jobs the screen asks for (checks, PIN, sync)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QThread, Signal, Slot

logger = logging.getLogger(__name__)

Job = Callable[[], object]
"""Blocking work; runs on the worker thread and returns its result."""


@dataclass(frozen=True)
class JobCrashed:
    """What a job that raised returns instead of its result."""

    key: str
    error: str
    """Exception type and message, for the technician; never shown to citizens."""


class JobWorker(QObject):
    """Runs jobs one after the other on its own thread."""

    done = Signal(str, object)
    """The key of a job and its result (or a JobCrashed)."""

    @Slot(str, object)
    def on_runner_job_posted(self, key: str, job: Job) -> None:
        """Run ``job`` and report its result."""
        logger.debug("job.started key=%s", key)
        # A supervisor: whatever the job raised, the screen needs an answer.
        try:
            result = job()
        except Exception as exc:  # noqa: BLE001
            logger.exception("Job %s failed", key)
            result = JobCrashed(key, f"{type(exc).__name__}: {exc}")
        logger.debug("job.complete key=%s", key)
        self.done.emit(key, result)


class JobRunner(QObject):
    """Owns one worker thread; results come back on the Qt thread."""

    job_posted = Signal(str, object)
    finished = Signal(str, object)
    """A job's key and its result, delivered on the Qt thread."""

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending: set[str] = set()
        self._thread = QThread()
        self._thread.setObjectName(name)
        self._worker = JobWorker()
        self._worker.moveToThread(self._thread)
        self.job_posted.connect(self._worker.on_runner_job_posted)
        self._worker.done.connect(self.on_worker_done)
        self._thread.start()

    def submit(self, key: str, job: Job) -> bool:
        """Queue ``job`` unless one with ``key`` is still pending."""
        if key in self._pending:
            return False
        self._pending.add(key)
        self.job_posted.emit(key, job)
        return True

    def is_pending(self, key: str) -> bool:
        """Whether the job ``key`` was queued and has not answered yet."""
        return key in self._pending

    def stop(self, timeout_ms: int = 10_000) -> None:
        """Let the running job finish, then end the thread."""
        if not self._thread.isRunning():
            return
        self._thread.quit()
        if not self._thread.wait(timeout_ms):
            logger.error("Worker %s did not stop", self._thread.objectName())

    @Slot(str, object)
    def on_worker_done(self, key: str, result: object) -> None:
        """Pass a job's result on, on the Qt thread."""
        self._pending.discard(key)
        self.finished.emit(key, result)
