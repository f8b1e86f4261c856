"""The ``sync``, ``backend`` and ``queue`` commands.

:func:`add_parsers` registers them on the ``kiosk`` command's subparsers;
each handler takes the parsed arguments (with ``config`` and ``data_dir``)
and returns the exit status. Environment faults (a full disk, a read-only
data directory, an unreachable back-end) are printed as one clear line.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import httpx

from kiosk.catalog import Catalog, CatalogError, load_catalog
from kiosk.config import MIN_SYNC_INTERVAL_S, ConfigError, Settings, load_settings
from kiosk.pulled_catalog import CATALOG_FILE
from kiosk.store import (
    DamagedRequest,
    Outbox,
    QueuedRequest,
    RequestState,
    StoreError,
)
from kiosk.sync.backend import DEMO_API_KEY, parse_fault
from kiosk.sync.client import Open311Client
from kiosk.sync.engine import RunReport, Syncer, serve
from kiosk.sync.errors import SyncError
from kiosk.sync.run_lock import LOCK_FILE
from kiosk.sync.server import run_backend

EXIT_OK = 0
EXIT_FAILED = 1
"""Something is left undelivered, or a fault stopped the command."""
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
"""Stopped with Ctrl-C (128 + SIGINT, as shells report it)."""
INTERRUPTED = "kiosk: interrupted; nothing was half-written to the outbox"
EXIT_BUSY = 75
"""``sync --once`` found another run in progress (EX_TEMPFAIL); the sync
unit counts it as success, since the other run does the work."""
BACKEND_DB = "open311-backend.sqlite3"
MAX_PURGE_DAYS = 3650
"""Largest ``queue purge --days``, as for [storage] purge_contact_after_days."""

Handler = Callable[[argparse.Namespace], int]


def _reported(handler: Handler) -> Handler:
    """Turn known faults into one line on stderr and an exit status."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except ConfigError as exc:
            print(f"kiosk: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except (StoreError, SyncError) as exc:
            print(f"kiosk: {exc}", file=sys.stderr)
            return EXIT_FAILED
        except KeyboardInterrupt:
            # Every outbox change is one transaction: an interrupted one was
            # rolled back, and a sync puts its unsent batch back in the queue.
            print(INTERRUPTED, file=sys.stderr)
            return EXIT_INTERRUPTED

    return run


def add_parsers(
    subparsers: Any, parents: Sequence[argparse.ArgumentParser] = ()
) -> None:
    """Register ``sync``, ``backend`` and ``queue`` on ``subparsers``."""
    parents = list(parents)
    sync = subparsers.add_parser(
        "sync", parents=parents, help="deliver queued requests to the back-end"
    )
    sync.add_argument(
        "--once",
        action="store_true",
        help="push then pull once; exit 0 only if everything was delivered",
    )
    sync.add_argument(
        "--interval",
        type=_interval,
        help="seconds between runs ([sync] interval_s)",
    )
    sync.set_defaults(handler=cmd_sync)

    backend = subparsers.add_parser(
        "backend", parents=parents, help="run the reference Open311 back-end"
    )
    backend.add_argument(
        "--port", type=_port, default=8311, help="0 to 65535; 0 picks a free one"
    )
    backend.add_argument("--host", default="127.0.0.1")
    backend.add_argument("--db", type=Path, help=f"default: DATA_DIR/{BACKEND_DB}")
    backend.add_argument("--api-key", default=DEMO_API_KEY)
    backend.add_argument("--jurisdiction-id", default="")
    backend.add_argument("--catalog", type=Path, help="catalogue to serve")
    backend.add_argument(
        "--misbehave",
        action="append",
        type=_fault,
        default=[],
        metavar="KIND[:COUNT]",
        help="html503, slow, token, 429, drop, truncated, captive, error200;"
        " COUNT times (default: always); repeat for a sequence",
    )
    backend.add_argument("--slow-s", type=float, default=5.0)
    backend.add_argument("--retry-after", type=int, default=1)
    backend.add_argument(
        "--hold-tokens", action="store_true", help="tokens resolve only on request"
    )
    backend.set_defaults(handler=cmd_backend)

    queue = subparsers.add_parser("queue", parents=parents, help="inspect the outbox")
    queue_sub = queue.add_subparsers(dest="queue_command", required=True)
    listing = queue_sub.add_parser("list", parents=parents, help="list requests")
    listing.add_argument("--state", choices=[s.value for s in RequestState])
    listing.add_argument("--json", action="store_true", help="machine-readable")
    listing.set_defaults(handler=cmd_queue_list)
    show = queue_sub.add_parser("show", parents=parents, help="one request")
    show.add_argument("ticket", help="ticket number or UUID")
    show.add_argument("--json", action="store_true", help="machine-readable")
    show.set_defaults(handler=cmd_queue_show)
    retry = queue_sub.add_parser(
        "retry", parents=parents, help="queue rejected requests again"
    )
    retry.add_argument("tickets", nargs="*", help="tickets or UUIDs")
    retry.add_argument("--all-rejected", action="store_true")
    retry.set_defaults(handler=cmd_queue_retry)
    purge = queue_sub.add_parser(
        "purge", parents=parents, help="wipe contact details past retention"
    )
    purge.add_argument(
        "--days",
        type=int,
        help="days after confirmation, 0 to 3650 ([storage] purge_contact_after_days)",
    )
    purge.set_defaults(handler=cmd_queue_purge)


def _interval(text: str) -> float:
    # A wait of nothing (zero, negative, NaN, a nanosecond) would run syncs
    # back to back and hammer the back-end.
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not MIN_SYNC_INTERVAL_S <= seconds < math.inf:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of seconds from {MIN_SYNC_INTERVAL_S:g} up"
        )
    return seconds


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port from 0 to 65535")
    return port


