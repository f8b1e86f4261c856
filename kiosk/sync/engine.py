"""The sync engine: drains the outbox into the back-end, pulls statuses.

One run (:meth:`Syncer.run_once`) pushes every undelivered request, resolves
tokens, pulls the status of tickets still open and purges contact details
past their retention. Requests are claimed in batches and their outcomes
written back in one transaction per batch, so the disk sees a few syncs per
hundred requests rather than one per request.

Transient failures are retried with exponential back-off and jitter, and a
``Retry-After`` from the back-end is obeyed. A run never outlives its time
budget: what is left stays queued for the next run. Because every POST
carries the request's UUID as ``Idempotency-Key``, a request whose answer
was lost (timeout, dropped connection, killed process) is posted again
without being filed twice. Clock, sleep and randomness are injected.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kiosk.catalog import Catalog, CatalogError
from kiosk.store import UNDELIVERED, Outbox, Outcome, OutcomeKind, QueuedRequest
from kiosk.sync import open311
from kiosk.sync.client import Open311Client
from kiosk.sync.errors import (
    BackendAuthError,
    BackendEndpointError,
    BackendRejectedError,
    BackendUnavailableError,
    NotOpen311Error,
    SyncError,
)
from kiosk.sync.run_lock import run_lock
from kiosk.sync.services import merged_catalog_document, write_catalog

logger = logging.getLogger(__name__)

STATUS_BATCH = 50
"""Service request ids per GET requests.json (keeps the URL short)."""


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait between attempts after transient failures."""

    base_s: float = 0.5
    """Wait after the first failure, before jitter, in seconds."""
    cap_s: float = 60.0
    """Longest wait between two attempts, in seconds."""
    max_consecutive_failures: int = 6
    """Failures in a row after which the run gives up (back-end down)."""

    def delay(self, failures: int, rng: random.Random) -> float:
        """The wait after ``failures`` failures in a row, with jitter."""
        ceiling = min(self.cap_s, self.base_s * 2.0 ** max(0, failures - 1))
        # Half fixed, half random: kiosks that lost the network together
        # do not all come back at the same instant.
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


@dataclass
class RunReport:
    """What one sync run did."""

    sent: int = 0
    tokens: int = 0
    rejected: int = 0
    failed_attempts: int = 0
    resolved_tokens: int = 0
    statuses: int = 0
    purged: int = 0
    catalog_services: int | None = None
    """Services in the pulled catalogue, None when it was not pulled."""
    remaining: int = 0
    """Requests still undelivered (queued or sending) after the run."""
    problems: list[str] = field(default_factory=list)
    """Why the run stopped early or skipped a step, for the operator."""
    busy: bool = False
    """True when another run held the lock, so this one did nothing."""

    @property
    def delivered_all(self) -> bool:
        """True when nothing is left to deliver and nothing was refused."""
        return self.remaining == 0 and self.rejected == 0

    def summary(self) -> str:
        """One line for the log and the terminal."""
        if self.busy:
            return ANOTHER_RUN
        return (
            f"sent {self.sent}, deferred with token {self.tokens}, rejected "
            f"{self.rejected}, tokens resolved {self.resolved_tokens}, statuses "
            f"{self.statuses}, contacts purged {self.purged}, still queued "
            f"{self.remaining}"
        )


STOPPED = "stopped on request; what is left stays queued"
"""The problem reported by a run that its stop event ended early."""
ANOTHER_RUN = "another sync run is in progress; this one did nothing"
"""The summary of a run that found the lock taken."""


class _PushStoppedError(Exception):
    """The push cannot go on in this run (budget spent, back-end down)."""


