"""Training the router on a thread, so the screen can start meanwhile.

Training takes a few seconds at start-up and the attract and language
screens do not need it. The first routing call waits for the training to
finish if a citizen is faster than it.
"""

from __future__ import annotations

import logging
import threading

from kiosk.catalog import Catalog
from kiosk.routing.candidate import Candidate
from kiosk.routing.decision import Decision
from kiosk.routing.router import Router

logger = logging.getLogger(__name__)


class BackgroundRouter:
    """A :class:`Router` that is trained on a worker thread."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._ready = threading.Event()
        self._router: Router | None = None
        self._error: BaseException | None = None
        # Not a daemon: at exit the interpreter waits for the training to
        # end. A daemon thread still inside numpy's C++ code when the
        # interpreter finalises is torn down there, and the process aborts
        # ("terminate called without an active exception").
        threading.Thread(target=self._train, name="router-training").start()

    def _train(self) -> None:
        try:
            self._router = Router(self.catalog)
        except BaseException as exc:  # noqa: BLE001 - re-raised to the caller
            self._error = exc
        finally:
            self._ready.set()

    def wait(self) -> Router:
        """The trained router; blocks until training has finished.

        Raises:
            Exception: whatever made the training fail.
        """
        if not self._ready.is_set():
            logger.info("Routing waits for the router's training to finish")
        self._ready.wait()
        if self._error is not None:
            raise self._error
        assert self._router is not None
        return self._router

    def route(self, text: str, lang: str) -> Decision:
        """See :meth:`Router.route`."""
        return self.wait().route(text, lang)

    def rank(self, text: str, lang: str, limit: int = 5) -> list[Candidate]:
        """See :meth:`Router.rank`."""
        return self.wait().rank(text, lang, limit)