def _fault(spec: str) -> Any:
    try:
        return parse_fault(spec)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(getattr(args, "config", None), getattr(args, "data_dir", None))


def _outbox(settings: Settings) -> Outbox:
    return Outbox.in_data_dir(settings.storage.data_dir, settings.kiosk.id)


def _existing_outbox(settings: Settings) -> Outbox:
    return Outbox.existing(settings.storage.data_dir, settings.kiosk.id)


def read_api_key(settings: Settings) -> str:
    """The API key from ``[sync] api_key_file``, or the demo key."""
    if not settings.sync.api_key_file:
        return DEMO_API_KEY
    path = Path(settings.sync.api_key_file)
    try:
        key = path.read_text(encoding="utf-8").strip().splitlines()
    except OSError as exc:
        raise ConfigError("sync.api_key_file", f"cannot read {path}: {exc}") from exc
    if not key or not key[0].strip():
        raise ConfigError("sync.api_key_file", f"{path} is empty")
    return key[0].strip()


def build_syncer(
    settings: Settings,
    outbox: Outbox,
    http: httpx.Client,
    stop: threading.Event | None = None,
) -> Syncer:
    """A syncer wired from settings, for the command and the app.

    Setting ``stop`` ends a run between two requests, and cuts short a
    wait between retries.
    """
    stop = stop or threading.Event()

    def sleep(seconds: float) -> None:
        stop.wait(seconds)

    client = Open311Client(
        http,
        settings.sync.endpoint,
        api_key=read_api_key(settings),
        jurisdiction_id=settings.sync.jurisdiction_id,
    )
    return Syncer(
        outbox,
        client,
        address=settings.kiosk.address,
        device_id=settings.kiosk.id,
        budget_s=settings.sync.budget_s,
        purge_after=timedelta(days=settings.storage.purge_contact_after_days),
        catalog=load_catalog(),
        catalog_path=settings.storage.data_dir / CATALOG_FILE,
        lock_path=settings.storage.data_dir / LOCK_FILE,
        stop=stop,
        sleep=sleep,
    )


def sync_once(settings: Settings) -> str:
    """One sync run on its own connections; a one-line summary of it.

    For the app's "sync now" button: it runs on a worker thread, so it
    opens its own outbox connection and HTTP client.
    """
    with _outbox(settings) as outbox, _http_client(settings) as http:
        return build_syncer(settings, outbox, http).run_once().summary()


