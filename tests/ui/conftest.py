"""Fixtures for the touch-screen tests: a real core and a running window."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from kiosk.app import Core, build_core
from kiosk.config import Settings
from tests.helpers.ui import Kiosk, start_kiosk


@pytest.fixture
def core(settings: Settings) -> Iterator[Core]:
    """The real core on the test's own data directory."""
    built = build_core(settings)
    yield built
    built.close()


@pytest.fixture
def kiosk(qtbot: QtBot, core: Core) -> Iterator[Kiosk]:
    """The touch screen, started on the attract screen."""
    running = start_kiosk(qtbot, core)
    yield running
    running.controller.shutdown()
