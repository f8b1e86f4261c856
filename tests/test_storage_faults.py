import subprocess
from pathlib import Path

import pytest

from kiosk.store import NewRequest, Outbox, StorageFullError, StorageUnavailableError
from tests.conftest import fill_disk

REQUEST = NewRequest(
    service_code="tax.payment_info",
    department="ditl",
    language="ro",
    text="Cât am de plătit la impozitul pe casă?",
)


def test_a_full_disk_refuses_the_request_and_uses_no_ticket(small_disk: Path) -> None:
    with Outbox.in_data_dir(small_disk) as outbox:
        outbox.enqueue(REQUEST)
        filler = fill_disk(small_disk)
        with pytest.raises(StorageFullError) as info:
            for _ in range(200):
                outbox.enqueue(REQUEST)
        assert str(small_disk) in str(info.value)
        stored_while_full = len(outbox.list())
        filler.unlink()
        retried = outbox.enqueue(REQUEST)
        tickets = [r.ticket for r in outbox.list()]
    assert retried.ticket == f"A-{stored_while_full + 1:05d}"
    assert tickets == [f"A-{n:05d}" for n in range(1, stored_while_full + 2)]


def test_a_data_directory_that_cannot_be_created_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data directory should be")
    with pytest.raises(StorageUnavailableError) as info:
        Outbox.in_data_dir(blocker / "data")
    assert "not-a-dir" in str(info.value)


def test_a_corrupt_outbox_file_is_reported_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageUnavailableError):
        Outbox(path)
    assert path.read_bytes().startswith(b"this is not a database")


def test_a_read_only_data_directory_is_reported_and_its_queue_kept(
    tmp_path: Path,
) -> None:
    writable = tmp_path / "data"
    with Outbox.in_data_dir(writable) as outbox:
        outbox.enqueue(REQUEST)
    read_only = tmp_path / "read-only"
    read_only.mkdir()
    bound = subprocess.run(
        ["mount", "--bind", "-o", "ro", str(writable), str(read_only)]
    )
    if bound.returncode != 0:
        pytest.skip("cannot make a read-only bind mount here")
    try:
        with pytest.raises(StorageUnavailableError) as info:
            with Outbox.in_data_dir(read_only) as outbox:
                outbox.enqueue(REQUEST)
        assert str(read_only) in str(info.value)
    finally:
        subprocess.run(["umount", str(read_only)], check=True)
    with Outbox.in_data_dir(writable) as outbox:
        assert [r.ticket for r in outbox.list()] == ["A-00001"]


def test_an_emptied_outbox_file_is_refused_so_tickets_never_restart(
    tmp_path: Path,
) -> None:
    with Outbox.in_data_dir(tmp_path) as outbox:
        outbox.enqueue(REQUEST)
    (tmp_path / "outbox.sqlite3").write_bytes(b"")
    (tmp_path / "outbox.sqlite3-wal").unlink(missing_ok=True)
    with pytest.raises(StorageUnavailableError, match="empty"):
        Outbox.in_data_dir(tmp_path)
    assert (tmp_path / "outbox.sqlite3").stat().st_size == 0


def test_an_outbox_from_a_newer_kiosk_is_refused(tmp_path: Path) -> None:
    import sqlite3

    with Outbox.in_data_dir(tmp_path) as outbox:
        outbox.enqueue(REQUEST)
    conn = sqlite3.connect(tmp_path / "outbox.sqlite3")
    conn.execute(
        "INSERT INTO schema_migrations VALUES ('0999_from_the_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()
    with pytest.raises(StorageUnavailableError, match="newer version"):
        Outbox.in_data_dir(tmp_path)
