"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os

# Qt must know its platform before PySide6 is first imported; without a
# display a QApplication would abort the whole run. Window tests that need a
# real X server start the kiosk in a subprocess with the xcb platform.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from kiosk.catalog import Catalog, load_catalog  # noqa: E402
from kiosk.config import Settings, load_settings  # noqa: E402


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The catalogue shipped with the kiosk."""
    return load_catalog()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data directory for one test."""
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    """Default (demo) settings with the test's own data directory."""
    return load_settings(None, data_dir)
