"""A simulated payment terminal that keeps its own state in a file.

The demo mode and the tests use it in place of a certified terminal. Like a
real terminal it remembers its transactions across a restart of the kiosk
process: its journal is a JSON file rewritten atomically (temporary file,
fsync, rename) at every step of a sale. It can rehearse every answer the
payment flow must survive: approve, decline, no card presented, an answer
lost on the way back, an answer only given to a later "last transaction"
query, a sale that runs until cancelled, and a terminal that is unplugged.
"""

from __future__ import annotations

import enum
import json
import logging
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from kiosk.hardware.payment_terminal import (
    Outcome,
    Sale,
    TerminalBusyError,
    TerminalError,
    TerminalNoAnswerError,
    TerminalResult,
    TerminalStatus,
    TerminalUnavailableError,
)

logger = logging.getLogger(__name__)


class Behaviour(enum.Enum):
    """How the simulated terminal handles the next sale."""

    APPROVE = "approve"
    DECLINE = "decline"
    TIME_OUT = "time_out"
    """No card is presented: the terminal gives up, nothing is charged."""
    LOSE_ANSWER = "lose_answer"
    """The card is charged but the answer is lost; start_sale raises."""
    ANSWER_LATER = "answer_later"
    """As LOSE_ANSWER, and the next last_transaction() calls still say busy."""
    WAIT_FOR_CANCEL = "wait_for_cancel"
    """The sale runs until cancel() or the sale timeout."""
    UNAVAILABLE = "unavailable"
    """The terminal is unplugged: nothing is started."""


class LinkLost(enum.Enum):
    """What the terminal did with a sale whose kiosk died mid-way."""

    ABORT = "abort"
    COMPLETE = "complete"
    """The citizen tapped the card anyway and it was approved."""


StepHook = Callable[[str], None]
"""Called with "busy" and "decided" once that state is on disk (crash tests)."""


