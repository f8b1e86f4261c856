"""Fixtures for the payment tests: an outbox, a simulated terminal, the service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.hardware.simulated_terminal import SimulatedTerminal
from kiosk.payments.journal import PaymentJournal
from kiosk.payments.service import PaymentService
from kiosk.store import Outbox


class Backend:
    """A switch standing for "the back-end answers" in the payment flows."""

    def __init__(self) -> None:
        self.reachable = True

    def __call__(self) -> bool:
        return self.reachable


@pytest.fixture
def outbox(data_dir: Path) -> Iterator[Outbox]:
    with Outbox.in_data_dir(data_dir) as box:
        yield box


@pytest.fixture
def journal(outbox: Outbox) -> PaymentJournal:
    return PaymentJournal(outbox)


@pytest.fixture
def terminal_state(data_dir: Path) -> Path:
    return data_dir / "terminal.json"


@pytest.fixture
def simulated_terminal(terminal_state: Path) -> SimulatedTerminal:
    return SimulatedTerminal(terminal_state)


@pytest.fixture
def backend() -> Backend:
    return Backend()


@pytest.fixture
def waits() -> list[float]:
    """Every pause the payment service asked for, instead of pausing."""
    return []


@pytest.fixture
def payment_service(
    journal: PaymentJournal,
    simulated_terminal: SimulatedTerminal,
    backend: Backend,
    waits: list[float],
) -> PaymentService:
    return PaymentService(journal, simulated_terminal, backend, wait=waits.append)
