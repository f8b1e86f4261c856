"""The decision policy: what the session does with a ranking."""

from __future__ import annotations

import enum
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

from kiosk.catalog import INFO_DESK_SERVICE, NO_ACTION_SERVICE, Service
from kiosk.routing.candidate import Candidate

CONFIDENT_PROBABILITY = 0.5
"""At or above this, the kiosk proposes one service and asks to confirm."""
NOTHING_FITS_PROBABILITY = 0.12
"""Below this, no service fits and the kiosk asks one clarifying question."""
GIBBERISH_PROBABILITY = 0.3
"""Text with no known word is gibberish unless its best guess reaches this."""
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
    ranking: tuple[Candidate, ...] = ()
    """The router's full ranking, best first, whatever the kind."""
    prompt: Mapping[str, str] | None = None
    """What to tell the citizen per UI language: the clarifying question, the
    request to try again, or who handles an external matter."""

    @property
    def best(self) -> Candidate | None:
        """The most likely candidate, if any."""
        return self.candidates[0] if self.candidates else None

    @property
    def service(self) -> Service | None:
        """The service the text is routed to; None when nothing can be filed."""
        if self.kind is DecisionKind.REPROMPT or self.best is None:
            return None
        return self.best.service


def decide(
    candidates: list[Candidate],
    *,
    text: str | None = None,
    secondary: Service | None = None,
    known_words: int | None = None,
) -> Decision:
    """Apply the policy to a ranking from :meth:`Router.rank`.

    Args:
        candidates: the ranking, best first.
        text: the citizen's text; an empty one is never a request.
        secondary: a second topic found in the text, if any.
        known_words: how many words of the text the router has seen in
            training; none at all marks gibberish unless the guess is strong.
    """
    ranking = tuple(candidates)
    if not candidates or (text is not None and not text.strip()):
        return _reprompt(ranking)
    best = candidates[0]
    if best.service.code == NO_ACTION_SERVICE:
        return _reprompt(ranking)
    if known_words == 0 and best.probability < GIBBERISH_PROBABILITY:
        return _reprompt(ranking)
    if best.service.code == INFO_DESK_SERVICE or (
        best.probability < NOTHING_FITS_PROBABILITY and secondary is None
    ):
        return _clarify(candidates, ranking)
    if secondary is not None and secondary.code == best.service.code:
        secondary = None
    if best.service.is_external and best.probability >= CONFIDENT_PROBABILITY:
        return Decision(
            DecisionKind.EXTERNAL,
            (best,),
            secondary,
            ranking,
            prompt=best.service.redirect,
        )
    if best.probability >= CONFIDENT_PROBABILITY or secondary is not None:
        return Decision(
            DecisionKind.CONFIRM, tuple(candidates[:CHOICES]), secondary, ranking
        )
    fileable = tuple(c for c in candidates if c.service.is_fileable)[:CHOICES]
    if best.service.is_external or not fileable:
        return Decision(
            DecisionKind.EXTERNAL, (best,), None, ranking, prompt=best.service.redirect
        )
    return Decision(DecisionKind.CHOOSE, fileable, secondary, ranking)


def _reprompt(ranking: tuple[Candidate, ...]) -> Decision:
    return Decision(
        DecisionKind.REPROMPT, (), None, ranking, prompt=_prompt("reprompt")
    )


def _clarify(candidates: list[Candidate], ranking: tuple[Candidate, ...]) -> Decision:
    """Ask one question; the info desk goes first, fileable guesses follow."""
    desk = [c for c in candidates if c.service.code == INFO_DESK_SERVICE]
    others = [
        c
        for c in candidates
        if c.service.is_fileable and c.service.code != INFO_DESK_SERVICE
    ]
    chosen = tuple((desk[:1] + others)[:CHOICES])
    return Decision(DecisionKind.CLARIFY, chosen, None, ranking, _prompt("clarify"))


@functools.cache
def _prompts() -> dict[str, dict[str, str]]:
    data = resources.files("kiosk.data").joinpath("routing_prompts.json")
    loaded: dict[str, dict[str, str]] = json.loads(data.read_text("utf-8"))
    return loaded


def _prompt(kind: str) -> Mapping[str, str]:
    return _prompts()[kind]
