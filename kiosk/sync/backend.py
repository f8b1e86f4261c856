"""A strict reference Open311 GeoReport v2 back-end, for demos and tests.

It serves ``services.json``, ``services/{code}.json``, ``requests.json``
(POST to file, GET for statuses), ``requests/{id}.json`` and
``tokens/{token}.json`` from its own SQLite file, and is deliberately
picky: form-encoded POSTs only, the API key checked, unknown service codes
and unknown fields refused with an Open311 error list, ids always strings.
An ``Idempotency-Key`` header makes a repeated POST return the first
answer instead of filing again; reusing a key for another body is refused.

It can be told to misbehave on ``POST requests.json`` (see :class:`Fault`),
from the constructor, the command line, or ``POST /_control/faults``, so
the sync can be tested against every way a real back-end fails. Other
control calls close requests and resolve held tokens. The server binds to
loopback by default; it is not meant to face a network.
"""

from __future__ import annotations

import enum
import hashlib
import json
import logging
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from kiosk.sync.open311 import STATUSES

logger = logging.getLogger(__name__)

DEMO_API_KEY = "antonia-demo"
"""The key the reference back-end accepts unless told otherwise."""
MAX_BODY = 1 << 20
MAX_DESCRIPTION = 4000
"""GeoReport v2 limits a description to 4,000 characters."""
ALLOWED_FIELDS = frozenset(
    {
        "api_key",
        "jurisdiction_id",
        "service_code",
        "lat",
        "long",
        "address_string",
        "address_id",
        "email",
        "device_id",
        "account_id",
        "first_name",
        "last_name",
        "phone",
        "description",
        "media_url",
    }
)
KIOSK_ATTRIBUTES = ("ticket", "language", "department")
"""Attributes every service declares: what the kiosk sends with a request."""


class Fault(enum.StrEnum):
    """Ways the back-end can misbehave on POST requests.json."""

    HTML_503 = "html503"
    """An HTML error page with status 503; nothing stored."""
    SLOW = "slow"
    """Stored, then answered only after ``slow_s`` seconds."""
    TOKEN = "token"
    """Stored, answered with a token instead of the request id."""
    RATE_LIMIT = "429"
    """Status 429 with Retry-After; nothing stored."""
    DROP = "drop"
    """Stored, then the connection is closed without an answer."""
    TRUNCATED = "truncated"
    """Stored, answered with the JSON cut in half."""
    CAPTIVE = "captive"
    """A 200 HTML login page, as a captive portal sends; nothing stored."""
    ERROR_200 = "error200"
    """A 200 carrying an Open311 error list; nothing stored."""


STORING_FAULTS = frozenset({Fault.SLOW, Fault.TOKEN, Fault.DROP, Fault.TRUNCATED})
"""Faults that happen after the request was stored."""


def parse_fault(spec: str) -> tuple[Fault, int]:
    """``kind`` or ``kind:count`` (count -1 means every time) to a pair."""
    kind, _, count = spec.partition(":")
    try:
        return Fault(kind), int(count) if count else -1
    except ValueError as exc:
        choices = ", ".join(f.value for f in Fault)
        raise ValueError(
            f"bad fault {spec!r}; use KIND[:COUNT], KIND in {choices}"
        ) from exc


@dataclass
class Answer:
    """What the HTTP layer should send back."""

    status: int
    doc: Any = None
    body: bytes | None = None
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    fault: Fault | None = None
    """A storing fault to apply to the way this answer is delivered."""

    def encoded(self) -> bytes:
        """The body as bytes."""
        if self.body is not None:
            return self.body
        return json.dumps(self.doc, ensure_ascii=False).encode("utf-8")


def _errors(status: int, description: str) -> Answer:
    return Answer(status, [{"code": status, "description": description}])


