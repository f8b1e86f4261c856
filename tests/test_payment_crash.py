"""SIGKILL the kiosk at every step of a card payment, then restart it.

The simulated terminal keeps its state in its own file, so it outlives the
killed process as a real terminal would. After each restart the journal and
the terminal must agree, and a second attempt must not charge twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.hardware.simulated_terminal import Behaviour, LinkLost, SimulatedTerminal
from kiosk.payments.journal import PaymentJournal, PaymentState
from kiosk.payments.service import PaymentService, Quote
from kiosk.store import Outbox

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
QUOTE = Quote("fee:A-00001", 9400)

KIOSK = """
import os, signal, sys
from pathlib import Path
from kiosk.hardware.simulated_terminal import Behaviour, LinkLost, SimulatedTerminal
from kiosk.payments.journal import PaymentJournal
from kiosk.payments.service import PaymentService, Quote
from kiosk.store import Outbox

data_dir, die_at, behaviour, link_lost = sys.argv[1:5]

def step(name):
    print(name, flush=True)
    if name == die_at:
        os.kill(os.getpid(), signal.SIGKILL)

with Outbox.in_data_dir(Path(data_dir)) as outbox:
    terminal = SimulatedTerminal(
        Path(data_dir) / "terminal.json",
        behaviours=[Behaviour(behaviour)],
        link_lost=LinkLost(link_lost),
        step_hook=step,
    )
    service = PaymentService(
        PaymentJournal(outbox), terminal, lambda: True, checkpoint=step
    )
    service.recover()
    payment = service.pay(Quote("fee:A-00001", 9400))
    print("done", payment.state.value, flush=True)
"""


def start_kiosk(
    data_dir: Path, die_at: str, behaviour: Behaviour, link_lost: LinkLost
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            KIOSK,
            str(data_dir),
            die_at,
            behaviour.value,
            link_lost.value,
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def restart_and_check(data_dir: Path, link_lost: LinkLost) -> None:
    """Start again: recover, compare with the terminal, let the citizen retry."""
    with Outbox.in_data_dir(data_dir) as outbox:
        journal = PaymentJournal(outbox)
        terminal = SimulatedTerminal(data_dir / "terminal.json", link_lost=link_lost)
        service = PaymentService(journal, terminal, lambda: True, wait=lambda s: None)

        service.recover()
        assert_agree(journal, terminal)

        # The citizen (or the session resuming) tries to pay the same fee.
        again = service.pay(QUOTE)
        assert again.charged
        assert_agree(journal, terminal)
        charges = charged_on_terminal(terminal)
        assert len(charges) == 1, "charged twice"
        charged = journal.by_reference(charges.pop())
        assert charged is not None and charged.purpose == QUOTE.purpose


def charged_on_terminal(terminal: SimulatedTerminal) -> set[str]:
    return {
        t.reference
        for t in terminal.transactions
        if t.outcome.charged and not t.reversed
    }


def assert_agree(journal: PaymentJournal, terminal: SimulatedTerminal) -> None:
    assert journal.list(PaymentState.IN_FLIGHT) == []
    approved = {p.reference for p in journal.list(PaymentState.APPROVED)}
    assert approved == charged_on_terminal(terminal), "approved but unrecorded"
    for sale in terminal.transactions:
        payment = journal.by_reference(sale.reference)
        assert payment is not None
        assert payment.charged == (sale.outcome.charged and not sale.reversed)


@pytest.mark.parametrize(
    ("die_at", "behaviour", "link_lost"),
    [
        ("intent_written", Behaviour.APPROVE, LinkLost.ABORT),
        ("busy", Behaviour.APPROVE, LinkLost.ABORT),
        ("busy", Behaviour.APPROVE, LinkLost.COMPLETE),
        ("decided", Behaviour.APPROVE, LinkLost.ABORT),
        ("decided", Behaviour.DECLINE, LinkLost.ABORT),
        ("decided", Behaviour.LOSE_ANSWER, LinkLost.ABORT),
        ("result_written", Behaviour.APPROVE, LinkLost.ABORT),
    ],
)
def test_a_kill_at_any_step_never_loses_or_doubles_a_charge(
    tmp_path: Path, die_at: str, behaviour: Behaviour, link_lost: LinkLost
) -> None:
    kiosk = start_kiosk(tmp_path, die_at, behaviour, link_lost)
    out, err = kiosk.communicate(timeout=60)

    assert kiosk.returncode == -signal.SIGKILL, err
    assert out.split()[-1] == die_at
    restart_and_check(tmp_path, link_lost)


@pytest.mark.parametrize("link_lost", list(LinkLost))
def test_a_kill_from_outside_while_the_terminal_waits_for_a_card(
    tmp_path: Path, link_lost: LinkLost
) -> None:
    kiosk = start_kiosk(tmp_path, "never", Behaviour.WAIT_FOR_CANCEL, link_lost)
    try:
        assert kiosk.stdout is not None
        for line in kiosk.stdout:
            if line.strip() == "busy":
                break
        os.kill(kiosk.pid, signal.SIGKILL)
    finally:
        kiosk.communicate(timeout=60)

    assert kiosk.returncode == -signal.SIGKILL
    restart_and_check(tmp_path, link_lost)


def test_a_restarted_kiosk_does_not_charge_again_a_fee_it_recovered(
    tmp_path: Path,
) -> None:
    kiosk = start_kiosk(tmp_path, "decided", Behaviour.APPROVE, LinkLost.ABORT)
    kiosk.communicate(timeout=60)
    assert kiosk.returncode == -signal.SIGKILL

    # The same flow runs again: recovery records the first approval, and the
    # retried payment finds the fee paid without starting a second sale.
    kiosk = start_kiosk(tmp_path, "busy", Behaviour.APPROVE, LinkLost.ABORT)
    out, err = kiosk.communicate(timeout=60)
    assert kiosk.returncode == 0, err
    assert out.splitlines() == ["done approved"]
    restart_and_check(tmp_path, LinkLost.ABORT)
