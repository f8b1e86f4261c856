"""Benchmark the outbox and the sync against plain baselines, same run.

Usage: python scripts/bench_outbox_sync.py [--enqueues N] [--requests N] [--dir D]

1. Durable enqueue latency beside a raw sqlite3 INSERT + COMMIT with WAL and
   synchronous=FULL, in the same directory, interleaved in blocks.
2. Delivering N queued requests to the reference back-end (its own process)
   beside a plain keep-alive httpx POST loop to a second, identical one.
3. Peak resident memory of this process and of the back-ends.
"""

from __future__ import annotations

import argparse
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.store import NewRequest, Outbox  # noqa: E402
from kiosk.sync.backend import DEMO_API_KEY  # noqa: E402
from kiosk.sync.client import Open311Client  # noqa: E402
from kiosk.sync.engine import RunReport, Syncer  # noqa: E402

SERVICE = "general.registry_submission"
TEXT = "Vă rog să verificați iluminatul public de pe strada Memorandumului."


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def bench_enqueue(work: Path, count: int, blocks: int = 10) -> None:
    raw = sqlite3.connect(work / "raw.sqlite3", isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=FULL")
    raw.execute(
        "CREATE TABLE r (uuid TEXT PRIMARY KEY, ticket TEXT UNIQUE, service_code"
        " TEXT, department TEXT, language TEXT, text TEXT, created_utc TEXT,"
        " state TEXT)"
    )
    outbox = Outbox(work / "outbox.sqlite3", "B")
    request = NewRequest(SERVICE, "cic", "ro", TEXT)
    raw_times: list[float] = []
    box_times: list[float] = []
    per_block = count // blocks
    n = 0
    for _ in range(blocks):
        for _ in range(per_block):
            n += 1
            start = time.perf_counter()
            raw.execute("BEGIN")
            raw.execute(
                "INSERT INTO r VALUES (?,?,?,?,?,?,?,?)",
                (
                    str(uuid.uuid4()),
                    f"B-{n:05d}",
                    SERVICE,
                    "cic",
                    "ro",
                    TEXT,
                    "2026-01-01T00:00:00+00:00",
                    "queued",
                ),
            )
            raw.execute("COMMIT")
            raw_times.append(time.perf_counter() - start)
        for _ in range(per_block):
            start = time.perf_counter()
            outbox.enqueue(request)
            box_times.append(time.perf_counter() - start)
    raw.close()
    outbox.close()
    print(f"== durable enqueue, {len(box_times)} each, WAL + synchronous=FULL")
    for name, samples in (
        ("raw insert+commit", raw_times),
        ("Outbox.enqueue", box_times),
    ):
        print(
            f"  {name:<18} p50 {percentile(samples, 0.5) * 1e3:6.3f} ms"
            f"  p99 {percentile(samples, 0.99) * 1e3:6.3f} ms"
            f"  mean {statistics.fmean(samples) * 1e3:6.3f} ms"
        )
    ratio = percentile(box_times, 0.99) / percentile(raw_times, 0.99)
    print(f"  p99 ratio enqueue/raw: {ratio:.2f} (goal <= 1.2)")


def start_backend(db: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiosk.sync.cli",
            "backend",
            "--port",
            "0",
            "--db",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    return proc, line.strip().rsplit(" ", 1)[-1]


def stop_backend(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    proc.wait(timeout=10)
    if proc.stdout is not None:
        proc.stdout.close()


def plain_loop(http: httpx.Client, url: str, count: int) -> float:
    start = time.perf_counter()
    for n in range(count):
        response = http.post(
            url + "requests.json",
            data={
                "api_key": DEMO_API_KEY,
                "service_code": SERVICE,
                "description": TEXT,
                "address_string": "Calea Moților 3",
                "attribute[ticket]": f"P-{n:05d}",
            },
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        response.raise_for_status()
    return time.perf_counter() - start


def timed_push(outbox: Outbox, syncer: Syncer, count: int) -> tuple[float, int]:
    for _ in range(count):
        outbox.enqueue(NewRequest(SERVICE, "cic", "ro", TEXT))
    report = RunReport()
    # push() alone is timed; run_once() would add the status pull.
    syncer._deadline = time.monotonic() + 600
    start = time.perf_counter()
    syncer.push(report)
    return time.perf_counter() - start, report.sent


def bench_sync(work: Path, count: int, rounds: int = 10) -> None:
    plain_proc, plain_url = start_backend(work / "plain-backend.sqlite3")
    sync_proc, sync_url = start_backend(work / "sync-backend.sqlite3")
    outbox = Outbox(work / "sync-outbox.sqlite3", "S")
    plain_s = push_s = 0.0
    sent = 0
    try:
        with (
            httpx.Client(trust_env=False) as plain_http,
            httpx.Client(trust_env=False) as sync_http,
        ):
            client = Open311Client(sync_http, sync_url, api_key=DEMO_API_KEY)
            syncer = Syncer(
                outbox,
                client,
                address="Calea Moților 3",
                device_id="bench",
                budget_s=600,
                rng=random.Random(1),
            )
            # Interleaved rounds, so load from elsewhere hits both alike.
            for _ in range(rounds):
                plain_s += plain_loop(plain_http, plain_url, count // rounds)
                seconds, delivered = timed_push(outbox, syncer, count // rounds)
                push_s += seconds
                sent += delivered
            start = time.perf_counter()
            syncer.run_once()
            run_s = time.perf_counter() - start
    finally:
        stop_backend(plain_proc)
        stop_backend(sync_proc)
        outbox.close()
    assert sent == count, sent
    plain_rate, sync_rate = count / plain_s, count / push_s
    print(f"== delivering {count} requests to the reference back-end ({rounds} rounds)")
    print(f"  plain httpx POST loop  {plain_s:6.2f} s  {plain_rate:7.0f} req/s")
    print(f"  Syncer.push (outbox)   {push_s:6.2f} s  {sync_rate:7.0f} req/s")
    print(f"  ratio sync/plain: {sync_rate / plain_rate:.2f} (goal >= 0.8, >= 500/s)")
    print(
        f"  a full run_once after (pulls {count} statuses, 50 per GET): {run_s:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enqueues", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--dir", type=Path, help="where the files go (default /tmp)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="bench-outbox-") as tmp:
        work = Path(tmp)
        print(f"files in {work}")
        bench_enqueue(work, args.enqueues)
        bench_sync(work, args.requests)
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        f"== peak RSS: this process {me / 1024:.1f} MiB, largest back-end "
        f"{children / 1024:.1f} MiB"
    )


if __name__ == "__main__":
    main()
