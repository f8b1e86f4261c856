"""The outbox: a durable local queue of citizens' requests.

Requests are written to SQLite (WAL journal, ``synchronous=FULL``) and the
write is committed before the citizen is told the request was filed, so a
power cut or a killed process never loses a ticket that was shown or printed.
Each request carries a client-made UUID, the idempotency key towards the
back-end, and a short ticket number unique on this kiosk.

Errors::

    StoreError                 any failure of the outbox
    ├── StorageFullError       the disk holding the data directory is full
    ├── StorageUnavailableError  the file cannot be opened, read or written
    │                            (read-only directory, permissions, I/O error)
    ├── DamagedRequestError    one stored request cannot be read back
    └── OutboxMissingError     an inspecting command found no outbox file

Both subclasses are environment faults: the UI tells the citizen the request
could not be saved and keeps what they entered; nothing is half-written.

States and the transitions the sync makes, each one transaction::

    queued ──claim──► sending ──► sent            (server gave an id)
      ▲                  │  ├───► waiting_token   (server gave a token)
      └──── failed ──────┘  └───► rejected        (server refused; its reason)
    waiting_token ──token resolved──► sent
    rejected ──operator retry──► queued

A request left in ``sending`` by a killed process is claimed again by the
next run and re-posted under the same idempotency key, so the back-end
files it once. Contact details (phone, email) are wiped a configurable time
after the back-end confirmed the request; the ticket and status stay.

A row that cannot be read back (a bad time, an unknown state, a missing
value, a wrong type) is never changed or deleted here. Listing and claiming
skip it with one warning naming its ticket, so the healthy requests still
go out; :meth:`Outbox.entries` shows it as a :class:`DamagedRequest`.

Creating and migrating the file happen under an exclusive lock on
``outbox.sqlite3.lock``, because the screen and the sync timer may both open
a brand-new outbox at the first boot.
"""

from __future__ import annotations

import enum
import errno
import fcntl
import logging
import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from kiosk.payments.schema import PAYMENT_MIGRATIONS

logger = logging.getLogger(__name__)

DB_FILENAME = "outbox.sqlite3"
LOCK_SUFFIX = ".lock"
"""Appended to the outbox file's name for the lock taken while opening it."""
OPEN_LOCK_TIMEOUT_S = 30.0
"""Longest wait for another process that is creating or migrating the file."""
NEARLY_FULL_BYTES = 1024 * 1024
"""Free space below which an I/O error on a write is taken for a full disk."""

# SQLite result codes (sqlite3.h). The unix VFS reports ENOSPC on a write to
# the database or the WAL as SQLITE_FULL, but a failed growth of the shared
# memory file, or of the file by ftruncate, only as one of these I/O errors.
_SQLITE_FULL = 13
_SQLITE_IOERR_WRITE = 10 | (3 << 8)
_SQLITE_IOERR_FSYNC = 10 | (4 << 8)
_SQLITE_IOERR_TRUNCATE = 10 | (6 << 8)
_SQLITE_IOERR_SHMSIZE = 10 | (19 << 8)
_IOERR_MAYBE_FULL = {
    _SQLITE_IOERR_WRITE,
    _SQLITE_IOERR_FSYNC,
    _SQLITE_IOERR_TRUNCATE,
    _SQLITE_IOERR_SHMSIZE,
}

Clock = Callable[[], datetime]
"""Returns the current time as an aware UTC datetime."""


class StoreError(Exception):
    """The outbox could not do what was asked."""


class StorageFullError(StoreError):
    """The disk that holds the outbox is full."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"the disk holding {path} is full")


class StorageUnavailableError(StoreError):
    """The outbox file cannot be opened, read or written."""

    def __init__(self, path: Path, cause: str, action: str = "write") -> None:
        self.path = path
        self.cause = cause
        self.action = action
        """What failed: "open", "read" or "write"."""
        super().__init__(f"cannot {action} the outbox at {path}: {cause}")


class DamagedRequestError(StoreError):
    """One request's row cannot be read back; it is left as it is."""

    def __init__(self, path: Path, damaged: DamagedRequest) -> None:
        self.path = path
        self.damaged = damaged
        super().__init__(
            f"request {damaged.label} in the outbox at {path} cannot be read: "
            f"{damaged.problem}. It is kept unchanged and the sync skips it; "
            "a technician can repair the row or restore the outbox from a backup"
        )


