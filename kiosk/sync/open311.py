"""Open311 GeoReport v2 documents: building forms and checking answers.

Pure functions, no I/O. Every parser is strict: anything that is not the
documented shape raises :class:`MalformedAnswerError`, because a captive portal
or a half-delivered body must never be mistaken for a filed request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kiosk.store import QueuedRequest, StatusUpdate

STATUSES = ("open", "closed")
"""The two statuses GeoReport v2 defines for a service request."""


ENDPOINT_STATUSES = frozenset({404, 405, 406, 410, 413, 414, 415, 501, 505})
"""HTTP statuses that speak of the URL or the server, never of one request."""
MAX_ID_LENGTH = 128
"""Longest service_request_id or token believed; longer ones are garbage."""
MAX_REASON_CHARS = 500
"""Longest error text kept from the back-end. It is stored in the outbox
and shown by ``kiosk queue show``; a longer one would fill the disk and the
journal, and may quote what the citizen typed (personal data)."""
# Words of errors about the URL. "url" and "uri" only stand alone, so that
# "url-encoding" and "hourly" do not count.
_ENDPOINT_WORDS = re.compile(
    r"\b(resource|endpoint|path|route|method)s?\b|(?<![\w.-])(url|uri)s?(?![\w.-])",
    re.IGNORECASE,
)


class MalformedAnswerError(ValueError):
    """A document does not have the Open311 shape expected here."""


@dataclass(frozen=True)
class PostAnswer:
    """The back-end's answer to a new service request."""

    service_request_id: str | None
    token: str | None
    notice: str | None


@dataclass(frozen=True)
class RemoteService:
    """One entry of the back-end's services.json."""

    code: str
    name: str
    description: str
    group: str
    keywords: tuple[str, ...]


def request_form(
    request: QueuedRequest,
    *,
    api_key: str,
    jurisdiction_id: str,
    address: str,
    device_id: str,
) -> list[tuple[str, str]]:
    """The form fields that file ``request``; contact only with consent."""
    form = [
        ("api_key", api_key),
        ("service_code", request.service_code),
        ("description", request.text),
        ("address_string", address),
        ("device_id", device_id),
        ("attribute[ticket]", request.ticket),
        ("attribute[language]", request.language),
        ("attribute[department]", request.department),
    ]
    if jurisdiction_id:
        form.append(("jurisdiction_id", jurisdiction_id))
    if request.consent:
        if request.phone:
            form.append(("phone", request.phone))
        if request.email:
            form.append(("email", request.email))
    return form


def blames_endpoint(doc: Any) -> bool:
    """True when an Open311 error list speaks of the URL, not of a request.

    A wrong ``[sync] endpoint`` or a proxy in front of the back-end answers
    with errors such as "no such resource"; those must not reject requests.
    """
    for entry in doc if isinstance(doc, list) else []:
        if not isinstance(entry, dict):
            continue
        code = entry.get("code")
        if isinstance(code, str) and code.strip().isdigit():
            code = int(code)
        if code in ENDPOINT_STATUSES:
            return True
        if _ENDPOINT_WORDS.search(str(entry.get("description", ""))):
            return True
    return False


def error_reason(doc: Any) -> str | None:
    """The descriptions of an Open311 error list, or None if it is not one.

    The text is cut to :data:`MAX_REASON_CHARS`: it is stored in the outbox
    and shown in messages, and the back-end decides its length.
    """
    if not isinstance(doc, list) or not doc:
        return None
    reasons = []
    for entry in doc:
        if not isinstance(entry, dict) or set(entry) - {"code", "description"}:
            return None
        description = entry.get("description")
        if not isinstance(description, str) or "code" not in entry:
            return None
        reasons.append(description)
    return capped_reason("; ".join(reasons))