class SimulatedTerminal:
    """A payment terminal simulated in-process, persisted in ``state_file``."""

    def __init__(
        self,
        state_file: Path,
        terminal_id: str = "SIM00001",
        behaviours: Iterable[Behaviour] = (),
        link_lost: LinkLost = LinkLost.ABORT,
        sale_timeout_s: float = 60.0,
        card_last4: str = "0119",
        step_hook: StepHook | None = None,
    ) -> None:
        self.state_file = state_file
        self.terminal_id = terminal_id
        self.behaviours = list(behaviours)
        """Behaviours for the coming sales, first one next; then APPROVE."""
        self.default_behaviour = Behaviour.APPROVE
        self.sale_timeout_s = sale_timeout_s
        self.card_last4 = card_last4
        self.late_answer_queries = 2
        """How many last_transaction() calls say busy after ANSWER_LATER."""
        self._step_hook = step_hook
        self._cancelled = threading.Event()
        self._lock = threading.Lock()
        self._busy_in_process = False
        self._queries_left = 0
        self._state = self._load()
        self._finish_interrupted_sale(link_lost)

    @property
    def transactions(self) -> list[TerminalResult]:
        """Every transaction the terminal has recorded, oldest first."""
        return [_result_from_dict(row) for row in self._state["transactions"]]

    def start_sale(self, sale: Sale) -> TerminalResult:
        """Run one simulated sale."""
        behaviour = (
            self.behaviours.pop(0) if self.behaviours else self.default_behaviour
        )
        if behaviour is Behaviour.UNAVAILABLE:
            raise TerminalUnavailableError(self.terminal_id, "simulated: unplugged")
        with self._lock:
            if self._busy_in_process:
                raise TerminalBusyError(self.terminal_id, "a sale is in progress")
            self._busy_in_process = True
            self._cancelled.clear()
        try:
            return self._run_sale(sale, behaviour)
        finally:
            with self._lock:
                self._busy_in_process = False

    def _run_sale(self, sale: Sale, behaviour: Behaviour) -> TerminalResult:
        self._state["busy"] = {
            "reference": sale.reference,
            "amount_bani": sale.amount_bani,
            "currency": sale.currency,
        }
        self._save()
        logger.info("Simulated terminal: sale started, reference=%s", sale.reference)
        self._step("busy")

        outcome = {
            Behaviour.APPROVE: Outcome.APPROVED,
            Behaviour.DECLINE: Outcome.DECLINED,
            Behaviour.TIME_OUT: Outcome.TIMED_OUT,
            Behaviour.LOSE_ANSWER: Outcome.APPROVED,
            Behaviour.ANSWER_LATER: Outcome.APPROVED,
        }.get(behaviour)
        if outcome is None:  # WAIT_FOR_CANCEL
            cancelled = self._cancelled.wait(self.sale_timeout_s)
            outcome = Outcome.CANCELLED if cancelled else Outcome.TIMED_OUT
        elif self._cancelled.is_set():
            outcome = Outcome.CANCELLED
        result = self._record(sale.reference, sale.amount_bani, sale.currency, outcome)
        self._step("decided")

        if behaviour in (Behaviour.LOSE_ANSWER, Behaviour.ANSWER_LATER):
            if behaviour is Behaviour.ANSWER_LATER:
                self._queries_left = self.late_answer_queries
            raise TerminalNoAnswerError(self.terminal_id, "simulated: answer lost")
        return result

    def cancel(self) -> None:
        """Stop a sale that waits for a card."""
        self._cancelled.set()

    def last_transaction(self) -> TerminalResult | None:
        """The latest recorded transaction, as a real terminal reports it."""
        if self._busy_in_process:
            raise TerminalBusyError(self.terminal_id, "a sale is in progress")
        if self._queries_left > 0:
            self._queries_left -= 1
            raise TerminalBusyError(self.terminal_id, "simulated: still processing")
        rows = self._state["transactions"]
        return _result_from_dict(rows[-1]) if rows else None

    def reverse(self, transaction_id: str) -> TerminalResult:
        """Mark an approved transaction as reversed."""
        for row in self._state["transactions"]:
            if row["transaction_id"] == transaction_id:
                if row["outcome"] != Outcome.APPROVED.value:
                    raise TerminalError(self.terminal_id, "only approvals reverse")
                row["reversed"] = True
                self._save()
                logger.info("Simulated terminal: %s reversed", transaction_id)
                return _result_from_dict(row)
        raise TerminalError(self.terminal_id, f"no transaction {transaction_id}")

    def status(self) -> TerminalStatus:
        """BUSY during a sale, NOT_ANSWERING when set to be unplugged."""
        if self.behaviours and self.behaviours[0] is Behaviour.UNAVAILABLE:
            return TerminalStatus.NOT_ANSWERING
        return TerminalStatus.BUSY if self._busy_in_process else TerminalStatus.READY

    def close(self) -> None:
        """Nothing to release; the state is already on disk."""

    def _finish_interrupted_sale(self, link_lost: LinkLost) -> None:
        busy = self._state.get("busy")
        if not busy:
            return
        outcome = (
            Outcome.APPROVED if link_lost is LinkLost.COMPLETE else Outcome.CANCELLED
        )
        logger.info(
            "Simulated terminal: sale %s was interrupted, now %s",
            busy["reference"],
            outcome.value,
        )
        self._record(busy["reference"], busy["amount_bani"], busy["currency"], outcome)

    def _record(
        self, reference: str, amount_bani: int, currency: str, outcome: Outcome
    ) -> TerminalResult:
        seq = int(self._state["next_seq"])
        charged = outcome.charged
        result = TerminalResult(
            reference=reference,
            outcome=outcome,
            amount_bani=amount_bani,
            currency=currency,
            terminal_id=self.terminal_id,
            transaction_id=f"{self.terminal_id}-{seq:06d}",
            masked_pan=f"**** {self.card_last4}"
            if outcome is not Outcome.TIMED_OUT
            else "",
            auth_code=f"{seq * 7919 % 1_000_000:06d}" if charged else "",
        )
        self._state["next_seq"] = seq + 1
        self._state["busy"] = None
        self._state["transactions"].append(_result_to_dict(result))
        self._save()
        logger.info("Simulated terminal: reference=%s %s", reference, outcome.value)
        return result

    def _step(self, name: str) -> None:
        if self._step_hook is not None:
            self._step_hook(name)

    def _load(self) -> dict[str, Any]:
        try:
            text = self.state_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"next_seq": 1, "busy": None, "transactions": []}
        except OSError as exc:
            raise TerminalUnavailableError(
                self.terminal_id, f"cannot read {self.state_file}: {exc.strerror}"
            ) from exc
        except UnicodeDecodeError as exc:
            raise self._corrupt("it is not UTF-8 text") from exc
        try:
            state = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise self._corrupt(f"it is not valid JSON ({exc})") from exc
        problem = _state_problem(state)
        if problem is not None:
            raise self._corrupt(problem)
        return dict(state)

    def _corrupt(self, why: str) -> TerminalUnavailableError:
        # Never start afresh over it: the file may hold an approved sale
        # that the payment journal still has to settle.
        return TerminalUnavailableError(
            self.terminal_id,
            f"the state file {self.state_file} is unusable: {why}; it was "
            "left untouched for a technician to repair or move aside",
        )

    def _save(self) -> None:
        # Write-then-rename with fsyncs: a SIGKILL at any point leaves either
        # the old or the new state, never a torn file, as a terminal would.
        tmp = self.state_file.with_suffix(".tmp")
        try:
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            with tmp.open("w", encoding="utf-8") as handle:
                json.dump(self._state, handle, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.state_file)
            dir_fd = os.open(self.state_file.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as exc:
            raise TerminalUnavailableError(
                self.terminal_id, f"cannot write {self.state_file}: {exc.strerror}"
            ) from exc


def _state_problem(state: object) -> str | None:
    """What is wrong with a loaded state, or None if it can be used."""
    if not isinstance(state, dict):
        return f"it holds a JSON {type(state).__name__}, not an object"
    seq, busy, rows = (state.get(k) for k in ("next_seq", "busy", "transactions"))
    if type(seq) is not int or seq < 1:
        return f"next_seq is {seq!r}, not a positive integer"
    if busy is not None and not (
        isinstance(busy, dict)
        and {"reference", "amount_bani", "currency"} <= busy.keys()
    ):
        return f"busy is {busy!r}, not a sale"
    if not isinstance(rows, list):
        return "transactions is not a list"
    for number, row in enumerate(rows, start=1):
        try:
            _result_from_dict(row)
        except (TypeError, ValueError, KeyError) as exc:
            return f"transaction {number} is not a terminal result ({exc})"
    return None


def _result_to_dict(result: TerminalResult) -> dict[str, Any]:
    row = asdict(result)
    row["outcome"] = result.outcome.value
    return row


def _result_from_dict(row: dict[str, Any]) -> TerminalResult:
    return TerminalResult(**{**row, "outcome": Outcome(row["outcome"])})