class OutboxMissingError(StoreError):
    """There is no outbox file where one was expected."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"there is no outbox at {path}; check --data-dir or [storage] data_dir"
        )


class RequestState(enum.StrEnum):
    """Where a request is on its way to the back-end."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    REJECTED = "rejected"
    WAITING_TOKEN = "waiting_token"


UNDELIVERED = (RequestState.QUEUED, RequestState.SENDING)
"""States of requests the back-end has not acknowledged yet."""


@dataclass(frozen=True)
class NewRequest:
    """What the kiosk knows about a request before it is queued."""

    service_code: str
    department: str
    language: str
    text: str
    """The citizen's words exactly as typed or transcribed."""
    phone: str | None = None
    email: str | None = None
    consent: bool = False
    """The citizen agreed that the city hall keeps the contact details."""


@dataclass(frozen=True)
class QueuedRequest:
    """A request as stored in the outbox."""

    uuid: str
    ticket: str
    service_code: str
    department: str
    language: str
    text: str
    phone: str | None
    email: str | None
    consent: bool
    created_utc: datetime
    state: RequestState
    attempts: int
    """POSTs made for this request so far, failed or not."""
    last_error: str | None
    """Why the last attempt failed (transient faults only)."""
    server_id: str | None
    token: str | None = None
    """Deferred-creation token the back-end answered instead of an id."""
    rejected_reason: str | None = None
    """The back-end's own words when it refused the request."""
    sent_utc: datetime | None = None
    """When the back-end confirmed the request with its id."""
    server_status: str | None = None
    """Open311 status last pulled from the back-end: open or closed."""
    status_notes: str | None = None
    contact_purged_utc: datetime | None = None
    """When phone and email were wiped after the retention period."""

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> QueuedRequest:
        """Rebuild a request from its database row.

        Raises:
            RowDamageError: a value is missing, of the wrong type or
                unparseable; the message names the column, never the value.
        """
        state = _text(row, "state")
        if state not in _STATES:
            raise RowDamageError("state is not one the kiosk knows")
        token = _optional_text(row, "token")
        if state == RequestState.WAITING_TOKEN and token is None:
            raise RowDamageError("it waits on a token, but the token is missing")
        return cls(
            uuid=_text(row, "uuid"),
            ticket=_text(row, "ticket"),
            service_code=_text(row, "service_code"),
            department=_text(row, "department"),
            language=_text(row, "language"),
            text=_text(row, "text"),
            phone=_optional_text(row, "phone"),
            email=_optional_text(row, "email"),
            consent=_flag(row, "consent"),
            created_utc=_time(row, "created_utc"),
            state=RequestState(state),
            attempts=_count(row, "attempts"),
            last_error=_optional_text(row, "last_error"),
            server_id=_optional_text(row, "server_id"),
            token=token,
            rejected_reason=_optional_text(row, "rejected_reason"),
            sent_utc=_optional_time(row, "sent_utc"),
            server_status=_optional_text(row, "server_status"),
            status_notes=_optional_text(row, "status_notes"),
            contact_purged_utc=_optional_time(row, "contact_purged_utc"),
        )


_STATES = frozenset(state.value for state in RequestState)


class RowDamageError(ValueError):
    """A stored row does not hold a readable request."""


def _text(row: dict[str, Any], column: str) -> str:
    value = row.get(column)
    if value is None:
        raise RowDamageError(f"{column} is missing")
    if not isinstance(value, str):
        raise RowDamageError(f"{column} is not text")
    return value


def _optional_text(row: dict[str, Any], column: str) -> str | None:
    return None if row.get(column) is None else _text(row, column)


