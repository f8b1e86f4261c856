"""Routing: citizen text in any kiosk language to the service that handles it.

The public surface is small on purpose: a :class:`Router` ranks services for a
text, and :func:`decide` turns a ranking into what the session should do;
:meth:`Router.route` does both, with the checks that need the text itself
(gibberish, two topics in one request).
"""

from kiosk.routing.candidate import Candidate
from kiosk.routing.decision import Decision, DecisionKind, decide
from kiosk.routing.protocol import Routing
from kiosk.routing.router import Router

__all__ = ["Candidate", "Decision", "DecisionKind", "Router", "Routing", "decide"]