def _http_client(settings: Settings) -> httpx.Client:
    # One client for the whole run: its connection pool keeps the
    # connection to the back-end alive between requests.
    return httpx.Client(
        timeout=settings.sync.timeout_s,
        headers={"User-Agent": "antonia-kiosk"},
    )


@_reported
def cmd_sync(args: argparse.Namespace) -> int:
    """``kiosk sync``: one run with --once, else a service loop."""
    settings = _settings(args)
    stop = threading.Event()
    with _outbox(settings) as outbox, _http_client(settings) as http:
        syncer = build_syncer(settings, outbox, http, stop)
        if args.once:
            return _report(syncer.run_once())

        def request_stop(signum: int, frame: FrameType | None) -> None:
            # The run ends after the request in flight (at most timeout_s),
            # well within systemd's stop timeout, and reports what it did.
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        interval = args.interval or settings.sync.interval_s
        serve(syncer.run_once, interval, stop)
    return EXIT_OK


def _report(report: RunReport) -> int:
    if report.busy:
        print(f"kiosk: {report.summary()}", file=sys.stderr)
        return EXIT_BUSY
    print(f"Sync: {report.summary()}")
    for problem in report.problems:
        print(f"kiosk: {problem}", file=sys.stderr)
    return EXIT_OK if report.delivered_all else EXIT_FAILED


