"""The outbox: a durable local queue of citizens' requests.

Requests are written to SQLite (WAL journal, ``synchronous=FULL``) and the
write is committed before the citizen is told the request was filed, so a
power cut or a killed process never loses a ticket that was shown or printed.
Each request carries a client-made UUID, the idempotency key towards the
back-end, and a short ticket number unique on this kiosk.

Errors::

    StoreError                 any failure of the outbox
    ├── StorageFullError       the disk holding the data directory is full
    └── StorageUnavailableError  the file cannot be opened or written
                                 (read-only directory, permissions, I/O error)

Both subclasses are environment faults: the UI tells the citizen the request
could not be saved and keeps what they entered; nothing is half-written.
"""

from __future__ import annotations

import enum
import logging
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from kiosk.payments.schema import PAYMENT_MIGRATIONS

logger = logging.getLogger(__name__)

DB_FILENAME = "outbox.sqlite3"


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


class RequestState(enum.StrEnum):
    """Where a request is on its way to the back-end."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    REJECTED = "rejected"
    WAITING_TOKEN = "waiting_token"


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
    last_error: str | None
    server_id: str | None

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
        )


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
    db["counters"].create({"name": str, "value": int}, pk="name")  # type: ignore[union-attr]


MIGRATIONS: list[tuple[str, Migration]] = [
    ("0001_create_requests", _create_requests),
]
"""Schema changes in order; each runs once, in its own transaction."""

MIGRATIONS.extend(PAYMENT_MIGRATIONS)


class Outbox:
    """The SQLite-backed queue of requests waiting for the back-end."""

    def __init__(self, path: Path, ticket_prefix: str = "A") -> None:
        self.path = path
        self.ticket_prefix = ticket_prefix
        self._conn = self._connect(path)
        self.db = sqlite_utils.Database(self._conn)
        try:
            with self._translated_errors():
                self._migrate()
        except StoreError:
            self._conn.close()
            raise

    @classmethod
    def in_data_dir(cls, data_dir: Path, ticket_prefix: str = "A") -> Outbox:
        """Open (creating if needed) the outbox file in ``data_dir``."""
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageUnavailableError(data_dir, exc.strerror or str(exc)) from exc
        return cls(data_dir / DB_FILENAME, ticket_prefix)

    def _connect(self, path: Path) -> sqlite3.Connection:
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
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _migrate(self) -> None:
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(name TEXT PRIMARY KEY, applied_utc TEXT NOT NULL)"
        )
        done = {
            row[0] for row in self._conn.execute("SELECT name FROM schema_migrations")
        }
        for name, migration in MIGRATIONS:
            if name in done:
                continue
            with self.transaction() as db:
                migration(db)
                db["schema_migrations"].insert(  # type: ignore[union-attr]
                    {"name": name, "applied_utc": _now().isoformat()}
                )
            logger.info("Outbox %s migrated: %s", self.path, name)

    @property
    def schema_version(self) -> int:
        """How many migrations have been applied to this file."""
        return int(
            self._conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0]
        )

    def enqueue(self, request: NewRequest) -> QueuedRequest:
        """Store a request durably and give it a UUID and a ticket number.

        When this returns, the request is on disk. When it raises, nothing of
        it was stored and no ticket number was used up.
        """
        with self.transaction() as db:
            number = self._next_ticket_number()
            row = {
                "uuid": str(uuid.uuid4()),
                "ticket": f"{self.ticket_prefix}-{number:05d}",
                "service_code": request.service_code,
                "department": request.department,
                "language": request.language,
                "text": request.text,
                "phone": request.phone,
                "email": request.email,
                "consent": int(request.consent),
                "created_utc": _now().isoformat(),
                "state": RequestState.QUEUED.value,
                "attempts": 0,
                "last_error": None,
                "server_id": None,
            }
            db["requests"].insert(row)  # type: ignore[union-attr]
        logger.info(
            "Request queued: ticket=%s service=%s", row["ticket"], row["service_code"]
        )
        return QueuedRequest.from_row(row)

    def _next_ticket_number(self) -> int:
        self._conn.execute(
            "INSERT INTO counters(name, value) VALUES('ticket', 1) "
            "ON CONFLICT(name) DO UPDATE SET value = value + 1"
        )
        row = self._conn.execute(
            "SELECT value FROM counters WHERE name='ticket'"
        ).fetchone()
        return int(row[0])

    def get(self, request_uuid: str) -> QueuedRequest | None:
        """The request with this UUID, or None."""
        with self._translated_errors():
            rows = list(self.db["requests"].rows_where("uuid = ?", [request_uuid]))
        return QueuedRequest.from_row(rows[0]) if rows else None

    def by_ticket(self, ticket: str) -> QueuedRequest | None:
        """The request with this ticket number, or None."""
        with self._translated_errors():
            rows = list(self.db["requests"].rows_where("ticket = ?", [ticket]))
        return QueuedRequest.from_row(rows[0]) if rows else None

    def list(self, state: RequestState | None = None) -> list[QueuedRequest]:
        """All requests (or those in ``state``), oldest first."""
        where, args = ("state = ?", [state.value]) if state else (None, [])
        with self._translated_errors():
            rows = self.db["requests"].rows_where(
                where, args, order_by="created_utc, ticket"
            )
            return [QueuedRequest.from_row(row) for row in rows]


def _now() -> datetime:
    return datetime.now(UTC)
