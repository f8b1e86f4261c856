"""The decision policy: what the session does with a ranking."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from kiosk.catalog import INFO_DESK_SERVICE, NO_ACTION_SERVICE, Service
from kiosk.routing.router import Candidate

CONFIDENT_PROBABILITY = 0.6
"""At or above this, the kiosk proposes one service and asks to confirm."""
CHOICES = 3
"""How many services the kiosk offers when it is unsure."""


class DecisionKind(enum.Enum):
    """What the session should do next."""

    CONFIRM = "confirm"
    """One service is likely: show it and ask "is this right?"."""
    CHOOSE = "choose"
    """Several are plausible: show the best few to choose from."""
    CLARIFY = "clarify"
    """Too vague: ask one clarifying question (the info desk fallback)."""
    EXTERNAL = "external"
    """Not a city hall matter: tell the citizen who handles it."""
    REPROMPT = "reprompt"
    """Not a request at all (empty, gibberish, abuse): ask again politely."""


@dataclass(frozen=True)
class Decision:
    """The router's answer as the session consumes it."""

    kind: DecisionKind
    candidates: tuple[Candidate, ...]
    """Best first; for CONFIRM the first one is the proposal."""
    secondary: Service | None = None
    """A second topic in the same text, offered after the first is filed."""

    @property
    def best(self) -> Candidate | None:
        """The most likely candidate, if any."""
        return self.candidates[0] if self.candidates else None


def decide(candidates: list[Candidate]) -> Decision:
    """Apply the policy to a ranking from :meth:`Router.rank`."""
    if not candidates:
        return Decision(DecisionKind.REPROMPT, ())
    best = candidates[0]
    if best.service.code == NO_ACTION_SERVICE:
        return Decision(DecisionKind.REPROMPT, ())
    if best.service.code == INFO_DESK_SERVICE:
        return Decision(DecisionKind.CLARIFY, (best,))
    if best.probability >= CONFIDENT_PROBABILITY:
        if best.service.is_external:
            return Decision(DecisionKind.EXTERNAL, (best,))
        return Decision(DecisionKind.CONFIRM, tuple(candidates[:CHOICES]))
    fileable = tuple(c for c in candidates if c.service.is_fileable)[:CHOICES]
    if not fileable:
        return Decision(DecisionKind.EXTERNAL, (best,))
    return Decision(DecisionKind.CHOOSE, fileable)