def _flag(row: dict[str, Any], column: str) -> bool:
    value = row.get(column)
    if value not in (0, 1) or isinstance(value, float):
        raise RowDamageError(f"{column} is not 0 or 1")
    return bool(value)


def _count(row: dict[str, Any], column: str) -> int:
    value = row.get(column)
    if not isinstance(value, int) or value < 0:
        raise RowDamageError(f"{column} is not a count")
    return value


def _time(row: dict[str, Any], column: str) -> datetime:
    text = _text(row, column)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise RowDamageError(f"{column} is not a valid time") from None
    if moment.tzinfo is None:
        # Aware and naive times cannot be compared: it would fail later.
        raise RowDamageError(f"{column} has no time zone")
    return moment


def _optional_time(row: dict[str, Any], column: str) -> datetime | None:
    return None if row.get(column) is None else _time(row, column)


@dataclass(frozen=True)
class DamagedRequest:
    """A stored row that cannot be read back as a request."""

    rowid: int
    """SQLite's own row number: the one name every row has."""
    uuid: str | None
    """The request's UUID, when it is readable."""
    ticket: str | None
    """The ticket number, when it is readable."""
    state: str | None
    """The stored state as text, when it is text (it may be unknown)."""
    problem: str
    """What is wrong, naming the column; never the stored value."""

    @property
    def label(self) -> str:
        """Ticket, else UUID, else row number: how people can find it."""
        if self.ticket:
            return self.ticket
        if self.uuid:
            return f"with UUID {self.uuid}"
        return f"in row {self.rowid}"

    @classmethod
    def from_row(cls, row: dict[str, Any], problem: str) -> DamagedRequest:
        """What can be named safely of a row that failed to read."""
        return cls(
            rowid=int(row["rowid"]),
            uuid=_identifier(row.get("uuid"), 64),
            ticket=_identifier(row.get("ticket"), 32),
            state=_identifier(row.get("state"), 32),
            problem=problem,
        )


def _identifier(value: object, longest: int) -> str | None:
    # A damaged row may hold anything, even a citizen's words in the wrong
    # column: only short, plain identifiers are ever repeated.
    if not isinstance(value, str) or not 0 < len(value) <= longest:
        return None
    if not all(ch.isalnum() or ch in "-_." for ch in value) or not value.isascii():
        return None
    return value


Entry = QueuedRequest | DamagedRequest
"""One row of the outbox: a request, or a row that cannot be read."""
_Entries = list[Entry]
_Damaged = list[DamagedRequest]


class OutcomeKind(enum.Enum):
    """What one delivery attempt ended in."""

    SENT = "sent"
    TOKEN = "token"
    REJECTED = "rejected"
    FAILED = "failed"
    RELEASED = "released"
    """Claimed but not tried (the run ended first): back to the queue."""


@dataclass(frozen=True)
class Outcome:
    """The result of posting one request, to be recorded in the outbox."""

    uuid: str
    kind: OutcomeKind
    attempts: int = 1
    """POSTs made for the request since it was claimed."""
    detail: str | None = None
    """Server id (sent), token (token), reason (rejected) or error (failed)."""


@dataclass(frozen=True)
class StatusUpdate:
    """A status the back-end reported for one of our requests."""

    server_id: str
    status: str
    notes: str | None
    updated_utc: datetime | None


_Requests = list[QueuedRequest]
"""Named so the annotations inside Outbox are not shadowed by Outbox.list."""

Migration = Callable[[sqlite_utils.Database], None]


def _create_requests(db: sqlite_utils.Database) -> None:
    db["requests"].create(  # type: ignore[union-attr]
        {
            "uuid": str,
            "ticket": str,
            "service_code": str,
            "department": str,
            "language": str,
            "text": str,
            "phone": str,
            "email": str,
            "consent": int,
            "created_utc": str,
            "state": str,
            "attempts": int,
            "last_error": str,
            "server_id": str,
        },
        pk="uuid",
        not_null={
            "ticket",
            "service_code",
            "department",
            "language",
            "text",
            "consent",
            "created_utc",
            "state",
            "attempts",
        },
        defaults={"attempts": 0, "consent": 0, "state": RequestState.QUEUED.value},
    )
    db["requests"].create_index(["ticket"], unique=True)  # type: ignore[union-attr]
    db["requests"].create_index(["state"])  # type: ignore[union-attr]
    counters = db["counters"]
    counters.create({"name": str, "value": int}, pk="name")  # type: ignore[union-attr]


