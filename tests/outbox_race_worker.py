"""A process that opens brand-new outboxes in step with its siblings.

Run by tests/test_outbox_opening.py through multiprocessing: every worker
waits at a shared barrier, then all open the same new outbox at once.
"""

from __future__ import annotations

from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

from kiosk.store import NewRequest, Outbox, StoreError


def open_new_outboxes(
    barrier: Barrier, folders: Queue[str | None], results: Queue[str]
) -> None:
    """For each folder received: wait for all, open it, file one request."""
    while (folder := folders.get()) is not None:
        barrier.wait()
        try:
            with Outbox.in_data_dir(Path(folder)) as outbox:
                outbox.enqueue(NewRequest("s.code", "cic", "ro", "o cerere"))
            results.put("ok")
        except StoreError as exc:
            results.put(f"failed: {exc}")
