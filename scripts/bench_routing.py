"""Measure the router: build time, latency per decision, memory, dev figures.

Run from the repository root:
    .venv/bin/python scripts/bench_routing.py [DEV.jsonl]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

DEFAULT_DEV = Path("/work/shared/data/routing_dev.jsonl")
REPEATS = 20


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    dev_path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DEV
    before = rss_mb()
    started = time.perf_counter()
    from kiosk.catalog import load_catalog
    from kiosk.routing import Router
    from kiosk.routing.cli import evaluate, format_report, read_labelled

    imported = time.perf_counter()
    after_imports = rss_mb()
    router = Router(load_catalog())
    built = time.perf_counter()
    after = rss_mb()
    rows = read_labelled(dev_path)
    latencies = []
    for _ in range(REPEATS):
        for row in rows:
            t = time.perf_counter()
            router.route(row.text, row.lang)
            latencies.append((time.perf_counter() - t) * 1000)
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    long_text = "vreau sa platesc impozitul " * 2000
    t = time.perf_counter()
    router.route(long_text, "ro")
    long_ms = (time.perf_counter() - t) * 1000
    print(f"imports: {imported - started:.2f} s, model build: {built - imported:.2f} s")
    print(
        f"latency over {len(latencies)} decisions: "
        f"p50 {cuts[49]:.2f} ms, p99 {cuts[98]:.2f} ms, max {max(latencies):.2f} ms"
    )
    print(f"a {len(long_text)}-character paste: {long_ms:.2f} ms")
    print(
        f"RSS added: {after - before:.1f} MB in all ({after_imports - before:.1f} MB "
        f"imports, {after - after_imports:.1f} MB model); now {after:.1f} MB"
    )
    report = evaluate(router, rows)
    print(format_report(report))
    print(
        json.dumps(
            {k: report[k] for k in ("service_top1", "department_top1", "service_top3")}
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
