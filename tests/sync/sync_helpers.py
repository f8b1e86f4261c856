"""Helpers shared by the outbox and sync tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from kiosk.store import NewRequest, Outbox, QueuedRequest
from kiosk.sync.server import ReferenceServer

FILEABLE = "general.registry_submission"


class FakeTime:
    """A monotonic clock, a sleep that only moves it, and a UTC wall clock."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self.wall = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def wall_clock(self) -> datetime:
        return self.wall

    def advance_days(self, days: float) -> None:
        self.wall += timedelta(days=days)


def file_requests(
    outbox: Outbox, count: int, service_code: str = FILEABLE, **fields: Any
) -> list[QueuedRequest]:
    return [
        outbox.enqueue(
            NewRequest(
                service_code=service_code,
                department="cic",
                language="ro",
                text=f"cererea numărul {n}",
                **fields,
            )
        )
        for n in range(count)
    ]


def assert_each_stored_once(server: ReferenceServer, outbox: Outbox) -> None:
    """The server holds every outbox request exactly once, under its id."""
    rows = server.backend.stored()
    keys = [row["idempotency_key"] for row in rows]
    assert len(keys) == len(set(keys)), "a request was filed twice"
    requests = outbox.list()
    assert sorted(keys) == sorted(r.uuid for r in requests)
    ids = {row["idempotency_key"]: row["service_request_id"] for row in rows}
    for request in requests:
        assert request.server_id == ids[request.uuid]
