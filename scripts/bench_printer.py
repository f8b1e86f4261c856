"""Time the ESC/POS driver against the wire limit of a rate-limited line.

The emulator serves its own pty pair and reads no faster than the chosen
baud rate (a pty ignores baud rates), so the line is the bottleneck the way
a real serial cable is. For each rate it prints a typical receipt a few
times and compares the time of print_receipt() with the wire limit, the
bytes that crossed the line (status queries and polls included) times 10
bits over the baud rate; then it times status() calls. Run from the
repository root:

    .venv/bin/python scripts/bench_printer.py [--prints N] [--status N]

The exit code is 1 if the median print at a rate takes more than 1.1 times
the receipt's wire limit. The machine's load shows in the worst cases.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

# Import the kiosk of this checkout, not an installed copy.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.catalog import load_catalog  # noqa: E402
from kiosk.hardware.escpos_encoder import encode_receipt  # noqa: E402
from kiosk.hardware.escpos_printer import EscposPrinter  # noqa: E402
from kiosk.hardware.printer_emulator import PrinterEmulator  # noqa: E402
from kiosk.hardware.printer_profiles import get_profile  # noqa: E402
from kiosk.receipt import Receipt, build_receipt  # noqa: E402
from kiosk.store import QueuedRequest, RequestState  # noqa: E402

BAUD_RATES = (9600, 115200)
GOAL = 1.1
"""The print may take at most this many times its wire limit."""


def typical_receipt() -> Receipt:
    request = QueuedRequest(
        uuid="00000000-0000-4000-8000-000000000000",
        ticket="A-00123",
        service_code="civil.certificate_duplicate",
        department="stare_civila",
        language="ro",
        text="Am pierdut certificatul de naștere.",
        phone=None,
        email=None,
        consent=False,
        created_utc=datetime(2026, 5, 4, 9, 30, tzinfo=UTC),
        state=RequestState.QUEUED,
        attempts=0,
        last_error=None,
        server_id=None,
    )
    catalog = load_catalog()
    return build_receipt(
        request, catalog, "cj-primarie-01", ZoneInfo("Europe/Bucharest")
    )


def percentile(values: list[float], pct: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def bench_rate(baud: int, receipt: Receipt, prints: int, statuses: int) -> bool:
    profile = get_profile("TM-T20II")
    # What the driver sends for the receipt itself: its bytes and GS r 1.
    receipt_bytes = len(encode_receipt(receipt, profile).data) + 3
    receipt_wire_s = receipt_bytes * 10 / baud
    emulator = PrinterEmulator(profile, baud_limit=baud)
    emulator.plug()
    printer = EscposPrinter(emulator.port, baud, profile)
    try:
        printer.print_receipt(receipt)  # open the port, warm the caches
        seconds: list[float] = []
        sent: list[int] = []
        for _ in range(prints):
            before = emulator.received_bytes
            started = time.perf_counter()
            printer.print_receipt(receipt)
            seconds.append(time.perf_counter() - started)
            sent.append(emulator.received_bytes - before)
        latencies = []
        for _ in range(statuses):
            started = time.perf_counter()
            printer.status()
            latencies.append((time.perf_counter() - started) * 1000)
    finally:
        printer.close()
        emulator.unplug()
    all_wire_s = [n * 10 / baud for n in sent]
    ratios = [t / receipt_wire_s for t in seconds]
    print(
        f"{baud:>6} baud: receipt {receipt_bytes} B, wire limit "
        f"{receipt_wire_s * 1000:.1f} ms; print_receipt() median "
        f"{statistics.median(seconds) * 1000:.1f} ms, worst "
        f"{max(seconds) * 1000:.1f} ms over {prints}"
    )
    median = statistics.median(ratios)
    print(
        f"{'':>12}ratio to the receipt's wire limit: median {median:.3f} "
        f"({'within' if median <= GOAL else 'OVER'} {GOAL}x), "
        f"worst {max(ratios):.3f}"
    )
    all_ratios = [t / w for t, w in zip(seconds, all_wire_s, strict=True)]
    print(
        f"{'':>12}all bytes sent per print (status queries, polls): "
        f"{min(sent)}-{max(sent)} B, ratio to their wire time: median "
        f"{statistics.median(all_ratios):.3f}"
    )
    print(
        f"{'':>12}status() over {statuses} calls: "
        f"p50 {percentile(latencies, 50):.2f} ms, "
        f"p99 {percentile(latencies, 99):.2f} ms, max {max(latencies):.2f} ms "
        f"(wire floor {12 * 10 / baud * 1000:.2f} ms: 9 bytes out, 3 back)"
    )
    return median <= GOAL


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prints", type=int, default=10, help="prints per rate")
    parser.add_argument("--status", type=int, default=200, help="status calls")
    args = parser.parse_args()
    receipt = typical_receipt()
    profile = get_profile("TM-T20II")
    started = time.perf_counter()
    encoded = encode_receipt(receipt, profile)
    encode_ms = (time.perf_counter() - started) * 1000
    print(
        f"typical receipt: {len(encoded.data)} bytes, table {encoded.code_table}; "
        f"encoding takes {encode_ms:.1f} ms; load average "
        f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )
    ok = [bench_rate(b, receipt, args.prints, args.status) for b in BAUD_RATES]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
