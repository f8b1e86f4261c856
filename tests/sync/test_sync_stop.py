"""The sync service stops between two requests on SIGTERM."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from kiosk.catalog import load_catalog
from kiosk.store import Outbox, RequestState
from kiosk.sync import cli
from kiosk.sync.engine import STOPPED
from kiosk.sync.services import services_document
from tests.sync.scripted_server import CountingBackend, ScriptedServer
from tests.sync.sync_helpers import file_requests

ROOT = Path(__file__).parents[2]
REQUESTS = 30
POST_S = 0.5
"""Seconds the slow back-end takes per POST: a whole run takes 15 s."""


def test_sigterm_ends_a_slow_run_between_requests_and_loses_nothing(
    tmp_path: Path,
) -> None:
    with Outbox.in_data_dir(tmp_path / "data", "K7") as outbox:
        file_requests(outbox, REQUESTS)
    services = json.dumps(services_document(load_catalog())).encode()
    backend = CountingBackend(services, post_delay_s=POST_S)
    backend.gate.set()
    with ScriptedServer(backend.answer) as server:
        config = tmp_path / "kiosk.toml"
        config.write_text(
            f'[kiosk]\nid = "K7"\n[sync]\nendpoint = "{server.url}"\n'
            "timeout_s = 5.0\nbudget_s = 120.0\n"
        )
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kiosk",
                "--config",
                str(config),
                "--data-dir",
                str(tmp_path / "data"),
                "sync",
                "--interval",
                "300",
            ],
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
        )
        # A service that ignores the signal would block the reads below.
        watchdog = threading.Timer(60, proc.kill)
        watchdog.start()
        try:
            assert proc.stderr is not None
            posts = (line for line in proc.stderr if "HTTP Request: POST" in line)
            for _ in range(3):
                next(posts)
            proc.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            code = proc.wait(timeout=30)
            took = time.monotonic() - signalled
            rest = proc.stderr.read()
        finally:
            watchdog.cancel()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            if proc.stderr is not None:
                proc.stderr.close()

    assert code == cli.EXIT_OK
    # The POST in flight is finished and recorded, then the run ends.
    assert took < 2 * POST_S + 2.0
    summary = re.search(r"Sync run: sent (\d+),.* still queued (\d+)", rest)
    assert summary is not None, rest
    sent, queued = int(summary[1]), int(summary[2])
    assert STOPPED in rest
    with Outbox.in_data_dir(tmp_path / "data") as outbox:
        requests = outbox.list()
    states = {r.state for r in requests}
    assert states == {RequestState.SENT, RequestState.QUEUED}
    delivered = {r.uuid for r in requests if r.state is RequestState.SENT}
    assert len(delivered) == sent >= 3 and queued == REQUESTS - sent > 0
    # Nothing lost, nothing posted twice: what the back-end answered is
    # exactly what the outbox calls sent.
    assert set(backend.posts) == delivered
    assert set(backend.posts.values()) == {1}
