"""Where the router's decision on the citizen's words leads the flow.

A confident match is proposed with a yes and a no; a few close matches
become a short choice; something the city hall does not handle gets the
external screen; a vague request gets a question and the fileable
candidates; nothing fitting asks again on the describe screen. The router
words its own questions and redirections per language; the texts here are
the fallback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kiosk.draft import Draft
from kiosk.routing import Decision, DecisionKind
from kiosk.view_model import Screen


@dataclass(frozen=True)
class NextScreen:
    """The screen to go to, with its message, after the citizen's words."""

    screen: Screen
    message: str | None = None
    push: bool = True
    """Back returns to the describe screen (not when it is shown again)."""


def take_decision(
    decision: Decision, draft: Draft, gettext: Callable[[str], str]
) -> NextScreen:
    """Note the decision's services in the draft; say which screen is next."""
    _ = gettext
    hint = decision.prompt.get(draft.language) if decision.prompt else None
    draft.secondary = decision.secondary
    services = tuple(c.service for c in decision.candidates)
    if decision.kind is DecisionKind.CONFIRM:
        draft.service = services[0]
        draft.alternatives = tuple(s for s in services[1:] if s.is_fileable)
        return NextScreen(Screen.PROPOSAL)
    if decision.kind is DecisionKind.CHOOSE:
        draft.alternatives = services
        return NextScreen(Screen.CHOICES)
    if decision.kind is DecisionKind.EXTERNAL:
        draft.service = services[0]
        return NextScreen(Screen.EXTERNAL, message=hint)
    if decision.kind is DecisionKind.CLARIFY:
        draft.alternatives = tuple(s for s in services if s.is_fileable)
        return NextScreen(
            Screen.CHOICES,
            message=hint
            or _(
                "Could you tell us a little more? For example which document, "
                "which street or which tax. Or send it to the information desk."
            ),
        )
    return NextScreen(
        Screen.DESCRIBE,
        message=hint
        or _(
            "Sorry, we did not understand. Please say it in other words, "
            "or choose a category."
        ),
        push=False,
    )