def _add_sync_columns(db: sqlite_utils.Database) -> None:
    table = db["requests"]
    for column in (
        "token",
        "rejected_reason",
        "sent_utc",
        "last_attempt_utc",
        "server_status",
        "status_notes",
        "status_updated_utc",
        "contact_purged_utc",
    ):
        table.add_column(column, str)  # type: ignore[union-attr]
    table.create_index(["server_id"])  # type: ignore[union-attr]


def _create_sync_runs(db: sqlite_utils.Database) -> None:
    # One row per sync run, so technicians (``kiosk diag``) can see when the
    # back-end was last reached and how that went.
    db["sync_runs"].create(  # type: ignore[union-attr]
        {"started_utc": str, "finished_utc": str, "result": str, "summary": str},
        not_null={"started_utc", "finished_utc", "result"},
    )


MIGRATIONS: list[tuple[str, Migration]] = [
    ("0001_create_requests", _create_requests),
    ("0002_sync_state", _add_sync_columns),
]
"""Schema changes in order; each runs once, in its own transaction."""

MIGRATIONS.extend(PAYMENT_MIGRATIONS)
MIGRATIONS.append(("0101_sync_runs", _create_sync_runs))

_INSERT_REQUEST = (
    "INSERT INTO requests (uuid, ticket, service_code, department, language, text,"
    " phone, email, consent, created_utc, state, attempts)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)"
)

# Each outcome only moves a request out of the states the sync owns, so a
# late answer can never undo an operator's decision or a newer outcome.
_OUTCOME_SQL = {
    OutcomeKind.SENT: (
        "UPDATE requests SET state = 'sent', server_id = :detail, sent_utc = :now,"
        " last_error = NULL, attempts = attempts + :attempts"
        " WHERE uuid = :uuid AND state IN ('queued', 'sending', 'waiting_token')"
    ),
    OutcomeKind.TOKEN: (
        "UPDATE requests SET state = 'waiting_token', token = :detail,"
        " last_error = NULL, attempts = attempts + :attempts"
        " WHERE uuid = :uuid AND state IN ('queued', 'sending')"
    ),
    OutcomeKind.REJECTED: (
        "UPDATE requests SET state = 'rejected', rejected_reason = :detail,"
        " attempts = attempts + :attempts"
        " WHERE uuid = :uuid AND state IN ('queued', 'sending')"
    ),
    OutcomeKind.FAILED: (
        "UPDATE requests SET state = 'queued', last_error = :detail,"
        " attempts = attempts + :attempts"
        " WHERE uuid = :uuid AND state IN ('queued', 'sending')"
    ),
    OutcomeKind.RELEASED: (
        "UPDATE requests SET state = 'queued' WHERE uuid = :uuid AND state = 'sending'"
    ),
}