_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    service_request_id TEXT UNIQUE,
    idempotency_key TEXT UNIQUE,
    fingerprint TEXT NOT NULL,
    token TEXT UNIQUE,
    token_resolved INTEGER NOT NULL DEFAULT 1,
    service_code TEXT NOT NULL,
    description TEXT,
    address_string TEXT,
    lat TEXT,
    long TEXT,
    device_id TEXT,
    email TEXT,
    phone TEXT,
    attributes TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    status_notes TEXT,
    requested_utc TEXT NOT NULL,
    updated_utc TEXT NOT NULL
)
"""


class ReferenceBackend:
    """The back-end's logic and storage, without the HTTP layer."""

    def __init__(
        self,
        db_path: Path,
        *,
        services: list[dict[str, Any]],
        api_key: str = DEMO_API_KEY,
        jurisdiction_id: str = "",
        faults: Iterable[tuple[Fault, int]] = (),
        slow_s: float = 5.0,
        retry_after_s: int = 1,
        hold_tokens: bool = False,
    ) -> None:
        self.services = {s["service_code"]: s for s in services}
        self.service_list = services
        self.api_key = api_key
        self.jurisdiction_id = jurisdiction_id
        self.slow_s = slow_s
        self.retry_after_s = retry_after_s
        self.hold_tokens = hold_tokens
        self.stopping = threading.Event()
        """Set on shutdown; slow answers stop waiting."""
        self._faults: list[list[Any]] = [[kind, count] for kind, count in faults]
        self._lock = threading.Lock()
        # One connection behind a lock: the handlers are threads, and the
        # lock also makes "look up the key, else insert" one atomic step.
        self._db = sqlite3.connect(db_path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        # A development server: NORMAL keeps the file consistent after a
        # crash, which is all a reference back-end needs.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)
        self._db.commit()

    def close(self) -> None:
        """Release waiting handlers and close the database."""
        self.stopping.set()
        with self._lock:
            self._db.close()

    # -- control ---------------------------------------------------------

    def set_faults(self, faults: Iterable[tuple[Fault, int]]) -> None:
        """Replace the fault plan; each entry fires ``count`` times, in order."""
        with self._lock:
            self._faults = [[kind, count] for kind, count in faults]

    def _take_fault(self) -> Fault | None:
        with self._lock:
            for entry in self._faults:
                if entry[1] != 0:
                    entry[1] -= 1
                    return Fault(entry[0])
        return None

    def set_status(self, request_id: str, status: str, notes: str | None) -> bool:
        """Open or close a request, as a clerk would."""
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}")
        with self._lock:
            cursor = self._db.execute(
                "UPDATE requests SET status = ?, status_notes = ?, updated_utc = ?"
                " WHERE service_request_id = ?",
                (status, notes, _now(), request_id),
            )
            self._db.commit()
        return cursor.rowcount == 1

    def resolve_tokens(self) -> int:
        """Let every held token resolve to its request id."""
        with self._lock:
            cursor = self._db.execute(
                "UPDATE requests SET token_resolved = 1 WHERE token_resolved = 0"
            )
            self._db.commit()
        return cursor.rowcount

    def stored(self) -> list[dict[str, Any]]:
        """Every stored request, in filing order (for tests and stats)."""
        with self._lock:
            cursor = self._db.execute("SELECT * FROM requests ORDER BY seq")
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor]

    # -- the API ---------------------------------------------------------

    def post_request(
        self, content_type: str, body: bytes, idempotency_key: str | None
    ) -> Answer:
        """Handle POST requests.json, faults included."""
        fault = self._take_fault()
        if fault is not None and fault not in STORING_FAULTS:
            return self._non_storing(fault)
        answer = self._file(content_type, body, idempotency_key, fault)
        if answer.status == 200 and fault is not None:
            answer.fault = fault
        return answer

    def _non_storing(self, fault: Fault) -> Answer:
        page = "<html><body><h1>{}</h1></body></html>"
        if fault is Fault.HTML_503:
            return Answer(
                503,
                body=page.format("Service Unavailable").encode(),
                content_type="text/html",
            )
        if fault is Fault.RATE_LIMIT:
            answer = _errors(429, "too many requests")
            answer.headers["Retry-After"] = str(self.retry_after_s)
            return answer
        if fault is Fault.CAPTIVE:
            body = page.format("Please log in to the guest Wi-Fi").encode()
            return Answer(200, body=body, content_type="text/html")
        return Answer(200, [{"code": 500, "description": "internal error"}])

    def _file(
        self,
        content_type: str,
        body: bytes,
        idempotency_key: str | None,
        fault: Fault | None,
    ) -> Answer:
        if content_type.split(";")[0].strip().lower() != (
            "application/x-www-form-urlencoded"
        ):
            return _errors(400, "the body must be application/x-www-form-urlencoded")
        try:
            form = parse_qs(
                body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body)
            )
        except (UnicodeDecodeError, ValueError):
            return _errors(400, "the form is not valid UTF-8 url-encoding")
        problem = self._check_form(form)
        if problem is not None:
            return problem
        values = {k: v[0] for k, v in form.items()}
        attributes = {
            k[10:-1]: v for k, v in values.items() if k.startswith("attribute[")
        }
        fingerprint = _fingerprint(values)
        with self._lock:
            if idempotency_key:
                row = self._db.execute(
                    "SELECT service_request_id, token, token_resolved, fingerprint"
                    " FROM requests WHERE idempotency_key = ?",
                    (idempotency_key,),
                ).fetchone()
                if row is not None:
                    return _replay(row, fingerprint)
            as_token = fault is Fault.TOKEN
            token = f"tok-{uuid.uuid4().hex}" if as_token else None
            now = _now()
            cursor = self._db.execute(
                "INSERT INTO requests (idempotency_key, fingerprint, token,"
                " token_resolved, service_code, description, address_string, lat,"
                " long, device_id, email, phone, attributes, requested_utc,"
                " updated_utc) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    idempotency_key or None,
                    fingerprint,
                    token,
                    int(not (as_token and self.hold_tokens)),
                    values["service_code"],
                    values.get("description"),
                    values.get("address_string"),
                    values.get("lat"),
                    values.get("long"),
                    values.get("device_id"),
                    values.get("email"),
                    values.get("phone"),
                    json.dumps(attributes, ensure_ascii=False),
                    now,
                    now,
                ),
            )
            request_id = f"CJ-{cursor.lastrowid:07d}"
            self._db.execute(
                "UPDATE requests SET service_request_id = ? WHERE seq = ?",
                (request_id, cursor.lastrowid),
            )
            self._db.commit()
        logger.debug("backend.request.stored id=%s token=%s", request_id, token)
        if token is not None:
            return Answer(200, [{"token": token}])
        return Answer(200, [{"service_request_id": request_id, "service_notice": ""}])

    def _check_form(self, form: Mapping[str, list[str]]) -> Answer | None:
        for key, values in form.items():
            if len(values) > 1:
                return _errors(400, f"field {key} is given more than once")
            if key not in ALLOWED_FIELDS and not (
                key.startswith("attribute[") and key.endswith("]") and len(key) > 11
            ):
                return _errors(400, f"unknown field {key}")
        get = {k: v[0] for k, v in form.items()}.get
        if get("api_key") != self.api_key:
            return _errors(403, "api_key is missing or not valid")
        if self.jurisdiction_id and get("jurisdiction_id") != self.jurisdiction_id:
            return _errors(404, "jurisdiction_id not found")
        code = get("service_code")
        if not code:
            return _errors(400, "service_code is required")
        if code not in self.services:
            return _errors(400, f"service_code {code} is not a service of this city")
        if not (get("lat") and get("long")) and not (
            get("address_string") or get("address_id")
        ):
            return _errors(400, "a location is required: lat and long or an address")
        if len(get("description") or "") > MAX_DESCRIPTION:
            return _errors(400, f"description is longer than {MAX_DESCRIPTION}")
        return None

    def get_requests(self, query: Mapping[str, list[str]]) -> Answer:
        """Handle GET requests.json."""
        ids = [
            i for v in query.get("service_request_id", []) for i in v.split(",") if i
        ]
        sql = "SELECT * FROM requests WHERE token_resolved = 1"
        args: list[Any] = []
        if ids:
            sql += f" AND service_request_id IN ({','.join('?' * len(ids))})"
            args = ids
        status = query.get("status", [""])[0]
        if status:
            sql += " AND status = ?"
            args.append(status)
        return Answer(200, self._request_docs(sql + " ORDER BY seq LIMIT 1000", args))

    def get_request(self, request_id: str) -> Answer:
        """Handle GET requests/{id}.json."""
        docs = self._request_docs(
            "SELECT * FROM requests WHERE token_resolved = 1"
            " AND service_request_id = ?",
            [request_id],
        )
        return Answer(200, docs) if docs else _errors(404, f"no request {request_id}")

    def _request_docs(self, sql: str, args: list[Any]) -> list[dict[str, Any]]:
        with self._lock:
            cursor = self._db.execute(sql, args)
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor]
        return [
            {
                "service_request_id": row["service_request_id"],
                "status": row["status"],
                "status_notes": row["status_notes"],
                "service_name": self.services.get(row["service_code"], {}).get(
                    "service_name"
                ),
                "service_code": row["service_code"],
                "description": row["description"],
                "requested_datetime": row["requested_utc"],
                "updated_datetime": row["updated_utc"],
                "address": row["address_string"],
                "lat": row["lat"],
                "long": row["long"],
            }
            for row in rows
        ]

    def get_token(self, token: str) -> Answer:
        """Handle GET tokens/{token}.json."""
        with self._lock:
            row = self._db.execute(
                "SELECT service_request_id, token_resolved FROM requests"
                " WHERE token = ?",
                (token,),
            ).fetchone()
        if row is None:
            return _errors(404, f"no token {token}")
        entry = {"token": token}
        if row[1]:
            entry["service_request_id"] = row[0]
        return Answer(200, [entry])

    def get_service(self, code: str) -> Answer:
        """Handle GET services/{code}.json: the attributes a service takes."""
        if code not in self.services:
            return _errors(404, f"no service {code}")
        attributes = [
            {
                "variable": True,
                "code": name,
                "datatype": "string",
                "required": False,
                "datatype_description": f"the kiosk's {name}",
                "order": order,
                "description": f"The kiosk's {name} for this request",
            }
            for order, name in enumerate(KIOSK_ATTRIBUTES, start=1)
        ]
        return Answer(200, {"service_code": code, "attributes": attributes})


def _replay(row: tuple[Any, ...], fingerprint: str) -> Answer:
    request_id, token, resolved, stored_fingerprint = row
    if fingerprint != stored_fingerprint:
        return _errors(422, "this Idempotency-Key was used for a different request")
    if token is not None and not resolved:
        return Answer(200, [{"token": token}])
    return Answer(200, [{"service_request_id": request_id, "service_notice": ""}])


def _fingerprint(values: Mapping[str, str]) -> str:
    # The key is not part of what was asked for, so a rotated key still
    # matches the request it was first sent with.
    items = sorted((k, v) for k, v in values.items() if k != "api_key")
    return hashlib.sha256(json.dumps(items).encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
