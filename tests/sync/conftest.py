"""Fixtures for the outbox and sync tests: a real server, fake time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kiosk.catalog import Catalog, load_catalog
from kiosk.store import Outbox
from kiosk.sync.backend import DEMO_API_KEY, ReferenceBackend
from kiosk.sync.client import Open311Client
from kiosk.sync.engine import Syncer
from kiosk.sync.server import ReferenceServer
from kiosk.sync.services import services_document
from tests.sync.sync_helpers import FakeTime


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture(scope="session")
def local_catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def start_server(
    tmp_path: Path, local_catalog: Catalog
) -> Iterator[Callable[..., ReferenceServer]]:
    """Start reference servers on ephemeral loopback ports; stops them all."""
    servers: list[ReferenceServer] = []

    def start(**options: Any) -> ReferenceServer:
        db = tmp_path / f"backend-{len(servers)}.sqlite3"
        backend = ReferenceBackend(
            db, services=services_document(local_catalog), **options
        )
        server = ReferenceServer(backend).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def server(start_server: Callable[..., ReferenceServer]) -> ReferenceServer:
    return start_server()


@pytest.fixture
def outbox(tmp_path: Path, fake_time: FakeTime) -> Iterator[Outbox]:
    with Outbox.in_data_dir(tmp_path / "data", "T", clock=fake_time.wall_clock) as box:
        yield box


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    # trust_env=False: a proxy from the environment must not see loopback.
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        yield client


@pytest.fixture
def make_syncer(
    outbox: Outbox, http: httpx.Client, fake_time: FakeTime
) -> Callable[..., Syncer]:
    def make(server_url: str, api_key: str = DEMO_API_KEY, **options: Any) -> Syncer:
        client = Open311Client(http, server_url, api_key=api_key)
        options.setdefault("budget_s", 120.0)
        return Syncer(
            outbox,
            client,
            address="Calea Moților 3, Cluj-Napoca",
            device_id="test-kiosk",
            clock=fake_time.clock,
            sleep=fake_time.sleep,
            wall_clock=fake_time.wall_clock,
            **options,
        )

    return make
