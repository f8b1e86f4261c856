"""Opening the outbox: first-boot races, and what each failure is called."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from pathlib import Path

import pytest

from kiosk.store import (
    NewRequest,
    Outbox,
    StorageFullError,
    StorageUnavailableError,
)
from kiosk.sync import cli
from tests.conftest import fill_disk
from tests.outbox_race_worker import open_new_outboxes

ROUNDS = 60
"""Fresh outboxes opened at once by all the workers."""
WORKERS = 4
"""Processes racing, as the screen, the sync timer and two commands would."""

REQUEST = NewRequest("tax.payment_info", "ditl", "ro", "impozitul pe casă")


@pytest.mark.slow
def test_processes_opening_a_new_outbox_together_all_succeed(tmp_path: Path) -> None:
    # spawn: fresh interpreters, as the screen and the sync timer would be.
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WORKERS)
    folders = [context.Queue() for _ in range(WORKERS)]
    results = context.Queue()
    workers = [
        context.Process(target=open_new_outboxes, args=(barrier, queue, results))
        for queue in folders
    ]
    for worker in workers:
        worker.start()
    failures = []
    try:
        for n in range(ROUNDS):
            folder = tmp_path / f"boot-{n}"
            for queue in folders:
                queue.put(str(folder))
            answers = [results.get(timeout=60) for _ in workers]
            failures += [a for a in answers if a != "ok"]
            with Outbox.existing(folder) as outbox:
                tickets = sorted(r.ticket for r in outbox.list())
            assert tickets == [f"A-{i:05d}" for i in range(1, WORKERS + 1)]
    finally:
        for queue in folders:
            queue.put(None)
        for worker in workers:
            worker.join(timeout=30)
        for queue in (*folders, results):
            queue.close()
            queue.join_thread()
    assert failures == []


def test_an_unreadable_outbox_is_reported_as_not_opened_by_queue_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "outbox.sqlite3").write_bytes(b"not a database at all" * 300)

    status = cli.main(["--data-dir", str(folder), "queue", "list"])

    err = capsys.readouterr().err
    assert status == cli.EXIT_FAILED
    assert "cannot open the outbox" in err and "write" not in err


def test_a_data_dir_that_is_a_file_is_called_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "c4"
    blocker.write_text("x\n")

    with pytest.raises(StorageUnavailableError) as failure:
        Outbox.in_data_dir(blocker)
    listed = cli.main(["--data-dir", str(blocker), "queue", "list"])
    synced = cli.main(["--data-dir", str(blocker), "sync", "--once"])
    served = cli.main(["--data-dir", str(blocker), "backend", "--port", "0"])

    err = capsys.readouterr().err
    assert f"{blocker} is a file, not a folder" in str(failure.value)
    assert listed == synced == served == cli.EXIT_FAILED
    assert err.count(f"{blocker} is a file, not a folder") == 2
    assert "File exists" not in err
    assert "it is a file, not a folder" in err


def test_a_full_disk_seen_as_an_io_error_is_called_full(small_disk: Path) -> None:
    folder = small_disk / "data"
    with Outbox.in_data_dir(folder) as outbox:
        outbox.enqueue(REQUEST)
    fill_disk(small_disk)

    # Reopening needs room for the shared-memory file; SQLite reports that
    # failure only as "disk I/O error" (SQLITE_IOERR_SHMSIZE).
    with pytest.raises(StorageFullError) as failure:
        Outbox.in_data_dir(folder)

    cause = failure.value.__cause__
    assert isinstance(cause, sqlite3.Error)
    assert cause.sqlite_errorname == "SQLITE_IOERR_SHMSIZE"
    assert "is full" in str(failure.value)


def test_an_io_error_with_room_left_on_the_disk_is_not_called_full(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "data"
    with Outbox.in_data_dir(folder) as outbox:
        outbox.enqueue(REQUEST)
        # The code SQLite gives a failed growth of its shared memory file,
        # on a disk with room to spare: a failing disk, not a full one.
        error = sqlite3.OperationalError("disk I/O error")
        error.sqlite_errorcode = 10 | (19 << 8)
        translated = outbox._translate(error, "write")

    assert type(translated) is StorageUnavailableError
    assert "cannot write the outbox" in str(translated)


def test_a_ticket_that_is_not_valid_utf8_is_no_such_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "data"
    with Outbox.in_data_dir(folder) as outbox:
        outbox.enqueue(REQUEST)
    ticket = os.fsdecode(b"A-\xff")  # what argv holds for those bytes

    shown = cli.main(["--data-dir", str(folder), "queue", "show", ticket])
    retried = cli.main(["--data-dir", str(folder), "queue", "retry", ticket])

    err = capsys.readouterr().err
    assert shown == retried == cli.EXIT_FAILED
    assert err.count("no request A-") == 2 and "Traceback" not in err
