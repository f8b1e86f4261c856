"""Fixtures for the touch-screen tests: a real core and a running window."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from kiosk.app import Core
from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.routing import Router
from tests.helpers.keypad import start_listening_kiosk
from tests.helpers.payments import Backend, paying_core
from tests.helpers.ui import Kiosk, start_kiosk


@pytest.fixture
def kiosk(qtbot: QtBot, core: Core) -> Iterator[Kiosk]:
    """The touch screen, started on the attract screen."""
    running = start_kiosk(qtbot, core)
    yield running
    running.controller.shutdown()


@pytest.fixture
def pay_core(settings: Settings, catalog: Catalog, router: Router) -> Iterator[Core]:
    """A core whose card payments reach the simulated terminal.

    A test module that needs other payment settings defines its own.
    """
    core = paying_core(settings, catalog, router, Backend())
    yield core
    core.close()


@pytest.fixture
def paying_kiosk(qtbot: QtBot, pay_core: Core) -> Iterator[Kiosk]:
    """The window on ``pay_core`` at the kiosk's 1920x1080, speech recorded."""
    running = start_listening_kiosk(qtbot, pay_core)
    yield running
    running.controller.shutdown()
