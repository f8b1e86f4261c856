from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.store import (
    NewRequest,
    Outbox,
    RequestState,
    StorageFullError,
    StorageUnavailableError,
)
from kiosk.sync import cli
from kiosk.sync.server import ReferenceServer
from tests.conftest import fill_disk
from tests.sync.sync_helpers import FILEABLE, assert_each_stored_once, file_requests


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs, so the disk really fills and really goes read-only."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    result = _mount("-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point))
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=True)


def _request(n: int) -> NewRequest:
    return NewRequest(FILEABLE, "cic", "ro", f"cerere {n} " + "x" * 400)


def test_a_full_disk_refuses_new_requests_clearly_and_loses_none(
    small_disk: Path,
) -> None:
    data = small_disk / "data"
    with Outbox.in_data_dir(data, "F") as outbox:
        kept = [outbox.enqueue(_request(n)).ticket for n in range(20)]
        filler = fill_disk(small_disk)
        refused = 0
        with pytest.raises(StorageFullError) as failure:
            for n in range(20, 10_000):
                kept.append(outbox.enqueue(_request(n)).ticket)
                refused += 1
        assert "full" in str(failure.value) and str(data) in str(failure.value)

        filler.unlink()
        after = outbox.enqueue(_request(-1)).ticket

    with Outbox.in_data_dir(data, "F") as reopened:
        tickets = [r.ticket for r in reopened.list()]
    assert tickets == kept + [after]
    # The refused request used up no ticket number.
    assert after == f"F-{len(kept) + 1:05d}"


def test_a_read_only_data_dir_refuses_clearly_and_keeps_what_was_filed(
    small_disk: Path,
) -> None:
    data = small_disk / "data"
    with Outbox.in_data_dir(data, "R") as outbox:
        kept = [outbox.enqueue(_request(n)).ticket for n in range(5)]
    assert _mount("-o", "remount,ro", str(small_disk)).returncode == 0

    with pytest.raises(StorageUnavailableError) as failure:
        with Outbox.in_data_dir(data, "R") as outbox:
            outbox.enqueue(_request(99))
    assert str(data) in str(failure.value)

    assert _mount("-o", "remount,rw", str(small_disk)).returncode == 0
    with Outbox.in_data_dir(data, "R") as reopened:
        assert [r.ticket for r in reopened.list()] == kept


def test_sync_on_a_full_disk_says_so_and_files_each_request_once_later(
    small_disk: Path,
    server: ReferenceServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = small_disk / "data"
    config = small_disk.parent / "kiosk.toml"
    config.write_text(f'[sync]\nendpoint = "{server.url}"\ntimeout_s = 2.0\n')
    argv = ["--config", str(config), "--data-dir", str(data), "sync", "--once"]
    with Outbox.in_data_dir(data, "S") as outbox:
        file_requests(outbox, 30)
    filler = fill_disk(small_disk)

    status = cli.main(argv)

    assert status == cli.EXIT_FAILED
    assert "full" in capsys.readouterr().err
    filler.unlink()
    assert cli.main(argv) == cli.EXIT_OK
    with Outbox.in_data_dir(data, "S") as outbox:
        assert {r.state for r in outbox.list()} == {RequestState.SENT}
        assert_each_stored_once(server, outbox)
