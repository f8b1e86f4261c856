from __future__ import annotations

import os
import queue
import random
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.store import Outbox
from kiosk.sync import cli
from kiosk.sync.server import ReferenceServer
from tests.sync.sync_helpers import assert_each_stored_once

WORKER = Path(__file__).with_name("crash_worker.py")
ROOT = Path(__file__).parents[2]
CYCLES = int(os.environ.get("CRASH_CYCLES", "100"))
"""Each cycle kills a filing and a syncing process: 200 kills in all."""


class Zygote:
    """The worker process that forks the processes the test kills."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        # A thread reads the zygote's lines so that the test can wait for
        # them with a bound: a stuck worker fails the test, never hangs it.
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read_lines, daemon=True).start()
        assert self.readline() == "zygote ready"

    def _read_lines(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.strip())
        self.lines.put("")  # end of output: the zygote is gone

    def readline(self) -> str:
        try:
            line = self.lines.get(timeout=60.0)
        except queue.Empty:
            raise AssertionError("the zygote said nothing for 60 s") from None
        assert line, "the zygote died"
        return line

    def send(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def close(self) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


@pytest.fixture
def zygote() -> Iterator[Zygote]:
    worker = Zygote()
    yield worker
    worker.close()


def _one_cycle(
    zygote: Zygote, data_dir: Path, config: Path, rng: random.Random
) -> list[str]:
    """Start a filer and a syncer, SIGKILL both at random points."""
    zygote.send(f"file {data_dir} 100")
    zygote.send(f"sync {data_dir} {config}")
    printed: list[str] = []
    ready: list[int] = []
    while len(ready) < 2:
        line = zygote.readline()
        if line.startswith("ready "):
            ready.append(int(line.split()[1]))
        else:
            printed.append(line)
    pause = threading.Event()
    for pid in rng.sample(ready, 2):
        # A random kill point: the children run while the test waits.
        # The zygote says "ready" at the fork: up to a quarter second lets the
        # kills land before, during and after the children's writes and posts.
        pause.wait(rng.uniform(0, 0.25))
        os.kill(pid, signal.SIGKILL)
    for pid in ready:
        zygote.send(f"reap {pid}")
    reaped = 0
    while reaped < 2:
        line = zygote.readline()
        if line.startswith("reaped "):
            reaped += 1
        else:
            printed.append(line)
    return [line.split()[1] for line in printed if line.startswith("F ")]


@pytest.mark.slow
def test_requests_survive_sigkill_of_filer_and_syncer_and_are_filed_once(
    tmp_path: Path, server: ReferenceServer, zygote: Zygote
) -> None:
    data_dir = tmp_path / "crash-data"
    config = tmp_path / "crash.toml"
    config.write_text(f'[sync]\nendpoint = "{server.url}"\ntimeout_s = 2.0\n')
    rng = random.Random(20260301)
    reported: set[str] = set()

    for cycle in range(CYCLES):
        reported.update(_one_cycle(zygote, data_dir, config, rng))
        # After each restart every ticket that was printed is in the outbox.
        with Outbox.in_data_dir(data_dir, "C") as reopened:
            stored = {r.ticket for r in reopened.list()}
        assert reported <= stored, f"cycle {cycle}: lost {reported - stored}"

    status = cli.main(
        ["--config", str(config), "--data-dir", str(data_dir), "sync", "--once"]
    )

    assert status == cli.EXIT_OK
    assert len(reported) > CYCLES
    with Outbox.in_data_dir(data_dir, "C") as final:
        assert_each_stored_once(server, final)