def capped_reason(text: str) -> str:
    """``text`` cut to :data:`MAX_REASON_CHARS`, saying how long it was."""
    if len(text) <= MAX_REASON_CHARS:
        return text
    return f"{text[:MAX_REASON_CHARS]}… ({len(text)} characters in all)"


def parse_post_answer(doc: Any) -> PostAnswer:
    """Check and read the answer to POST requests.json."""
    entry = _single_entry(doc)
    request_id = _optional_id(entry, "service_request_id")
    token = _optional_id(entry, "token")
    if request_id is None and token is None:
        raise MalformedAnswerError(
            "the answer has neither service_request_id nor token"
        )
    notice = entry.get("service_notice")
    return PostAnswer(request_id, token, notice if isinstance(notice, str) else None)


def parse_token_answer(doc: Any) -> str | None:
    """The id a token resolved to, or None while it is still pending."""
    return _optional_id(_single_entry(doc), "service_request_id")


def parse_statuses(doc: Any) -> list[StatusUpdate]:
    """Check and read the answer to GET requests.json."""
    if not isinstance(doc, list):
        raise MalformedAnswerError("requests.json must be a list")
    updates = []
    for entry in doc:
        if not isinstance(entry, dict):
            raise MalformedAnswerError("a service request must be an object")
        request_id = _optional_id(entry, "service_request_id")
        status = entry.get("status")
        if request_id is None or status not in STATUSES:
            raise MalformedAnswerError(f"bad service request entry: {entry!r:.200}")
        notes = entry.get("status_notes")
        updates.append(
            StatusUpdate(
                server_id=request_id,
                status=str(status),
                notes=notes if isinstance(notes, str) else None,
                updated_utc=_parse_datetime(entry.get("updated_datetime")),
            )
        )
    return updates


def parse_services(doc: Any) -> list[RemoteService]:
    """Check and read the answer to GET services.json."""
    if not isinstance(doc, list):
        raise MalformedAnswerError("services.json must be a list")
    services = []
    for entry in doc:
        if not isinstance(entry, dict):
            raise MalformedAnswerError("a service must be an object")
        code, name = entry.get("service_code"), entry.get("service_name")
        if not isinstance(code, str) or not code or not isinstance(name, str):
            raise MalformedAnswerError(f"bad service entry: {entry!r:.200}")
        keywords = entry.get("keywords") or ""
        services.append(
            RemoteService(
                code=code,
                name=name,
                description=str(entry.get("description") or ""),
                group=str(entry.get("group") or ""),
                keywords=tuple(k.strip() for k in str(keywords).split(",") if k),
            )
        )
    return services


def format_datetime(moment: datetime) -> str:
    """A time in the W3C form Open311 uses, in UTC."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _single_entry(doc: Any) -> Mapping[str, Any]:
    if not isinstance(doc, list) or len(doc) != 1 or not isinstance(doc[0], dict):
        raise MalformedAnswerError("expected a list holding one object")
    entry: Mapping[str, Any] = doc[0]
    return entry


def valid_id(value: str) -> bool:
    """True for an id worth keeping: short, printable, no comma or padding."""
    # Ids travel comma-joined in the status pull's query, so a comma, a
    # control character or a 100 KB id would break every later pull.
    return (
        0 < len(value) <= MAX_ID_LENGTH
        and value.isprintable()
        and "," not in value
        and value.strip() == value
    )


def _optional_id(entry: Mapping[str, Any], key: str) -> str | None:
    value = entry.get(key)
    if value is None or value == "":
        return None
    # The spec says ids are strings. A number is refused rather than
    # converted: a server that sends 12345 may send it for every request.
    if not isinstance(value, str):
        raise MalformedAnswerError(
            f"{key} must be a string, not {type(value).__name__} {value!r:.50}"
        )
    if not valid_id(value):
        raise MalformedAnswerError(
            f"{key} is not a usable id ({len(value)} characters: {value!r:.50})"
        )
    return value


def _parse_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise MalformedAnswerError(f"bad datetime {value!r:.50}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
