"""The Open311 GeoReport v2 client: one method per call the kiosk makes.

The HTTP client is injected (an ``httpx.Client``, with whatever transport
the caller wants), so tests and the benchmark decide connection reuse and
timeouts. httpx's timeouts apply to each read, so a server that drips its
answer could hold a call forever: every call here also has a total
deadline and a largest body, checked while the answer streams in. Every
answer is checked before it is believed: only a JSON document of the
documented shape counts as success; everything else is turned into one of
the errors in :mod:`kiosk.sync.errors`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from kiosk.store import StatusUpdate
from kiosk.sync import open311
from kiosk.sync.errors import (
    BackendAuthError,
    BackendEndpointError,
    BackendRejectedError,
    BackendUnavailableError,
    NotOpen311Error,
)
from kiosk.sync.open311 import MalformedAnswerError, PostAnswer, RemoteService

logger = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "Idempotency-Key"
FORM_TYPE = "application/x-www-form-urlencoded"
MAX_ANSWER_BYTES = 4 << 20
"""Largest answer body read, in bytes; a bigger one is refused unread."""
DEFAULT_TIMEOUT_S = 10.0
"""Total seconds per call when neither the caller nor httpx sets a limit."""
RETRYABLE_STATUSES = frozenset({408, 425, 429})
"""4xx statuses that mean "later", like a 5xx does."""
REJECTING_STATUSES = frozenset({400, 422})
"""Statuses whose Open311 error list may refuse the one request sent."""

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
        timeout_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.http = http
        self.endpoint = endpoint.rstrip("/") + "/"
        self.api_key = api_key
        self.jurisdiction_id = jurisdiction_id
        self.timeout_s = timeout_s
        """Longest one call may take in all, in seconds; None takes the
        HTTP client's read timeout."""
        self.time_left: Callable[[], float] | None = None
        """Seconds left in the caller's run (set by the sync engine); a
        call never outlives them either."""
        self._wall_clock = wall_clock or (lambda: datetime.now(UTC))
        self._clock = clock

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
        path = f"tokens/{quote(token, safe='')}.json"
        doc = self._call("GET", path, params=self._jurisdiction())
        return self._parsed(open311.parse_token_answer, doc, path)

    def _jurisdiction(self) -> list[tuple[str, str]]:
        return (
            [("jurisdiction_id", self.jurisdiction_id)] if self.jurisdiction_id else []
        )

    def _parsed(self, parse: Callable[[Any], _T], doc: Any, path: str) -> _T:
        url = self.endpoint + path
        try:
            return parse(doc)
        except MalformedAnswerError as exc:
            raise NotOpen311Error(url, f"answered, but not in Open311: {exc}") from exc
        except RecursionError as exc:
            raise NotOpen311Error(url, "answered with JSON nested too deep") from exc

    def _limit(self) -> tuple[float, str]:
        """Seconds the next call may take in all, and what set that limit.

        The second part ends the sentence "did not finish answering within":
        when the run's budget is what cut the call short, the message must
        say so rather than show the remnant as if it were the timeout.
        """
        timeout = self.timeout_s
        if timeout is None:
            timeout = self.http.timeout.read or DEFAULT_TIMEOUT_S
        limit, why = timeout, f"the {timeout:.1f} s timeout"
        if self.time_left is not None:
            left = self.time_left()
            if left < timeout:
                limit = left
                why = (
                    f"the {max(left, 0.0):.1f} s left of the run's time budget"
                    f" (timeout {timeout:.1f} s)"
                )
        # httpx treats 0 as "no wait at all"; keep a sliver so the call
        # fails as a timeout rather than as a configuration error.
        return max(limit, 0.01), why

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        url = self.endpoint + path
        limit, why = self._limit()
        logger.debug("sync.call.started method=%s url=%.200s", method, url)
        try:
            with self.http.stream(method, url, timeout=limit, **kwargs) as response:
                body = self._read_body(url, response, self._clock() + limit, why)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise BackendUnavailableError(
                url, f"could not be reached ({exc!r})"
            ) from exc
        except httpx.TimeoutException as exc:
            raise BackendUnavailableError(
                url,
                f"was reached but did not finish answering within {why} ({exc!r})",
            ) from exc
        except httpx.TransportError as exc:
            raise BackendUnavailableError(
                url, f"was reached but the connection failed ({exc!r})"
            ) from exc
        except httpx.InvalidURL as exc:
            raise BackendUnavailableError(
                f"{url:.200}", f"cannot be called: {exc}"
            ) from exc
        logger.debug(
            "sync.call.complete method=%s url=%.200s status=%d bytes=%d",
            method,
            url,
            response.status_code,
            len(body),
        )
        return self._checked(url, response, body)

    def _read_body(
        self, url: str, response: httpx.Response, deadline: float, why: str
    ) -> bytes:
        """The whole body, unless it is too big or too slow to arrive."""
        answered = f"answered HTTP {response.status_code}"
        declared = response.headers.get("Content-Length", "").strip()
        if declared.isdigit() and int(declared) > MAX_ANSWER_BYTES:
            raise NotOpen311Error(
                url,
                f"{answered} with a body of {declared} bytes,"
                f" more than the {MAX_ANSWER_BYTES} believed",
            )
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_ANSWER_BYTES:
                raise NotOpen311Error(
                    url, f"{answered} with a body over {MAX_ANSWER_BYTES} bytes"
                )
            chunks.append(chunk)
            if self._clock() > deadline:
                raise BackendUnavailableError(
                    url,
                    f"{answered} but sent only {size} bytes of its body within {why}",
                )
        return b"".join(chunks)

    def _checked(self, url: str, response: httpx.Response, body: bytes) -> Any:
        status = response.status_code
        doc, problem = _json_body(response.headers, body)
        reason = open311.error_reason(doc) if problem is None else None
        answered = f"answered HTTP {status}"
        if 200 <= status < 300:
            if problem is not None:
                raise NotOpen311Error(url, f"{answered} but {problem}")
            if reason is not None:
                raise NotOpen311Error(url, f"{answered} with errors: {reason}")
            return doc
        if status in (401, 403):
            raise BackendAuthError(url, status, reason or f"HTTP {status}")
        if status in RETRYABLE_STATUSES or (
            status >= 500 and status not in open311.ENDPOINT_STATUSES
        ):
            raise BackendUnavailableError(
                url,
                answered + (f": {reason}" if reason else ""),
                retry_after_s=self._retry_after(response),
            )
        # Only an error list about the request itself may refuse it: a
        # wrong endpoint or a proxy must not reject every queued request.
        if (
            status in REJECTING_STATUSES
            and reason is not None
            and not open311.blames_endpoint(doc)
        ):
            raise BackendRejectedError(url, status, reason)
        raise BackendEndpointError(url, status, reason or problem or "no error list")

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
        except (TypeError, ValueError, IndexError, OverflowError):
            # Any header that is neither seconds nor a date is ignored: the
            # engine's own back-off applies instead.
            return None
        if moment.tzinfo is None:
            # "-0000" parses to a naive datetime; HTTP dates are in UTC.
            moment = moment.replace(tzinfo=UTC)
        try:
            return max(0.0, (moment - self._wall_clock()).total_seconds())
        except OverflowError:
            return None


def _json_body(headers: Mapping[str, str], body: bytes) -> tuple[Any, str | None]:
    """The parsed JSON body, or None and what is wrong with it."""
    content_type = headers.get("Content-Type", "")
    media = content_type.split(";", 1)[0].strip().lower()
    if media != "application/json":
        return None, f"the body is {media or 'untyped'}, not JSON"
    try:
        return json.loads(body), None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"the JSON body is malformed ({exc})"
    except RecursionError:
        return None, "the JSON body is nested too deep to read"
