"""The outbox: a durable local queue of citizens' requests.

Requests are written to SQLite (WAL journal, ``synchronous=FULL``) and the
write is committed before the citizen is told the request was filed, so a
power cut or a killed process never loses a ticket that was shown or printed.
Each request carries a client-made UUID, the idempotency key towards the
back-end, and a short ticket number unique on this kiosk.

Errors::

    StoreError                 any failure of the outbox
    ├── StorageFullError       the disk holding the data directory is full
    ├── StorageUnavailableError  the file cannot be opened or written
    │                            (read-only directory, permissions, I/O error)
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
"""

from __future__ import annotations

import enum
import logging
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from kiosk.payments.schema import PAYMENT_MIGRATIONS

logger = logging.getLogger(__name__)

DB_FILENAME = "outbox.sqlite3"

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
    """The outbox file cannot be opened or written."""

    def __init__(self, path: Path, cause: str) -> None:
        self.path = path
        self.cause = cause
        super().__init__(f"cannot write the outbox at {path}: {cause}")


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
        """Rebuild a request from its database row."""
        return cls(
            uuid=row["uuid"],
            ticket=row["ticket"],
            service_code=row["service_code"],
            department=row["department"],
            language=row["language"],
            text=row["text"],
            phone=row["phone"],
            email=row["email"],
            consent=bool(row["consent"]),
            created_utc=datetime.fromisoformat(row["created_utc"]),
            state=RequestState(row["state"]),
            attempts=row["attempts"],
            last_error=row["last_error"],
            server_id=row["server_id"],
            token=row.get("token"),
            rejected_reason=row.get("rejected_reason"),
            sent_utc=_parse_time(row.get("sent_utc")),
            server_status=row.get("server_status"),
            status_notes=row.get("status_notes"),
            contact_purged_utc=_parse_time(row.get("contact_purged_utc")),
        )


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
        self._conn = self._connect(path)
        self.db = sqlite_utils.Database(self._conn)
        try:
            with self._translated_errors():
                self._migrate()
        except StoreError:
            self._conn.close()
            raise

    @classmethod
    def in_data_dir(
        cls, data_dir: Path, ticket_prefix: str = "A", *, clock: Clock | None = None
    ) -> Outbox:
        """Open (creating if needed) the outbox file in ``data_dir``."""
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageUnavailableError(data_dir, exc.strerror or str(exc)) from exc
        return cls(data_dir / DB_FILENAME, ticket_prefix, clock=clock)

    @classmethod
    def existing(cls, data_dir: Path, ticket_prefix: str = "A") -> Outbox:
        """Open the outbox in ``data_dir`` only if one is there.

        For commands that inspect or repair a queue: a mistyped
        ``--data-dir`` must not leave an empty outbox (and folders) behind
        and report "no requests" as if the queue were empty.
        """
        path = data_dir / DB_FILENAME
        if not path.is_file():
            raise OutboxMissingError(path)
        return cls(path, ticket_prefix)

    def _connect(self, path: Path) -> sqlite3.Connection:
        if path.exists() and path.stat().st_size == 0:
            # SQLite would take an empty file for a new database and start the
            # tickets again at 1, giving two citizens the same number. An
            # outbox never shrinks to nothing by itself: this is damage.
            raise StorageUnavailableError(
                path,
                "the file is empty (damaged or truncated); restore it from a "
                "backup, or move it away to start a new outbox",
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
            raise self._translate(exc) from exc
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            # synchronous is per connection; FULL syncs the WAL on every
            # commit, which is what makes "filed" mean "survives power loss".
            conn.execute("PRAGMA synchronous=FULL")
            # Purged phone numbers and e-mails must not linger in free pages.
            conn.execute("PRAGMA secure_delete=ON")
        except sqlite3.Error as exc:
            conn.close()
            raise self._translate(exc) from exc
        return conn

    def close(self) -> None:
        """Close the database connection."""
        self._conn.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _translate(self, exc: sqlite3.Error) -> StoreError:
        message = str(exc)
        if isinstance(exc, sqlite3.OperationalError) and "full" in message:
            return StorageFullError(self.path)
        return StorageUnavailableError(self.path, message)

    @contextmanager
    def _translated_errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise self._translate(exc) from exc

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """One atomic block: committed on success, rolled back on any error."""
        with self._translated_errors():
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

    def _one(self, where: str, args: Sequence[Any]) -> QueuedRequest | None:
        with self._translated_errors():
            rows = list(self.db["requests"].rows_where(where, args))
        return QueuedRequest.from_row(rows[0]) if rows else None

    def list(self, state: RequestState | None = None) -> _Requests:
        """All requests (or those in ``state``), oldest first."""
        where, args = ("state = ?", [state.value]) if state else (None, [])
        return self._many(where, args)

    def _many(
        self, where: str | None, args: Sequence[Any], limit: int | None = None
    ) -> _Requests:
        with self._translated_errors():
            rows = self.db["requests"].rows_where(
                where, args, order_by="created_utc, ticket", limit=limit
            )
            return [QueuedRequest.from_row(row) for row in rows]

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
        with self._translated_errors():
            rows = self._conn.execute(
                "SELECT state, count(*) FROM requests GROUP BY state"
            ).fetchall()
        found = {RequestState(state): int(n) for state, n in rows}
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
            with self._translated_errors():
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            logger.info("Contact details purged from %d requests", purged)
        return purged


def _with_state(request: QueuedRequest, state: RequestState) -> QueuedRequest:
    return QueuedRequest(**{**request.__dict__, "state": state})


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _now() -> datetime:
    return datetime.now(UTC)
