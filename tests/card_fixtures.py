"""Fixtures: our own pcscd with the virtual reader, and virtual cards to insert.

vpcd listens on 0.0.0.0:35963, so these fixtures skip unless the test run is
inside a private network namespace (see tests/virtual_card.py).
"""

from __future__ import annotations

import fcntl
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from tests.virtual_card import (
    LOCK_FILE,
    VPCD_DRIVER,
    CardSlot,
    Pcscd,
    in_private_network_namespace,
    make_payment_card,
)


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pcscd]:
    """Our own pcscd with the virtual reader, inside a private netns only."""
    if not in_private_network_namespace():
        pytest.skip(
            "vpcd listens on 0.0.0.0:35963; run under "
            "`unshare --net sh -c 'ip link set lo up && exec ...'`"
        )
    if not VPCD_DRIVER.exists():
        pytest.skip(f"{VPCD_DRIVER} missing: apt-get install vsmartcard-vpcd pcscd")
    pytest.importorskip("smartcard")
    LOCK_FILE.parent.mkdir(parents=True, exist_ok=True)
    with LOCK_FILE.open("w") as lock:
        # Serialises concurrent runs of this suite on one machine.
        deadline = time.monotonic() + 300
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    pytest.fail("another test run holds the pcscd lock for 300 s")
                threading.Event().wait(0.2)
        service = Pcscd(tmp_path_factory.mktemp("pcscd"))
        service.start()
        try:
            yield service
        finally:
            service.stop()


@pytest.fixture
def card_slot(pcscd: Pcscd) -> Iterator[Callable[..., CardSlot]]:
    """Insert a virtual card: ``card_slot(t0_style=False, ...)``."""
    slots: list[CardSlot] = []

    def insert(**options: object) -> CardSlot:
        slot = CardSlot(make_payment_card(**options))
        slot.insert()
        slots.append(slot)
        return slot

    yield insert
    for slot in slots:
        slot.remove()
