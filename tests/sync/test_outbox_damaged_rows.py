"""Rows damaged in the SQLite file itself are named, skipped and kept."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest

from kiosk.store import (
    DamagedRequest,
    DamagedRequestError,
    NewRequest,
    Outbox,
    QueuedRequest,
    RequestState,
)
from kiosk.sync import cli
from kiosk.sync.server import ReferenceServer
from tests.sync.sync_helpers import FILEABLE

PHONE = "0740123456"
WORDS = "cererea doamnei Popescu din strada Lungă"

# Each damage as the tester made it: plain SQL on the real file.
DAMAGES = {
    "A-00001": ("UPDATE requests SET created_utc = 'garbage' WHERE ticket = ?", ()),
    "A-00002": ("UPDATE requests SET state = 'weird' WHERE ticket = ?", ()),
    "A-00003": ("UPDATE requests SET uuid = NULL WHERE ticket = ?", ()),
    "A-00004": ("UPDATE requests SET attempts = 'many' WHERE ticket = ?", ()),
    "A-00005": ("UPDATE requests SET text = ? WHERE ticket = ?", (b"\x00\xff",)),
    "A-00006": (
        "UPDATE requests SET state = 'waiting_token', token = NULL WHERE ticket = ?",
        (),
    ),
    "A-00007": (
        "UPDATE requests SET created_utc = '2026-03-01T09:00' WHERE ticket = ?",
        (),
    ),
}
PROBLEMS = {
    "A-00001": "created_utc is not a valid time",
    "A-00002": "state is not one the kiosk knows",
    "A-00003": "uuid is missing",
    "A-00004": "attempts is not a count",
    "A-00005": "text is not text",
    "A-00006": "it waits on a token, but the token is missing",
    "A-00007": "created_utc has no time zone",
}
HEALTHY = ["A-00008", "A-00009"]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """An outbox of nine requests with contact details; seven then damaged."""
    folder = tmp_path / "data"
    request = NewRequest(FILEABLE, "cic", "ro", WORDS, PHONE, None, True)
    with Outbox.in_data_dir(folder) as outbox:
        for _ in range(len(DAMAGES) + len(HEALTHY)):
            outbox.enqueue(request)
    conn = sqlite3.connect(folder / "outbox.sqlite3")
    with conn:
        for ticket, (sql, values) in DAMAGES.items():
            conn.execute(sql, (*values, ticket))
    conn.close()
    return folder


def _raw_rows(folder: Path) -> dict[str, tuple[object, ...]]:
    conn = sqlite3.connect(folder / "outbox.sqlite3")
    rows = conn.execute("SELECT * FROM requests ORDER BY ticket").fetchall()
    conn.close()
    return {str(row[1]): tuple(row) for row in rows}


def test_listing_skips_damaged_rows_and_entries_name_each_one(data: Path) -> None:
    with Outbox.existing(data) as outbox:
        healthy = outbox.list()
        entries = outbox.entries()
        counts = outbox.counts()

    assert [r.ticket for r in healthy] == HEALTHY
    damaged = {e.ticket: e for e in entries if isinstance(e, DamagedRequest)}
    assert {t: d.problem for t, d in damaged.items()} == PROBLEMS
    assert damaged["A-00003"].uuid is None and damaged["A-00003"].rowid == 3
    # The unknown state is left out of the counts instead of crashing them.
    assert sum(counts.values()) == len(DAMAGES) + len(HEALTHY) - 1


def test_a_damaged_row_is_reported_once_without_personal_data(
    data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING), Outbox.existing(data) as outbox:
        outbox.list()
        outbox.list(RequestState.QUEUED)
    lines = [r.getMessage() for r in caplog.records if r.name == "kiosk.store"]

    assert len(lines) == len(DAMAGES)
    for ticket, problem in PROBLEMS.items():
        assert any(ticket in line and problem in line for line in lines), ticket
    assert not any(PHONE in line or "Popescu" in line for line in lines)


def test_looking_up_a_damaged_request_explains_instead_of_crashing(
    data: Path,
) -> None:
    with Outbox.existing(data) as outbox:
        with pytest.raises(DamagedRequestError) as failure:
            outbox.by_ticket("A-00002")
        found = outbox.by_ticket("A-00008")

    assert isinstance(found, QueuedRequest)
    message = str(failure.value)
    assert "A-00002" in message and PROBLEMS["A-00002"] in message
    assert "kept unchanged" in message and "Popescu" not in message


def test_sync_delivers_the_healthy_requests_and_leaves_damaged_rows_alone(
    data: Path,
    server: ReferenceServer,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[sync]\nendpoint = "{server.url}"\ntimeout_s = 2.0\n')
    before = _raw_rows(data)
    argv = ["--config", str(config), "--data-dir", str(data), "sync", "--once"]

    with caplog.at_level(logging.WARNING):
        status = cli.main(argv)

    # Damaged rows still wait, so the run cannot say "all delivered".
    assert status == cli.EXIT_FAILED
    after = _raw_rows(data)
    for ticket in DAMAGES:
        assert after[ticket] == before[ticket], f"{ticket} was changed"
    with Outbox.existing(data) as outbox:
        assert [r.state for r in outbox.list()] == [RequestState.SENT] * 2
    stored = server.backend.stored()
    assert len(stored) == len(HEALTHY)
    skipped = [r.getMessage() for r in caplog.records if r.name == "kiosk.store"]
    assert any("A-00001" in line for line in skipped)


def test_queue_list_shows_damaged_rows_in_text_and_json(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--data-dir", str(data), "queue", "list"]

    assert cli.main(argv) == cli.EXIT_OK
    text = capsys.readouterr().out
    assert cli.main([*argv, "--json"]) == cli.EXIT_OK
    rows = json.loads(capsys.readouterr().out)

    assert "A-00002  damaged       state is not one the kiosk knows" in text
    assert "9 request(s), 7 damaged" in text
    by_ticket = {row["ticket"]: row for row in rows}
    assert by_ticket["A-00004"]["state"] == "damaged"
    assert by_ticket["A-00004"]["problem"] == PROBLEMS["A-00004"]
    assert by_ticket["A-00008"]["state"] == "queued"
    assert PHONE not in text and "Popescu" not in text
    assert PHONE not in json.dumps(rows) and "Popescu" not in json.dumps(rows)


def test_queue_show_on_a_damaged_request_says_what_is_wrong(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = cli.main(["--data-dir", str(data), "queue", "show", "A-00001"])

    err = capsys.readouterr().err
    assert status == cli.EXIT_FAILED
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "request A-00001" in err and "created_utc is not a valid time" in err
    assert "Popescu" not in err and PHONE not in err


def test_queue_retry_of_a_damaged_request_refuses_and_changes_nothing(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _raw_rows(data)
    status = cli.main(["--data-dir", str(data), "queue", "retry", "A-00002"])

    assert status == cli.EXIT_FAILED
    assert "A-00002" in capsys.readouterr().err
    assert _raw_rows(data) == before