@_reported
def cmd_backend(args: argparse.Namespace) -> int:
    """``kiosk backend``: serve the reference back-end until stopped."""
    db_path = args.db
    if db_path is None:
        data_dir = _settings(args).storage.data_dir
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            cause = (
                "it is a file, not a folder"
                if data_dir.exists() and not data_dir.is_dir()
                else exc.strerror or str(exc)
            )
            print(
                f"kiosk: cannot use {data_dir} as the data folder: {cause}",
                file=sys.stderr,
            )
            return EXIT_FAILED
        db_path = data_dir / BACKEND_DB
    catalog = None
    if args.catalog:
        try:
            catalog = load_catalog(args.catalog)
        except (OSError, UnicodeDecodeError, CatalogError) as exc:
            print(
                f"kiosk: cannot use the catalogue {args.catalog}: {exc}",
                file=sys.stderr,
            )
            return EXIT_USAGE
    try:
        _serve_backend(args, db_path, catalog)
    except OSError as exc:
        # Most often the port is taken by another back-end or program.
        print(
            f"kiosk: cannot serve the back-end on {args.host}:{args.port}: "
            f"{exc.strerror or exc}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK


def _serve_backend(
    args: argparse.Namespace, db_path: Path, catalog: Catalog | None
) -> None:
    run_backend(
        port=args.port,
        host=args.host,
        db_path=db_path,
        api_key=args.api_key,
        jurisdiction_id=args.jurisdiction_id,
        faults=args.misbehave,
        catalog=catalog,
        slow_s=args.slow_s,
        retry_after_s=args.retry_after,
        hold_tokens=args.hold_tokens,
    )


def request_summary(request: QueuedRequest) -> dict[str, Any]:
    """A request as JSON-ready data; contact details only as present/absent."""
    return {
        "ticket": request.ticket,
        "uuid": request.uuid,
        "service_code": request.service_code,
        "department": request.department,
        "language": request.language,
        "state": request.state.value,
        "created_utc": request.created_utc.isoformat(),
        "attempts": request.attempts,
        "last_error": request.last_error,
        "server_id": request.server_id,
        "token": request.token,
        "rejected_reason": request.rejected_reason,
        "sent_utc": _iso(request.sent_utc),
        "server_status": request.server_status,
        "status_notes": request.status_notes,
        "consent": request.consent,
        # Technicians read this over SSH; the numbers themselves stay out.
        "has_contact": bool(request.phone or request.email),
        "contact_purged_utc": _iso(request.contact_purged_utc),
    }


def damaged_summary(damaged: DamagedRequest) -> dict[str, Any]:
    """A row that cannot be read, as JSON-ready data: only what names it."""
    return {
        "ticket": damaged.ticket,
        "uuid": damaged.uuid,
        "row": damaged.rowid,
        "state": "damaged",
        "problem": damaged.problem,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@_reported
def cmd_queue_list(args: argparse.Namespace) -> int:
    """``kiosk queue list``: every request, or those in one state."""
    with _existing_outbox(_settings(args)) as outbox:
        state = RequestState(args.state) if args.state else None
        entries = outbox.entries(state)
    if args.json:
        rows = [
            damaged_summary(e) if isinstance(e, DamagedRequest) else request_summary(e)
            for e in entries
        ]
        print(json.dumps(rows, ensure_ascii=False))
        return EXIT_OK
    damaged = 0
    for entry in entries:
        if isinstance(entry, DamagedRequest):
            damaged += 1
            name = entry.ticket or f"row {entry.rowid}"
            print(f"{name:<8} damaged       {entry.problem}")
            continue
        status = entry.server_status or ""
        print(
            f"{entry.ticket}  {entry.state.value:<13} "
            f"{entry.created_utc:%Y-%m-%d %H:%M}Z  {entry.service_code:<36} "
            f"{entry.server_id or '-':<12} {status}"
        )
    footer = f"{len(entries)} request(s)"
    if damaged:
        footer += (
            f", {damaged} damaged: the sync skips them; "
            "`kiosk queue show TICKET` explains"
        )
    print(footer)
    return EXIT_OK


@_reported
def cmd_queue_show(args: argparse.Namespace) -> int:
    """``kiosk queue show``: everything about one request."""
    with _existing_outbox(_settings(args)) as outbox:
        request = _find(outbox, args.ticket)
    if request is None:
        print(f"kiosk: no request {_shown(args.ticket)} in the outbox", file=sys.stderr)
        return EXIT_FAILED
    summary = request_summary(request)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
        return EXIT_OK
    for key, value in summary.items():
        print(f"{key:>18}: {'' if value is None else value}")
    print(f"{'text':>18}: {request.text}")
    return EXIT_OK


def _shown(key: str) -> str:
    # Bytes that are not UTF-8 reach argv as lone surrogates, which no
    # stream can print; show them escaped, as \udcff.
    return key.encode("utf-8", "backslashreplace").decode("utf-8")


def _find(outbox: Outbox, key: str) -> QueuedRequest | None:
    return outbox.by_ticket(key) or outbox.get(key)


@_reported
def cmd_queue_retry(args: argparse.Namespace) -> int:
    """``kiosk queue retry``: put rejected requests back in the queue."""
    if not args.tickets and not args.all_rejected:
        print("kiosk: name tickets to retry, or pass --all-rejected", file=sys.stderr)
        return EXIT_USAGE
    status = EXIT_OK
    with _existing_outbox(_settings(args)) as outbox:
        targets: list[QueuedRequest | None] = [_find(outbox, t) for t in args.tickets]
        if args.all_rejected:
            targets += outbox.list(RequestState.REJECTED)
        for key, request in zip(args.tickets, targets, strict=False):
            if request is None:
                print(f"kiosk: no request {_shown(key)} in the outbox", file=sys.stderr)
                status = EXIT_FAILED
        for request in filter(None, targets):
            if outbox.retry(request.uuid):
                print(f"{request.ticket} queued again")
            else:
                print(f"{request.ticket} is {request.state.value}, not rejected")
    return status


@_reported
def cmd_queue_purge(args: argparse.Namespace) -> int:
    """``kiosk queue purge``: wipe contact details past their retention."""
    settings = _settings(args)
    days = settings.storage.purge_contact_after_days if args.days is None else args.days
    if not 0 <= days <= MAX_PURGE_DAYS:
        print(f"kiosk: --days must be 0 to {MAX_PURGE_DAYS}", file=sys.stderr)
        return EXIT_USAGE
    with _existing_outbox(settings) as outbox:
        purged = outbox.purge_contact(datetime.now(UTC) - timedelta(days=days))
    print(f"Contact details wiped from {purged} request(s)")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run one of these commands on its own (tests, scripts)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, default=argparse.SUPPRESS)
    common.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS)
    parser = argparse.ArgumentParser(prog="kiosk", parents=[common])
    add_parsers(parser.add_subparsers(dest="command", required=True), [common])
    args = parser.parse_args(argv)
    for name in ("config", "data_dir"):
        if not hasattr(args, name):
            setattr(args, name, None)
    handler: Handler = args.handler
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
