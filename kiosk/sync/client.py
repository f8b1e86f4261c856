"""The Open311 GeoReport v2 client: one method per call the kiosk makes.

The HTTP client is injected (an ``httpx.Client``, with whatever transport
the caller wants), so tests and the benchmark decide connection reuse and
timeouts. Every answer is checked before it is believed: only a JSON
document of the documented shape counts as success; everything else is
turned into one of the errors in :mod:`kiosk.sync.errors`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx

from kiosk.store import StatusUpdate
from kiosk.sync import open311
from kiosk.sync.errors import (
    BackendAuthError,
    BackendRejectedError,
    BackendUnavailableError,
    NotOpen311Error,
)
from kiosk.sync.open311 import MalformedAnswerError, PostAnswer, RemoteService

logger = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "Idempotency-Key"
FORM_TYPE = "application/x-www-form-urlencoded"

_T = TypeVar("_T")


class Open311Client:
    """Calls one Open311 back-end through an injected ``httpx.Client``."""

    def __init__(
        self,
        http: httpx.Client,
        endpoint: str,
        *,
        api_key: str,
        jurisdiction_id: str = "",
        wall_clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.http = http
        self.endpoint = endpoint.rstrip("/") + "/"
        self.api_key = api_key
        self.jurisdiction_id = jurisdiction_id
        self._wall_clock = wall_clock or (lambda: datetime.now(UTC))

    def post_request(
        self, form: Sequence[tuple[str, str]], idempotency_key: str
    ) -> PostAnswer:
        """File one request; the key makes a repeated POST file it once."""
        doc = self._call(
            "POST",
            "requests.json",
            content=httpx.QueryParams(list(form)).__str__().encode("ascii"),
            headers={"Content-Type": FORM_TYPE, IDEMPOTENCY_HEADER: idempotency_key},
        )
        return self._parsed(open311.parse_post_answer, doc, "requests.json")

    def services(self) -> list[RemoteService]:
        """The back-end's service list."""
        doc = self._call("GET", "services.json", params=self._jurisdiction())
        return self._parsed(open311.parse_services, doc, "services.json")

    def statuses(self, request_ids: Sequence[str]) -> list[StatusUpdate]:
        """Current status of the given service requests."""
        params = self._jurisdiction() + [("service_request_id", ",".join(request_ids))]
        doc = self._call("GET", "requests.json", params=params)
        return self._parsed(open311.parse_statuses, doc, "requests.json")

    def resolve_token(self, token: str) -> str | None:
        """The service_request_id behind a token, or None while pending."""
        path = f"tokens/{token}.json"
        doc = self._call("GET", path, params=self._jurisdiction())
        return self._parsed(open311.parse_token_answer, doc, path)

    def _jurisdiction(self) -> list[tuple[str, str]]:
        return (
            [("jurisdiction_id", self.jurisdiction_id)] if self.jurisdiction_id else []
        )

    def _parsed(self, parse: Callable[[Any], _T], doc: Any, path: str) -> _T:
        try:
            return parse(doc)
        except MalformedAnswerError as exc:
            raise NotOpen311Error(self.endpoint + path, str(exc)) from exc

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        url = self.endpoint + path
        logger.debug("sync.call.started method=%s url=%s", method, url)
        try:
            response = self.http.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise BackendUnavailableError(url, f"timed out ({exc!r})") from exc
        except httpx.TransportError as exc:
            raise BackendUnavailableError(url, f"connection failed ({exc!r})") from exc
        logger.debug(
            "sync.call.complete method=%s url=%s status=%d",
            method,
            url,
            response.status_code,
        )
        return self._checked(url, response)

    def _checked(self, url: str, response: httpx.Response) -> Any:
        status = response.status_code
        doc, problem = _json_body(response)
        reason = open311.error_reason(doc) if problem is None else None
        if 200 <= status < 300:
            if problem is not None:
                raise NotOpen311Error(url, f"HTTP {status} but {problem}")
            if reason is not None:
                raise NotOpen311Error(url, f"HTTP {status} with errors: {reason}")
            return doc
        if status in (401, 403):
            raise BackendAuthError(url, status, reason or f"HTTP {status}")
        if status == 429 or status >= 500:
            raise BackendUnavailableError(
                url,
                f"HTTP {status}" + (f": {reason}" if reason else ""),
                retry_after_s=self._retry_after(response),
            )
        if reason is not None:
            raise BackendRejectedError(url, status, reason)
        raise NotOpen311Error(url, f"HTTP {status} and {problem or 'no error list'}")

    def _retry_after(self, response: httpx.Response) -> float | None:
        value = response.headers.get("Retry-After")
        if value is None:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, (moment - self._wall_clock()).total_seconds())


def _json_body(response: httpx.Response) -> tuple[Any, str | None]:
    """The parsed JSON body, or None and what is wrong with it."""
    content_type = response.headers.get("Content-Type", "")
    media = content_type.split(";", 1)[0].strip().lower()
    if media != "application/json":
        return None, f"the body is {media or 'untyped'}, not JSON"
    try:
        return json.loads(response.content), None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"the JSON body is malformed ({exc})"
