"""What the session needs from a router, trained or still training."""

from __future__ import annotations

from typing import Protocol

from kiosk.routing.candidate import Candidate
from kiosk.routing.decision import Decision


class Routing(Protocol):
    """Anything that routes text like :class:`kiosk.routing.Router`."""

    def route(self, text: str, lang: str) -> Decision:
        """The whole routing policy for ``text``."""
        ...

    def rank(self, text: str, lang: str, limit: int = 5) -> list[Candidate]:
        """The best ``limit`` services for ``text``."""
        ...
