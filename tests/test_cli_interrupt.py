"""Ctrl-C on ``kiosk file`` and ``kiosk sync``: one line, exit 130, no loss."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from kiosk.cli import EXIT_INTERRUPTED
from kiosk.store import NewRequest, Outbox, RequestState
from tests.sync.scripted_server import ScriptedServer

ROOT = Path(__file__).parents[1]


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kiosk", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def _interrupt_when(proc: subprocess.Popen[str], seen: threading.Event) -> str:
    """Send SIGINT once ``seen`` is set; the rest of stderr afterwards."""
    # A hung command would block the reads: the watchdog ends it.
    watchdog = threading.Timer(90, proc.kill)
    watchdog.start()
    try:
        assert seen.wait(timeout=90), "the command never got that far"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return err


def _watch_stderr(
    proc: subprocess.Popen[str], marker: str, seen: threading.Event
) -> Iterator[str]:
    assert proc.stderr is not None
    for line in proc.stderr:
        yield line
        if marker in line:
            seen.set()
            return


def test_ctrl_c_while_kiosk_file_trains_the_router_exits_130_in_one_line(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    proc = _start(
        "-v", "--data-dir", str(data), "file", "vreau un duplicat de certificat"
    )
    seen = threading.Event()
    # The router trains for seconds right after the catalogue is loaded.
    before = list(_watch_stderr(proc, "Catalogue loaded", seen))

    err = _interrupt_when(proc, seen)

    assert proc.returncode == EXIT_INTERRUPTED
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert [line for line in err.splitlines() if line.startswith("kiosk:")] == [
        "kiosk: interrupted; nothing was half-written to the outbox "
        "(`kiosk queue list` shows what was filed)"
    ]
    assert before
    # Interrupted before filing: no request, and no half-made one either.
    if (data / "outbox.sqlite3").exists():
        with Outbox.existing(data) as outbox:
            assert outbox.entries() == []


def test_ctrl_c_while_sync_waits_for_the_backend_keeps_the_request_queued(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    with Outbox.in_data_dir(data) as outbox:
        ticket = outbox.enqueue(
            NewRequest("general.registry_submission", "cic", "ro", "o cerere")
        ).ticket
    posted = threading.Event()

    def hold(handler: BaseHTTPRequestHandler, stopping: threading.Event) -> None:
        posted.set()
        stopping.wait(60)  # never answers while the test runs

    with ScriptedServer(hold) as backend:
        config = tmp_path / "kiosk.toml"
        config.write_text(f'[sync]\nendpoint = "{backend.url}"\ntimeout_s = 30.0\n')
        proc = _start(
            "--config", str(config), "--data-dir", str(data), "sync", "--once"
        )
        err = _interrupt_when(proc, posted)

    assert proc.returncode == EXIT_INTERRUPTED
    assert "Traceback" not in err
    assert [line for line in err.splitlines() if line.startswith("kiosk:")] == [
        "kiosk: interrupted; nothing was half-written to the outbox"
    ]
    with Outbox.existing(data) as outbox:
        request = outbox.by_ticket(ticket)
    assert request is not None and request.state is RequestState.QUEUED
