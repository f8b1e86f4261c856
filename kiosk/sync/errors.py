"""Errors of the sync, from the kiosk's point of view.

::

    SyncError                     any failure to talk to the back-end
    ├── BackendUnavailableError   transient: try again later, nothing is lost
    │   ├── NotOpen311Error       an answer came but it is not Open311
    │   │                         (HTML page, captive portal, bad JSON)
    │   └── BackendEndpointError  the answer is about the URL, not about
    │                             one request (wrong [sync] endpoint, a
    │                             proxy): nothing is rejected, the push stops
    ├── BackendRejectedError      the back-end refused this one request
    └── BackendAuthError          the back-end refused our API key

Messages say what happened: a back-end that could not be reached, or one
that was reached and answered something unusable.

httpx exceptions and malformed answers are translated into these at the
client, so the engine and the CLI never see a transport's own errors.
"""

from __future__ import annotations


class SyncError(Exception):
    """Talking to the back-end failed."""


class BackendUnavailableError(SyncError):
    """The back-end could not be reached or failed; retrying may help."""

    def __init__(
        self, url: str, cause: str, *, retry_after_s: float | None = None
    ) -> None:
        self.url = url
        self.cause = cause
        """What happened, worded to follow "the back-end at URL"."""
        self.retry_after_s = retry_after_s
        """Seconds the back-end asked us to wait (Retry-After), if it did."""
        super().__init__(f"the back-end at {url} {cause}")


class NotOpen311Error(BackendUnavailableError):
    """The answer is not an Open311 document, so it cannot be trusted."""


class BackendEndpointError(BackendUnavailableError):
    """The back-end's answer is about the URL, not about one request."""

    def __init__(self, url: str, status: int, detail: str) -> None:
        self.status = status
        super().__init__(
            url, f"answered HTTP {status} ({detail}): check [sync] endpoint"
        )


class BackendRejectedError(SyncError):
    """The back-end refused a request with an Open311 error list."""

    def __init__(self, url: str, status: int, reason: str) -> None:
        self.url = url
        self.status = status
        self.reason = reason
        super().__init__(f"the back-end at {url} refused the request: {reason}")


class BackendAuthError(SyncError):
    """The back-end does not accept our API key."""

    def __init__(self, url: str, status: int, reason: str) -> None:
        self.url = url
        self.status = status
        self.reason = reason
        super().__init__(
            f"the back-end at {url} refused the API key (HTTP {status}): {reason};"
            " check [sync] api_key_file"
        )
