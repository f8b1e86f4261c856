"""A zygote for the crash test: forks processes that file or sync.

Imports happen once, here; each command on stdin forks a child that does
the work until the test kills it with SIGKILL, so 200 kills cost seconds
rather than minutes of interpreter start-up. Commands and what is printed:

``file DATA_DIR COUNT``  a child enqueues COUNT requests, printing
                         ``F <ticket>`` once each is durable, then idles.
``sync DATA_DIR CONFIG`` a child syncs in a loop with those settings.
``reap PID``             waits for a killed child, then prints ``reaped PID``.

The zygote prints ``ready <PID>`` as soon as it has forked a child, so the
test can always deliver its kill, even to a child that has not started its
work yet (that is one more kill point). All lines share one pipe, so a
child's lines always come before its ``reaped`` line.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

import httpx

from kiosk.config import load_settings
from kiosk.store import NewRequest, Outbox
from kiosk.sync.cli import build_syncer


def say(line: str) -> None:
    # One write per line: several processes share the pipe, and a write
    # below PIPE_BUF bytes is never interleaved with another.
    os.write(1, (line + "\n").encode())


def file_requests(data_dir: Path, count: int) -> None:
    with Outbox.in_data_dir(data_dir, "C") as outbox:
        for n in range(count):
            request = outbox.enqueue(
                NewRequest("general.registry_submission", "cic", "ro", f"cerere {n}")
            )
            say(f"F {request.ticket}")
    orphaned_check()


def orphaned_check() -> None:
    """Idle until killed, or exit once the zygote is gone."""
    parent = os.getppid()
    idle = threading.Event()
    while os.getppid() == parent:
        idle.wait(0.5)


def sync_forever(data_dir: Path, config: Path) -> None:
    settings = load_settings(config, data_dir)
    with (
        Outbox.in_data_dir(data_dir, "C") as outbox,
        httpx.Client(timeout=2.0, trust_env=False) as http,
    ):
        syncer = build_syncer(settings, outbox, http)
        syncer.catalog_path = None
        # Small batches: kills then land before, during and after recording.
        syncer.batch_size = 10
        parent = os.getppid()
        while os.getppid() == parent:
            syncer.run_once()


def main() -> None:
    say("zygote ready")
    children: set[int] = set()
    try:
        serve(children)
    finally:
        # Whatever the test did not kill dies with the zygote.
        for pid in children:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def serve(children: set[int]) -> None:
    for line in sys.stdin:
        command, *args = line.split()
        if command == "reap":
            os.waitpid(int(args[0]), 0)
            children.discard(int(args[0]))
            say(f"reaped {args[0]}")
            continue
        pid = os.fork()
        if pid:
            children.add(pid)
            say(f"ready {pid}")
        else:
            try:
                if command == "file":
                    file_requests(Path(args[0]), int(args[1]))
                else:
                    sync_forever(Path(args[0]), Path(args[1]))
            finally:
                os._exit(1)


if __name__ == "__main__":
    main()
