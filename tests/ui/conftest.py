"""Fixtures for the touch-screen tests: a real core and a running window."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from kiosk.app import Core
from tests.helpers.ui import Kiosk, start_kiosk


@pytest.fixture
def kiosk(qtbot: QtBot, core: Core) -> Iterator[Kiosk]:
    """The touch screen, started on the attract screen."""
    running = start_kiosk(qtbot, core)
    yield running
    running.controller.shutdown()
