"""Whether the city hall's back-end answers, asked rarely and briefly.

Card payments are taken only while the back-end is reachable. The check is
one bounded HTTP request to the sync endpoint's service list; its answer is
kept for ``ttl_s`` so a citizen who retries does not wait for it again. It
blocks, so it is called from the payment worker (inside
:meth:`kiosk.payments.service.PaymentService.pay`), never on the Qt thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import httpx

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
"""Monotonic seconds; tests pass a fake one."""

DEFAULT_TTL_S = 30.0
"""Seconds an answer (reachable or not) is believed."""
DEFAULT_TIMEOUT_S = 3.0
"""Seconds the check may take at most."""


class BackendProbe:
    """A cached ``backend_reachable`` callable for the payment service."""

    def __init__(
        self,
        endpoint: str,
        *,
        ttl_s: float = DEFAULT_TTL_S,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        transport: httpx.BaseTransport | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        self.url = endpoint.rstrip("/") + "/services.json"
        self.ttl_s = ttl_s
        self.timeout_s = timeout_s
        self._transport = transport
        self._clock = clock
        self._lock = threading.Lock()
        self._answer: tuple[bool, float] | None = None

    def __call__(self) -> bool:
        """True when the back-end answered within the last ``ttl_s``."""
        with self._lock:
            now = self._clock()
            if self._answer is not None and now - self._answer[1] < self.ttl_s:
                return self._answer[0]
            reachable = self._ask()
            self._answer = (reachable, self._clock())
            return reachable

    def forget(self) -> None:
        """Drop the cached answer; the next call asks again."""
        with self._lock:
            self._answer = None

    def _ask(self) -> bool:
        # Any HTTP answer below 500 proves the back-end is up; the payment
        # itself never goes through it, so the content does not matter.
        try:
            with httpx.Client(
                timeout=self.timeout_s, transport=self._transport
            ) as http:
                status = http.get(self.url).status_code
        except httpx.HTTPError as exc:
            logger.warning("Back-end unreachable at %s: %r", self.url, exc)
            return False
        reachable = status < 500
        if reachable:
            logger.debug("backend.probe.complete url=%s status=%d", self.url, status)
        else:
            logger.warning("Back-end at %s answers HTTP %d", self.url, status)
        return reachable
