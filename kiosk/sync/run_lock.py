"""One sync run at a time per data directory, across processes.

The nightly timer, the screen's "sync now" button and a technician's
``kiosk sync`` may start together. Two runs would claim the same queued
requests and post each twice to a back-end that ignores Idempotency-Key
(GeoReport v2 does not define it). A run therefore holds an exclusive
``flock`` on a file in the data directory. The kernel drops the lock when
the holder's file is closed or its process dies, so a killed run never
blocks the next one; no stale lock file needs cleaning up.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from kiosk.sync.errors import SyncError

LOCK_FILE = "sync.lock"
"""File name, in the data directory, of the lock a sync run holds."""


class SyncLockError(SyncError):
    """The lock file cannot be opened (data directory missing, read-only)."""


@contextlib.contextmanager
def run_lock(path: Path) -> Iterator[bool]:
    """Hold the run lock at ``path``; yields False if another run holds it.

    Raises:
        SyncLockError: the lock file cannot be created or opened.
    """
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o640)
    except OSError as exc:
        raise SyncLockError(
            f"cannot open the sync lock {path}: {exc.strerror or exc}"
        ) from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EACCES):
                raise SyncLockError(
                    f"cannot lock {path}: {exc.strerror or exc}"
                ) from exc
            yield False
            return
        yield True
    finally:
        # Closing the file releases the lock.
        os.close(fd)
