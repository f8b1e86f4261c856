"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os

# Qt must know its platform before PySide6 is first imported; without a
# display a QApplication would abort the whole run. Window tests that need a
# real X server start the kiosk in a subprocess with the xcb platform.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import subprocess  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from kiosk.app import Core, build_core  # noqa: E402
from kiosk.catalog import Catalog, load_catalog  # noqa: E402
from kiosk.config import Settings, load_settings  # noqa: E402
from kiosk.routing import Router  # noqa: E402


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The catalogue shipped with the kiosk."""
    return load_catalog()


@pytest.fixture(scope="session")
def router(catalog: Catalog) -> Router:
    """The trained router, built once for the whole run."""
    return Router(catalog)


@pytest.fixture
def core(settings: Settings, catalog: Catalog, router: Router) -> Iterator[Core]:
    """The kiosk's core objects on the test's data directory."""
    core = build_core(settings, catalog, router)
    yield core
    core.close()


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


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 512 KiB tmpfs, to fill up; skipped where mounting is not allowed."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    done = subprocess.run(
        [
            "mount",
            "-t",
            "tmpfs",
            "-o",
            "size=512k,mode=0755",
            "tmpfs",
            str(mount_point),
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill_disk(folder: Path) -> Path:
    """Write a file until the disk under ``folder`` is full; return it."""
    filler = folder / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass  # ENOSPC: the disk is full, which is the point
    finally:
        os.close(fd)
    return filler
