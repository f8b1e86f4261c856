"""Two sync runs at once never post a request twice."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.catalog import load_catalog
from kiosk.store import Outbox, RequestState
from kiosk.sync import cli
from kiosk.sync.engine import ANOTHER_RUN, Syncer
from kiosk.sync.run_lock import LOCK_FILE, run_lock
from kiosk.sync.server import ReferenceServer
from kiosk.sync.services import services_document
from tests.sync.scripted_server import CountingBackend, ScriptedServer
from tests.sync.sync_helpers import file_requests

ROOT = Path(__file__).parents[2]
REQUESTS = 8


@pytest.fixture
def counting() -> Iterator[tuple[CountingBackend, str]]:
    backend = CountingBackend(json.dumps(services_document(load_catalog())).encode())
    with ScriptedServer(backend.answer) as server:
        try:
            yield backend, server.url
        finally:
            backend.gate.set()


def _argv(tmp_path: Path, url: str) -> list[str]:
    config = tmp_path / "kiosk.toml"
    # A long timeout: the first run waits on its held POST meanwhile.
    config.write_text(
        f'[kiosk]\nid = "K7"\n[sync]\nendpoint = "{url}"\ntimeout_s = 60.0\n'
    )
    return ["--config", str(config), "--data-dir", str(tmp_path / "data")]


def _queue(tmp_path: Path, count: int) -> list[str]:
    with Outbox.in_data_dir(tmp_path / "data", "K7") as outbox:
        return [r.uuid for r in file_requests(outbox, count)]


def _sync(argv: list[str], *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kiosk", *argv, "sync", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def _finish(proc: subprocess.Popen[str], timeout: float = 60) -> tuple[int, str]:
    try:
        _, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return proc.returncode, err


def test_a_second_run_while_one_is_posting_posts_nothing(
    tmp_path: Path, counting: tuple[CountingBackend, str]
) -> None:
    backend, url = counting
    uuids = _queue(tmp_path, REQUESTS)
    argv = _argv(tmp_path, url)

    first = _sync(argv, "--once")
    try:
        assert backend.first_post.wait(30), "the first run never posted"
        second_code, second_err = _finish(_sync(argv, "--once"))
    finally:
        backend.gate.set()
        first_code, first_err = _finish(first)

    assert second_code == cli.EXIT_BUSY, second_err
    assert ANOTHER_RUN in second_err
    assert first_code == cli.EXIT_OK, first_err
    assert sorted(backend.posts) == sorted(uuids)
    assert set(backend.posts.values()) == {1}
    with Outbox.in_data_dir(tmp_path / "data") as outbox:
        assert {r.state for r in outbox.list()} == {RequestState.SENT}


def test_a_killed_run_does_not_block_the_next_one(
    tmp_path: Path, counting: tuple[CountingBackend, str]
) -> None:
    backend, url = counting
    uuids = _queue(tmp_path, REQUESTS)
    argv = _argv(tmp_path, url)

    first = _sync(argv, "--once")
    assert backend.first_post.wait(30), "the first run never posted"
    first.send_signal(signal.SIGKILL)
    _finish(first)
    backend.gate.set()
    code, err = _finish(_sync(argv, "--once"))

    assert code == cli.EXIT_OK, err
    # The request whose POST was cut by the kill is posted again (this
    # back-end ignores Idempotency-Key); every other one exactly once.
    assert sorted(backend.posts) == sorted(uuids)
    assert sorted(backend.posts.values()) == [1] * (REQUESTS - 1) + [2]
    with Outbox.in_data_dir(tmp_path / "data") as outbox:
        assert {r.state for r in outbox.list()} == {RequestState.SENT}


def test_a_run_in_the_same_process_finds_the_lock_taken(
    tmp_path: Path,
    server: ReferenceServer,
    outbox: Outbox,
    make_syncer: Callable[..., Syncer],
) -> None:
    file_requests(outbox, 2)
    lock = tmp_path / LOCK_FILE
    syncer = make_syncer(server.url, lock_path=lock)

    with run_lock(lock) as held:
        assert held
        busy = syncer.run_once()
        posted_while_held = len(server.backend.stored())
    after = syncer.run_once()

    assert busy.busy and busy.summary() == ANOTHER_RUN and busy.sent == 0
    assert posted_while_held == 0
    assert after.sent == 2 and not after.busy
    assert len(server.backend.stored()) == 2
