"""Checks of the box itself: disk, outbox, sync, back-end, clock."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx

from kiosk.config import DiagSettings
from kiosk.diag.model import Finding, failed, ok, warning
from kiosk.store import DB_FILENAME

_WAITING_STATES = ("queued", "sending", "waiting_token")


def check_storage(data_dir: Path, limits: DiagSettings) -> Finding:
    """The data directory is writable and its disk has room."""
    existing = data_dir
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    free_mb = shutil.disk_usage(existing).free / 2**20
    if data_dir.exists() and not os.access(data_dir, os.W_OK | os.X_OK):
        return failed(
            f"{data_dir} is not writable: requests cannot be saved",
            "fix the directory's owner and permissions, or the read-only mount",
        )
    summary = f"{data_dir}: {free_mb:,.0f} MiB free"
    if free_mb < limits.min_free_mb / 5:
        return failed(summary, "free disk space now: old logs, core dumps")
    if free_mb < limits.min_free_mb:
        return warning(summary, "free disk space soon: old logs, core dumps")
    if not data_dir.exists():
        return ok(f"{summary} (directory made at first start)")
    return ok(summary)


def open_outbox_read_only(data_dir: Path) -> sqlite3.Connection | None:
    """The outbox opened read-only, or None if there is none.

    Diagnostics must never create, migrate or lock the outbox. The path is
    made absolute first: a file URI cannot name a relative path, and
    ``--data-dir`` is often given as one.
    """
    path = data_dir.absolute() / DB_FILENAME
    if not path.exists():
        return None
    return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=1.0)


def check_outbox(data_dir: Path, limits: DiagSettings, now: datetime) -> Finding:
    """How many requests wait for the back-end, and since when."""
    try:
        conn = open_outbox_read_only(data_dir)
        if conn is None:
            return ok("empty (no request filed yet)")
        with conn:
            marks = ",".join("?" * len(_WAITING_STATES))
            count, oldest = conn.execute(
                "SELECT count(*), min(created_utc) FROM requests"
                f" WHERE state IN ({marks})",
                _WAITING_STATES,
            ).fetchone()
        conn.close()
    except sqlite3.Error as exc:
        return failed(
            f"cannot read the outbox: {exc}", "check the disk; see the kiosk's log"
        )
    if not count:
        return ok("nothing waiting for the back-end")
    try:
        age = now - datetime.fromisoformat(oldest)
    except (TypeError, ValueError):
        # A damaged row: the outbox keeps it and the sync skips it.
        return warning(
            f"{count} waiting; the oldest has an unreadable time",
            "see `kiosk queue list`, which names the damaged request",
        )
    summary = f"{count} waiting, oldest since {oldest[:16]}Z ({_hours(age)})"
    if age > timedelta(hours=limits.oldest_warning_h) or count > limits.backlog_warning:
        return warning(summary, "check the network and `kiosk sync`'s log")
    return ok(summary)


def check_last_sync(data_dir: Path, now: datetime) -> Finding:
    """When the last sync ran and how it ended, if the outbox records it."""
    try:
        conn = open_outbox_read_only(data_dir)
        if conn is None:
            return warning("never synced", "run `kiosk sync` once and read its output")
        with conn:
            row = _last_sync_row(conn)
        conn.close()
    except sqlite3.Error as exc:
        return failed(f"cannot read the sync record: {exc}", "check the disk")
    if row is None:
        return warning("never synced", "run `kiosk sync` once and read its output")
    when, result = row
    summary = f"last sync {str(when)[:16]}Z"
    if result != "ok":
        return warning(f"{summary} failed: {result}", "see `kiosk sync`'s log")
    try:
        age = now - datetime.fromisoformat(when)
    except (TypeError, ValueError):
        return warning(f"{summary}: its time cannot be read", "run `kiosk sync`")
    if age > timedelta(hours=26):
        return warning(f"{summary}, {_hours(age)} ago", "is the nightly timer on?")
    return ok(f"{summary} ({result or 'no result recorded'})")


def _last_sync_row(conn: sqlite3.Connection) -> tuple[str, object] | None:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    if "sync_runs" not in tables:
        return None  # an outbox from before sync runs were recorded
    row = conn.execute(
        "SELECT finished_utc, result FROM sync_runs ORDER BY rowid DESC LIMIT 1"
    ).fetchone()
    return (str(row[0]), row[1]) if row else None


def check_backend(endpoint: str, timeout_s: float) -> Finding:
    """The back-end answers HTTP at all (any status)."""
    if not endpoint:
        return ok("no sync endpoint configured: nothing to reach")
    started = time.perf_counter()
    try:
        response = httpx.get(endpoint, timeout=timeout_s)
    except httpx.HTTPError as exc:
        if httpx.URL(endpoint).host in ("127.0.0.1", "localhost", "::1"):
            remedy = "start the reference back-end: kiosk backend --port N"
        else:
            remedy = "check the network cable and VPN; requests wait in the outbox"
        return failed(f"cannot reach {endpoint}: {type(exc).__name__}", remedy)
    elapsed_ms = (time.perf_counter() - started) * 1000
    summary = f"{endpoint} answers HTTP {response.status_code} in {elapsed_ms:.0f} ms"
    if response.status_code >= 500:
        return warning(summary, "the back-end has a fault; tell the city hall's IT")
    return ok(summary)


def check_clock(now: datetime, timezone: str) -> Finding:
    """The year is plausible and the time zone exists."""
    if not 2025 <= now.year <= 2100:
        return failed(
            f"the clock says {now:%Y-%m-%d %H:%M} UTC",
            "set the time: check NTP with `timedatectl`",
        )
    try:
        local = now.astimezone(ZoneInfo(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        return failed(
            f"unknown time zone {timezone!r}", "fix [kiosk] timezone; install tzdata"
        )
    return ok(f"{local:%Y-%m-%d %H:%M} {timezone}")


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def _hours(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    return f"{hours:.0f} h" if hours >= 1 else f"{age.total_seconds() / 60:.0f} min"
