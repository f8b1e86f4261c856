"""Routing: citizen text in any kiosk language to the service that handles it.

The public surface is small on purpose: a :class:`Router` ranks services for a
text, and :func:`decide` turns a ranking into what the session should do.
"""

from kiosk.routing.decision import Decision, DecisionKind, decide
from kiosk.routing.router import Candidate, Router

__all__ = ["Candidate", "Decision", "DecisionKind", "Router", "decide"]
