"""Helpers for payment flow tests: a core with a switchable back-end."""

from __future__ import annotations

from collections.abc import Callable

from kiosk.app import Core, build_core
from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.hardware.simulated_terminal import SimulatedTerminal
from kiosk.routing import Routing


class Backend:
    """Stands for "the back-end answers"; a test flips ``reachable``."""

    def __init__(self) -> None:
        self.reachable = True
        self.asked = 0

    def __call__(self) -> bool:
        self.asked += 1
        return self.reachable


def paying_core(
    settings: Settings,
    catalog: Catalog,
    router: Routing,
    backend: Callable[[], bool],
) -> Core:
    """A real core whose payments use the simulated terminal, without waits."""
    core = build_core(settings, catalog, router, backend_reachable=backend)
    assert core.payments is not None
    # A busy terminal is asked again at once instead of after a second.
    core.payments.service.busy_retry_s = 0.0
    return core


def terminal_of(core: Core) -> SimulatedTerminal:
    """The simulated terminal behind the core's payment desk."""
    assert core.payments is not None
    terminal = core.payments.service.terminal
    assert isinstance(terminal, SimulatedTerminal)
    return terminal
