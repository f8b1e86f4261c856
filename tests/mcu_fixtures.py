"""Stand-ins for the MCU, camera and diagnostics tests (fixtures live here)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from firmware_bridge.link import McuLink, McuStatus
from firmware_bridge.simulator import SimulatedMcu

FAST_LINK = {
    "heartbeat_s": 0.05,
    "out_of_service_s": 0.4,
    "silence_s": 0.4,
    "reconnect_s": 0.05,
    "retry_s": 0.1,
}
"""Link timings short enough for tests, long enough for a busy 2-core box."""

WAIT_S = 5.0
"""Upper bound for any wait on the link; passing tests wait far less."""


@contextmanager
def running_simulator(folder: Path) -> Iterator[SimulatedMcu]:
    """A simulated MCU on a pty, linked at ``folder/ttyMCU``."""
    mcu = SimulatedMcu(folder / "ttyMCU", retry_s=0.1)
    mcu.start()
    try:
        yield mcu
    finally:
        mcu.close()


@contextmanager
def running_link(path: Path, events: list[object] | None = None) -> Iterator[McuLink]:
    """A host link on ``path`` with test timings."""
    on_event = events.append if events is not None else None
    link = McuLink(str(path), on_event=on_event, **FAST_LINK)
    link.start()
    try:
        yield link
    finally:
        link.close()


def wait(link: McuLink, predicate: Callable[[McuStatus], bool]) -> McuStatus:
    """The link status once ``predicate`` holds; fails the test otherwise."""
    status = link.wait_until(predicate, WAIT_S)
    assert status is not None, f"timed out; last status {link.status()}"
    return status
