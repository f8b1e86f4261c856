"""One trained router shared by the routing test modules."""

from __future__ import annotations

import functools

from kiosk.catalog import load_catalog
from kiosk.routing import Router


@functools.cache
def shared_router() -> Router:
    return Router(load_catalog())