class Syncer:
    """Moves requests from the outbox to an Open311 back-end and back."""

    def __init__(
        self,
        outbox: Outbox,
        client: Open311Client,
        *,
        address: str,
        device_id: str,
        budget_s: float = 120.0,
        purge_after: timedelta = timedelta(days=30),
        policy: RetryPolicy | None = None,
        batch_size: int = 200,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        wall_clock: Callable[[], datetime] | None = None,
        catalog: Catalog | None = None,
        catalog_path: Path | None = None,
        lock_path: Path | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.outbox = outbox
        self.client = client
        self.address = address
        self.device_id = device_id
        self.budget_s = budget_s
        self.purge_after = purge_after
        self.policy = policy or RetryPolicy()
        self.batch_size = batch_size
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._wall_clock = wall_clock or (lambda: datetime.now(UTC))
        self.catalog = catalog
        """The local catalogue the pulled service list is merged with."""
        self.catalog_path = catalog_path
        """Where the merged catalogue is written; None skips the pull."""
        self.lock_path = lock_path
        """The lock file that keeps runs from overlapping; None for tests
        that drive one syncer alone."""
        self.stop = stop or threading.Event()
        """Set (on SIGTERM) to end the run between two requests; what is
        left stays queued for the next run."""
        self._deadline = 0.0
        self._failures = 0
        self._pending: list[Outcome] = []
        # No HTTP call may outlive the run's budget either.
        client.time_left = lambda: self._deadline - self._clock()

    def run_once(self) -> RunReport:
        """Push, resolve tokens, pull statuses, purge; within the budget.

        When another run holds the lock, returns at once a report with
        ``busy`` set: that run delivers what is queued.
        """
        if self.lock_path is None:
            return self._run_unlocked()
        with run_lock(self.lock_path) as held:
            if held:
                return self._run_unlocked()
        logger.info("Sync run skipped: %s", ANOTHER_RUN)
        return RunReport(busy=True, problems=[ANOTHER_RUN])

    def _run_unlocked(self) -> RunReport:
        report = RunReport()
        started = self._wall_clock()
        self._deadline = self._clock() + self.budget_s
        self._failures = 0
        try:
            self.push(report)
            self.resolve_tokens(report)
            self.pull_statuses(report)
            self.pull_catalog(report)
        except BackendAuthError as exc:
            logger.error("Sync stopped: %s", exc)
            report.problems.append(str(exc))
        cutoff = self._wall_clock() - self.purge_after
        report.purged = self.outbox.purge_contact(cutoff)
        counts = self.outbox.counts()
        report.remaining = sum(counts[state] for state in UNDELIVERED)
        logger.info("Sync run: %s", report.summary())
        result = (
            "ok"
            if report.delivered_all
            else "; ".join(report.problems) or ("not everything was delivered")
        )
        self.outbox.record_sync_run(
            started, self._wall_clock(), result, report.summary()
        )
        return report

    def push(self, report: RunReport) -> None:
        """Post undelivered requests until none is left or the run must end."""
        while self._clock() < self._deadline:
            if self.stop.is_set():
                report.problems.append(STOPPED)
                return
            batch = self.outbox.claim(self.batch_size)
            if not batch:
                return
            done = 0
            try:
                for request in batch:
                    # _deliver may flush and replace the pending list.
                    outcome = self._deliver(request, report)
                    self._pending.append(outcome)
                    done += 1
            except _PushStoppedError as exc:
                report.problems.append(str(exc))
                if str(exc) == STOPPED:
                    logger.info("Sync push stopped: %s", exc)
                else:
                    logger.warning("Sync push stopped: %s", exc)
                return
            finally:
                released = [
                    Outcome(r.uuid, OutcomeKind.RELEASED, 0) for r in batch[done:]
                ]
                self._flush(released)
        report.problems.append("the time budget ran out with requests still queued")

    def _deliver(self, request: QueuedRequest, report: RunReport) -> Outcome:
        form = open311.request_form(
            request,
            api_key=self.client.api_key,
            jurisdiction_id=self.client.jurisdiction_id,
            address=self.address,
            device_id=self.device_id,
        )
        attempts = 0
        while True:
            if self.stop.is_set():
                raise _PushStoppedError(STOPPED)
            if self._clock() >= self._deadline:
                raise _PushStoppedError(
                    "the time budget ran out with requests still queued"
                )
            uuid = request.uuid
            attempts += 1
            try:
                answer = self.client.post_request(form, request.uuid)
                if self._id_taken(answer.service_request_id, uuid, self._pending):
                    raise NotOpen311Error(
                        self.client.endpoint + "requests.json",
                        "answered with the id of another request",
                    )
            except BackendRejectedError as exc:
                # Only the length: a reason may quote the request's contact
                # details or text; kiosk queue show has the (capped) text.
                logger.warning(
                    "Request %s rejected by the back-end (HTTP %d);"
                    " kiosk queue show %s gives the reason",
                    request.ticket,
                    exc.status,
                    request.ticket,
                )
                report.rejected += 1
                return Outcome(request.uuid, OutcomeKind.REJECTED, attempts, exc.reason)
            except BackendEndpointError as exc:
                # Every other request would get the same answer: keep them
                # all queued and let the operator fix the settings.
                report.failed_attempts += 1
                self._pending.append(
                    Outcome(request.uuid, OutcomeKind.FAILED, attempts, str(exc))
                )
                raise _PushStoppedError(str(exc)) from exc
            except BackendUnavailableError as exc:
                report.failed_attempts += 1
                failed = Outcome(request.uuid, OutcomeKind.FAILED, attempts, str(exc))
                self._back_off(exc, failed)
                # The failed attempts are now recorded; count afresh.
                attempts = 0
                continue
            self._failures = 0
            if answer.service_request_id is not None:
                report.sent += 1
                return Outcome(
                    request.uuid, OutcomeKind.SENT, attempts, answer.service_request_id
                )
            report.tokens += 1
            return Outcome(request.uuid, OutcomeKind.TOKEN, attempts, answer.token)

    def _id_taken(
        self, server_id: str | None, request_uuid: str, pending: list[Outcome]
    ) -> bool:
        """True (and a warning) if the back-end gave this id to another request."""
        if server_id is None:
            return False
        owners = {
            o.uuid
            for o in pending
            if o.kind is OutcomeKind.SENT and o.detail == server_id
        }
        known = self.outbox.by_server_id(server_id)
        if known is not None:
            owners.add(known.uuid)
        owners.discard(request_uuid)
        if owners:
            logger.warning(
                "The back-end answered id %.200s for request %s, but another"
                " request has it already; this one stays undelivered",
                server_id,
                request_uuid,
            )
        return bool(owners)

    def _back_off(self, exc: BackendUnavailableError, failed: Outcome) -> None:
        """Record the failure, then wait before the next attempt or stop."""
        self._failures += 1
        if exc.retry_after_s is not None:
            wait = exc.retry_after_s
        else:
            wait = self.policy.delay(self._failures, self._rng)
        # What was delivered so far is written down before any wait, so a
        # kill during a long back-off costs no re-posts.
        self._flush([failed])
        if self._failures >= self.policy.max_consecutive_failures:
            raise _PushStoppedError(f"{self._failures} failures in a row; last: {exc}")
        if self._clock() + wait >= self._deadline:
            raise _PushStoppedError(f"no time left to wait {wait:.1f} s; last: {exc}")
        logger.warning("Back-end unavailable, retrying in %.1f s: %s", wait, exc)
        self._sleep(wait)
        # A stop during the wait ends the run at the top of the next attempt.

    def _out_of_time(self) -> bool:
        """True when the budget is spent or the run was asked to stop."""
        return self.stop.is_set() or self._clock() >= self._deadline

    def _flush(self, extra: list[Outcome]) -> None:
        outcomes, self._pending = self._pending + extra, []
        if outcomes:
            self.outbox.record(outcomes)

    def resolve_tokens(self, report: RunReport) -> None:
        """Ask the back-end which ids its tokens stand for."""
        resolved: list[Outcome] = []
        try:
            for request in self.outbox.waiting_for_token():
                if self._out_of_time() or request.token is None:
                    break
                request_id = self.client.resolve_token(request.token)
                if request_id is not None and not self._id_taken(
                    request_id, request.uuid, resolved
                ):
                    resolved.append(
                        Outcome(request.uuid, OutcomeKind.SENT, 0, request_id)
                    )
        except (BackendUnavailableError, BackendRejectedError) as exc:
            report.problems.append(f"token lookup stopped: {exc}")
            logger.warning("Token lookup stopped: %s", exc)
        finally:
            if resolved:
                report.resolved_tokens += self.outbox.record(resolved)

    def pull_statuses(self, report: RunReport) -> None:
        """Pull the status of requests the back-end has not closed."""
        ids = []
        for request in self.outbox.open_on_server():
            if request.server_id and open311.valid_id(request.server_id):
                ids.append(request.server_id)
            elif request.server_id:
                # Recorded before ids were checked; asking would break the
                # query for the whole batch.
                logger.warning(
                    "Not asking the status of %s: its id is not usable", request.ticket
                )
        for start in range(0, len(ids), STATUS_BATCH):
            if self._out_of_time():
                return
            try:
                updates = self.client.statuses(ids[start : start + STATUS_BATCH])
            except (BackendUnavailableError, BackendRejectedError) as exc:
                report.problems.append(f"status pull stopped: {exc}")
                logger.warning("Status pull stopped: %s", exc)
                return
            report.statuses += self.outbox.record_statuses(updates)

    def pull_catalog(self, report: RunReport) -> None:
        """Pull services.json, merge it with the local names, save it."""
        if self.catalog is None or self.catalog_path is None:
            return
        if self._out_of_time():
            return
        try:
            remote = self.client.services()
        except (BackendUnavailableError, BackendRejectedError) as exc:
            report.problems.append(f"catalogue pull failed: {exc}")
            logger.warning("Catalogue pull failed: %s", exc)
            return
        try:
            doc = merged_catalog_document(self.catalog, remote)
            write_catalog(doc, self.catalog_path)
        except CatalogError as exc:
            # The file on disk is what the kiosk files with: a list it
            # cannot route with must never replace the one that works.
            problem = (
                f"the back-end's service list was not used ({exc});"
                " the kiosk keeps its current catalogue"
            )
            report.problems.append(problem)
            logger.warning("Catalogue pull: %s", problem)
            return
        except OSError as exc:
            report.problems.append(f"cannot save the catalogue: {exc}")
            logger.warning(
                "Cannot save the catalogue at %s: %s", self.catalog_path, exc
            )
            return
        report.catalog_services = len(doc["services"])


def serve(
    run: Callable[[], RunReport],
    interval_s: float,
    stop: threading.Event,
) -> None:
    """Run syncs every ``interval_s`` seconds until ``stop`` is set."""
    while not stop.is_set():
        try:
            run()
        except SyncError as exc:
            logger.warning("Sync run failed: %s", exc)
        except Exception:
            # A supervisor: one bad run must not end the kiosk's sync
            # service; systemd would restart it, but the log says why.
            logger.exception("Sync run crashed")
        stop.wait(interval_s)