class Outbox:
    """The SQLite-backed queue of requests waiting for the back-end."""

    def __init__(
        self, path: Path, ticket_prefix: str = "A", *, clock: Clock | None = None
    ) -> None:
        self.path = path
        self.ticket_prefix = ticket_prefix
        self._clock = clock or _now
        self._damage_logged: set[int] = set()
        with _setup_lock(path):
            self._conn = self._connect(path)
            self.db = sqlite_utils.Database(self._conn)
            try:
                with self._translated_errors("open"):
                    self._migrate()
            except StoreError:
                self._conn.close()
                raise

    @classmethod
    def in_data_dir(
        cls, data_dir: Path, ticket_prefix: str = "A", *, clock: Clock | None = None
    ) -> Outbox:
        """Open (creating if needed) the outbox file in ``data_dir``."""
        _refuse_file_as_folder(data_dir)
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError) as exc:
            # A file in the way: the folder itself, or one of its parents.
            raise _not_a_folder(data_dir) from exc
        except OSError as exc:
            raise StorageUnavailableError(
                data_dir, exc.strerror or str(exc), "open"
            ) from exc
        return cls(data_dir / DB_FILENAME, ticket_prefix, clock=clock)

    @classmethod
    def existing(cls, data_dir: Path, ticket_prefix: str = "A") -> Outbox:
        """Open the outbox in ``data_dir`` only if one is there.

        For commands that inspect or repair a queue: a mistyped
        ``--data-dir`` must not leave an empty outbox (and folders) behind
        and report "no requests" as if the queue were empty.
        """
        _refuse_file_as_folder(data_dir)
        path = data_dir / DB_FILENAME
        if not path.is_file():
            raise OutboxMissingError(path)
        return cls(path, ticket_prefix)

    def _connect(self, path: Path) -> sqlite3.Connection:
        # Called under the setup lock: a process creating the file holds it
        # until the first migration is committed, so an empty file here was
        # not just created by someone else.
        if path.exists() and path.stat().st_size == 0:
            # SQLite would take an empty file for a new database and start the
            # tickets again at 1, giving two citizens the same number. An
            # outbox never shrinks to nothing by itself: this is damage.
            raise StorageUnavailableError(
                path,
                "the file is empty (damaged or truncated); restore it from a "
                "backup, or move it away to start a new outbox",
                "open",
            )
        try:
            # isolation_level=None: transactions are opened explicitly below,
            # so that every queue transition is exactly one atomic block.
            # check_same_thread=False: the app opens the outbox on the main
            # thread and hands it to the one worker thread that writes to it.
            conn = sqlite3.connect(
                path, isolation_level=None, timeout=10.0, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise self._translate(exc, "open") from exc
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            # synchronous is per connection; FULL syncs the WAL on every
            # commit, which is what makes "filed" mean "survives power loss".
            conn.execute("PRAGMA synchronous=FULL")
            # Purged phone numbers and e-mails must not linger in free pages.
            conn.execute("PRAGMA secure_delete=ON")
        except sqlite3.Error as exc:
            conn.close()
            raise self._translate(exc, "open") from exc
        return conn

    def close(self) -> None:
        """Close the database connection."""
        self._conn.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _translate(self, exc: sqlite3.Error, action: str) -> StoreError:
        if _disk_full(exc, self.path):
            return StorageFullError(self.path)
        return StorageUnavailableError(self.path, str(exc), action)

    @contextmanager
    def _translated_errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise self._translate(exc, action) from exc

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """One atomic block: committed on success, rolled back on any error."""
        with self._translated_errors("write"):
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
                self._conn.execute("COMMIT")
            except BaseException:
                # A failed COMMIT (disk full) leaves the transaction open;
                # roll it back so the connection stays usable.
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    def _migrate(self) -> None:
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(name TEXT PRIMARY KEY, applied_utc TEXT NOT NULL)"
        )
        done = {
            row[0] for row in self._conn.execute("SELECT name FROM schema_migrations")
        }
        unknown = done - {name for name, _ in MIGRATIONS}
        if unknown:
            # A newer kiosk wrote this file; an older one could misread or
            # damage what it does not know. Upgrading the kiosk fixes it.
            names = ", ".join(sorted(unknown))
            raise StorageUnavailableError(
                self.path,
                f"written by a newer version of the kiosk ({names}); "
                "install that version again",
            )
        for name, migration in MIGRATIONS:
            if name in done:
                continue
            with self.transaction() as db:
                # Read again inside the write lock: where the setup lock could
                # not be taken, another process may have applied it since.
                if self._conn.execute(
                    "SELECT 1 FROM schema_migrations WHERE name = ?", (name,)
                ).fetchone():
                    continue
                migration(db)
                db["schema_migrations"].insert(  # type: ignore[union-attr]
                    {"name": name, "applied_utc": self._clock().isoformat()}
                )
            logger.info("Outbox %s migrated: %s", self.path, name)

    @property
    def schema_version(self) -> int:
        """How many migrations have been applied to this file."""
        row = self._conn.execute("SELECT count(*) FROM schema_migrations").fetchone()
        return int(row[0])

    def enqueue(self, request: NewRequest) -> QueuedRequest:
        """Store a request durably and give it a UUID and a ticket number.

        When this returns, the request is on disk. When it raises, nothing of
        it was stored and no ticket number was used up.
        """
        request_uuid = str(uuid.uuid4())
        created = self._clock().isoformat()
        # Plain SQL rather than table.insert(): this is the one write a
        # citizen waits for, and sqlite-utils would introspect the table first.
        with self.transaction():
            number = self._next_ticket_number()
            ticket = f"{self.ticket_prefix}-{number:05d}"
            self._conn.execute(
                _INSERT_REQUEST,
                (
                    request_uuid,
                    ticket,
                    request.service_code,
                    request.department,
                    request.language,
                    request.text,
                    request.phone,
                    request.email,
                    int(request.consent),
                    created,
                    RequestState.QUEUED.value,
                ),
            )
        logger.info(
            "Request queued: ticket=%s service=%s", ticket, request.service_code
        )
        return QueuedRequest(
            uuid=request_uuid,
            ticket=ticket,
            service_code=request.service_code,
            department=request.department,
            language=request.language,
            text=request.text,
            phone=request.phone,
            email=request.email,
            consent=request.consent,
            created_utc=datetime.fromisoformat(created),
            state=RequestState.QUEUED,
            attempts=0,
            last_error=None,
            server_id=None,
        )

    def _next_ticket_number(self) -> int:
        row = self._conn.execute(
            "INSERT INTO counters(name, value) VALUES('ticket', 1) "
            "ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value"
        ).fetchone()
        return int(row[0])

    def get(self, request_uuid: str) -> QueuedRequest | None:
        """The request with this UUID, or None."""
        return self._one("uuid = ?", [request_uuid])

    def by_ticket(self, ticket: str) -> QueuedRequest | None:
        """The request with this ticket number, or None."""
        return self._one("ticket = ?", [ticket])

    def by_server_id(self, server_id: str) -> QueuedRequest | None:
        """The request the back-end knows by this id, or None."""
        return self._one("server_id = ?", [server_id])

    def _one(self, where: str, args: Sequence[str]) -> QueuedRequest | None:
        """The one request matching, None, or DamagedRequestError."""
        if not all(_encodable(arg) for arg in args):
            # Not valid UTF-8 (bytes from a terminal, say): nothing stored
            # can match, and SQLite would refuse the text.
            return None
        entries = self._rows(where, args)
        entry = next(entries, None)
        entries.close()
        if isinstance(entry, DamagedRequest):
            raise DamagedRequestError(self.path, entry)
        return entry

    def list(self, state: RequestState | None = None) -> _Requests:
        """All readable requests (or those in ``state``), oldest first.

        Rows that cannot be read are skipped with a warning; see
        :meth:`entries`.
        """
        where, args = ("state = ?", [state.value]) if state else (None, [])
        return self._many(where, args)

    def entries(self, state: RequestState | None = None) -> _Entries:
        """Every row (or those in ``state``) oldest first, damaged or not."""
        where, args = ("state = ?", [state.value]) if state else (None, [])
        return list(self._rows(where, args))

    def damaged(self) -> _Damaged:
        """The rows that cannot be read back as requests."""
        return [e for e in self._rows(None, []) if isinstance(e, DamagedRequest)]

    def _many(
        self, where: str | None, args: Sequence[Any], limit: int | None = None
    ) -> _Requests:
        # The limit counts readable requests, so that damaged rows at the
        # head of the queue cannot starve the healthy ones behind them.
        found: _Requests = []
        entries = self._rows(where, args)
        for entry in entries:
            if isinstance(entry, DamagedRequest):
                self._report_damage(entry)
                continue
            found.append(entry)
            if limit is not None and len(found) >= limit:
                break
        entries.close()
        return found

    def _rows(
        self, where: str | None, args: Sequence[Any]
    ) -> Generator[Entry, None, None]:
        sql = "SELECT rowid, * FROM requests"
        if where:
            sql += f" WHERE {where}"
        sql += " ORDER BY created_utc, ticket"
        with self._translated_errors("read"):
            cursor = self._conn.execute(sql, list(args))
            names = [column[0] for column in cursor.description]
            for values in cursor:
                row = dict(zip(names, values, strict=True))
                try:
                    yield QueuedRequest.from_row(row)
                except RowDamageError as exc:
                    yield DamagedRequest.from_row(row, str(exc))

    def _report_damage(self, entry: DamagedRequest) -> None:
        # Once per row and connection: a sync claims many batches a run.
        if entry.rowid in self._damage_logged:
            return
        self._damage_logged.add(entry.rowid)
        logger.warning(
            "Outbox request %s skipped, it cannot be read: %s; it is kept "
            "unchanged (kiosk queue list shows it)",
            entry.label,
            entry.problem,
        )

    def record_sync_run(
        self, started: datetime, finished: datetime, result: str, summary: str
    ) -> None:
        """Remember one sync run; ``result`` is "ok" or what went wrong."""
        with self.transaction():
            self._conn.execute(
                "INSERT INTO sync_runs (started_utc, finished_utc, result, summary)"
                " VALUES (?, ?, ?, ?)",
                (started.isoformat(), finished.isoformat(), result, summary),
            )
            # Only the recent past matters to a technician.
            self._conn.execute(
                "DELETE FROM sync_runs WHERE rowid <= "
                "(SELECT max(rowid) FROM sync_runs) - 1000"
            )

    def counts(self) -> dict[RequestState, int]:
        """How many requests are in each state (every state is present)."""
        with self._translated_errors("read"):
            rows = self._conn.execute(
                "SELECT state, count(*) FROM requests GROUP BY state"
            ).fetchall()
        # Rows in an unknown state are damaged: entries() names them.
        found = {state: int(n) for state, n in rows if state in _STATES}
        return {state: found.get(state, 0) for state in RequestState}

    def claim(self, limit: int) -> _Requests:
        """Mark up to ``limit`` undelivered requests as sending, oldest first.

        Requests already in ``sending`` are included: they were left there by
        a run that died before recording an answer.
        """
        with self.transaction():
            requests = self._many("state IN ('queued', 'sending')", [], limit)
            self._conn.executemany(
                "UPDATE requests SET state = 'sending', last_attempt_utc = ?"
                " WHERE uuid = ?",
                [(self._clock().isoformat(), r.uuid) for r in requests],
            )
        return [_with_state(r, RequestState.SENDING) for r in requests]

    def record(self, outcomes: Iterable[Outcome]) -> int:
        """Record delivery outcomes in one transaction; returns rows changed."""
        now = self._clock().isoformat()
        changed = 0
        with self.transaction():
            for outcome in outcomes:
                cursor = self._conn.execute(
                    _OUTCOME_SQL[outcome.kind],
                    {
                        "uuid": outcome.uuid,
                        "detail": outcome.detail,
                        "attempts": outcome.attempts,
                        "now": now,
                    },
                )
                changed += cursor.rowcount
        return changed

    def waiting_for_token(self) -> _Requests:
        """Requests the back-end answered with a token not yet resolved."""
        return self._many("state = 'waiting_token'", [])

    def open_on_server(self) -> _Requests:
        """Sent requests whose last known status is not closed."""
        return self._many(
            "state = 'sent' AND coalesce(server_status, '') != 'closed'", []
        )

    def record_statuses(self, updates: Iterable[StatusUpdate]) -> int:
        """Store statuses pulled from the back-end; returns rows changed."""
        changed = 0
        with self.transaction():
            for update in updates:
                updated = update.updated_utc.isoformat() if update.updated_utc else None
                cursor = self._conn.execute(
                    "UPDATE requests SET server_status = ?, status_notes = ?,"
                    " status_updated_utc = ? WHERE server_id = ? AND state = 'sent'",
                    (update.status, update.notes, updated, update.server_id),
                )
                changed += cursor.rowcount
        return changed

    def retry(self, request_uuid: str) -> bool:
        """Put a rejected request back in the queue (an operator's decision)."""
        with self.transaction():
            cursor = self._conn.execute(
                "UPDATE requests SET state = 'queued', rejected_reason = NULL"
                " WHERE uuid = ? AND state = 'rejected'",
                (request_uuid,),
            )
        return cursor.rowcount == 1

    def purge_contact(self, confirmed_before: datetime) -> int:
        """Wipe phone and e-mail of requests confirmed before a time.

        Returns how many requests were purged. The ticket, the text and the
        status stay, so the citizen can still ask about the ticket.
        """
        with self.transaction():
            cursor = self._conn.execute(
                "UPDATE requests SET phone = NULL, email = NULL,"
                " contact_purged_utc = ?"
                " WHERE state = 'sent' AND sent_utc < ?"
                " AND (phone IS NOT NULL OR email IS NOT NULL)",
                (self._clock().isoformat(), confirmed_before.isoformat()),
            )
        purged = cursor.rowcount
        if purged:
            # Old page images in the WAL still hold the wiped values until
            # a checkpoint copies the new pages back and truncates the log.
            with self._translated_errors("write"):
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            logger.info("Contact details purged from %d requests", purged)
        return purged


def _with_state(request: QueuedRequest, state: RequestState) -> QueuedRequest:
    return QueuedRequest(**{**request.__dict__, "state": state})


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _disk_full(exc: sqlite3.Error, path: Path) -> bool:
    """True when SQLite's error means the disk under ``path`` is full."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and code & 0xFF == _SQLITE_FULL:
        return True
    if code in _IOERR_MAYBE_FULL:
        # SQLite does not pass the system's ENOSPC on for these; the free
        # space left tells a full disk from a failing one.
        return _free_bytes(path) < NEARLY_FULL_BYTES
    return False


def _free_bytes(path: Path) -> int:
    for folder in (path.parent, *path.parent.parents):
        try:
            stats = os.statvfs(folder)
        except OSError:
            continue
        return stats.f_bavail * stats.f_frsize
    return NEARLY_FULL_BYTES


def _not_a_folder(data_dir: Path) -> StorageUnavailableError:
    blocker = next(
        (p for p in (data_dir, *data_dir.parents) if p.exists() and not p.is_dir()),
        data_dir,
    )
    return StorageUnavailableError(
        data_dir / DB_FILENAME, f"{blocker} is a file, not a folder", "open"
    )


def _refuse_file_as_folder(data_dir: Path) -> None:
    if data_dir.exists() and not data_dir.is_dir():
        raise _not_a_folder(data_dir)


@contextmanager
def _setup_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock next to ``path`` while it is opened and migrated.

    Without it, two processes opening a new outbox at once could both
    create the tables, or one could find the file the other is creating
    still empty and take it for a damaged one.
    """
    lock_path = path.with_name(path.name + LOCK_SUFFIX)
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise StorageUnavailableError(
                path, exc.strerror or str(exc), "open"
            ) from exc
        # A folder nobody may write in: no process can create the outbox
        # there either. Opening goes on and reports its own error, if any.
        yield
        return
    try:
        _wait_for_lock(fd, path)
        yield
    finally:
        os.close(fd)  # releases the lock


def _wait_for_lock(fd: int, path: Path) -> None:
    deadline = time.monotonic() + OPEN_LOCK_TIMEOUT_S
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        if time.monotonic() >= deadline:
            raise StorageUnavailableError(
                path,
                f"another process has been setting it up for over "
                f"{OPEN_LOCK_TIMEOUT_S:.0f} s; is a kiosk command stuck?",
                "open",
            )
        # Migrations take milliseconds; a short poll keeps the wait bounded.
        time.sleep(0.01)


def _now() -> datetime:
    return datetime.now(UTC)
