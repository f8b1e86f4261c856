from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from kiosk.store import Outbox, RequestState
from kiosk.sync.backend import DEMO_API_KEY, Fault
from kiosk.sync.engine import RetryPolicy, Syncer
from kiosk.sync.server import ReferenceServer
from tests.sync.sync_helpers import FakeTime, assert_each_stored_once, file_requests

MakeSyncer = Callable[..., Syncer]
StartServer = Callable[..., ReferenceServer]


def test_queued_requests_reach_the_server_once_with_string_ids(
    server: ReferenceServer, outbox: Outbox, make_syncer: MakeSyncer
) -> None:
    file_requests(outbox, 5)

    report = make_syncer(server.url).run_once()

    assert report.sent == 5 and report.delivered_all
    assert all(r.state is RequestState.SENT for r in outbox.list())
    assert all(isinstance(r.server_id, str) for r in outbox.list())
    assert_each_stored_once(server, outbox)


@pytest.mark.parametrize(
    "fault",
    [
        Fault.HTML_503,
        Fault.RATE_LIMIT,
        Fault.DROP,
        Fault.TRUNCATED,
        Fault.CAPTIVE,
        Fault.ERROR_200,
        Fault.SLOW,
    ],
)
def test_every_request_is_stored_once_after_the_server_misbehaves(
    fault: Fault,
    start_server: StartServer,
    outbox: Outbox,
    make_syncer: MakeSyncer,
    fake_time: FakeTime,
) -> None:
    server = start_server(faults=[(fault, 3)], slow_s=30.0)
    file_requests(outbox, 6)
    syncer = make_syncer(server.url)
    if fault is Fault.SLOW:
        syncer.client.http.timeout = httpx.Timeout(0.3)

    report = syncer.run_once()

    assert report.sent == 6 and report.delivered_all, report.problems
    assert report.failed_attempts == 3
    assert len(fake_time.sleeps) == 3
    assert_each_stored_once(server, outbox)
    # The three failed POSTs all hit the first request, which says so.
    assert outbox.list()[0].attempts == 4


def test_a_rejected_service_code_keeps_the_servers_reason_and_is_not_retried(
    server: ReferenceServer, outbox: Outbox, make_syncer: MakeSyncer
) -> None:
    good = file_requests(outbox, 2)
    bad = file_requests(outbox, 1, service_code="no.such_service")[0]

    report = make_syncer(server.url).run_once()

    rejected = outbox.get(bad.uuid)
    assert rejected is not None and rejected.state is RequestState.REJECTED
    assert rejected.rejected_reason is not None
    assert "no.such_service" in rejected.rejected_reason
    assert rejected.attempts == 1
    assert report.sent == 2 and report.rejected == 1 and not report.delivered_all
    stored = {row["idempotency_key"] for row in server.backend.stored()}
    assert stored == {r.uuid for r in good}


def test_retry_after_is_honoured_before_posting_again(
    start_server: StartServer,
    outbox: Outbox,
    make_syncer: MakeSyncer,
    fake_time: FakeTime,
) -> None:
    server = start_server(faults=[(Fault.RATE_LIMIT, 1)], retry_after_s=7)
    file_requests(outbox, 1)

    make_syncer(server.url).run_once()

    assert fake_time.sleeps == [7.0]
    assert_each_stored_once(server, outbox)


def test_a_retry_after_beyond_the_budget_ends_the_run_without_waiting(
    start_server: StartServer,
    outbox: Outbox,
    make_syncer: MakeSyncer,
    fake_time: FakeTime,
) -> None:
    server = start_server(faults=[(Fault.RATE_LIMIT, -1)], retry_after_s=600)
    file_requests(outbox, 2)

    report = make_syncer(server.url, budget_s=60).run_once()

    assert fake_time.sleeps == []
    assert report.remaining == 2 and not report.delivered_all
    assert {r.state for r in outbox.list()} == {RequestState.QUEUED}
    assert server.backend.stored() == []


def test_back_off_grows_with_jitter_and_gives_up_when_the_server_is_down(
    tmp_path: Path,
    outbox: Outbox,
    make_syncer: MakeSyncer,
    fake_time: FakeTime,
) -> None:
    file_requests(outbox, 3)
    # Port 9 (discard) has no listener on loopback: connections are refused.
    syncer = make_syncer("http://127.0.0.1:9/", policy=RetryPolicy(base_s=1.0))

    report = syncer.run_once()

    sleeps = fake_time.sleeps
    assert len(sleeps) == RetryPolicy().max_consecutive_failures - 1
    for n, wait in enumerate(sleeps):
        assert 2.0**n / 2 <= wait <= 2.0**n
    assert report.remaining == 3 and report.problems
    first = outbox.list()[0]
    assert first.state is RequestState.QUEUED and first.last_error
    assert first.attempts == RetryPolicy().max_consecutive_failures


def test_a_wrong_api_key_stops_the_run_and_rejects_nothing(
    server: ReferenceServer, outbox: Outbox, make_syncer: MakeSyncer
) -> None:
    file_requests(outbox, 2)

    report = make_syncer(server.url, api_key="wrong").run_once()

    assert any("API key" in p for p in report.problems)
    assert {r.state for r in outbox.list()} == {RequestState.QUEUED}
    assert server.backend.stored() == []


def test_tokens_are_resolved_to_ids_on_a_later_lookup(
    start_server: StartServer, outbox: Outbox, make_syncer: MakeSyncer
) -> None:
    server = start_server(faults=[(Fault.TOKEN, -1)], hold_tokens=True)
    file_requests(outbox, 3)
    syncer = make_syncer(server.url)

    first = syncer.run_once()
    assert first.tokens == 3 and first.resolved_tokens == 0
    waiting = outbox.list(RequestState.WAITING_TOKEN)
    assert len(waiting) == 3 and all(r.token for r in waiting)

    server.backend.resolve_tokens()
    second = syncer.run_once()

    assert second.resolved_tokens == 3
    assert_each_stored_once(server, outbox)


def test_a_token_replayed_under_the_same_key_files_nothing_new(
    start_server: StartServer, outbox: Outbox, make_syncer: MakeSyncer
) -> None:
    server = start_server(faults=[(Fault.TOKEN, 1), (Fault.DROP, 1)])
    file_requests(outbox, 2)

    make_syncer(server.url).run_once()

    assert_each_stored_once(server, outbox)


def test_statuses_pulled_from_the_server_show_open_and_closed(
    server: ReferenceServer, outbox: Outbox, make_syncer: MakeSyncer
) -> None:
    first, second = file_requests(outbox, 2)
    syncer = make_syncer(server.url)
    syncer.run_once()
    closed = outbox.get(first.uuid)
    assert closed is not None and closed.server_id is not None
    server.backend.set_status(closed.server_id, "closed", "Permis eliberat")

    report = syncer.run_once()

    assert report.statuses == 2
    closed, still_open = outbox.get(first.uuid), outbox.get(second.uuid)
    assert closed is not None and still_open is not None
    assert closed.server_status == "closed"
    assert closed.status_notes == "Permis eliberat"
    assert still_open.server_status == "open"
    assert [r.uuid for r in outbox.open_on_server()] == [second.uuid]


def test_contact_details_go_only_with_consent_and_are_purged_after_retention(
    server: ReferenceServer,
    outbox: Outbox,
    make_syncer: MakeSyncer,
    fake_time: FakeTime,
) -> None:
    consenting = file_requests(
        outbox, 1, phone="0740123456", email="a@example.ro", consent=True
    )[0]
    refusing = file_requests(outbox, 1, phone="0740999999", consent=False)[0]
    syncer = make_syncer(server.url)
    syncer.run_once()

    rows = {row["idempotency_key"]: row for row in server.backend.stored()}
    assert rows[consenting.uuid]["phone"] == "0740123456"
    assert rows[consenting.uuid]["email"] == "a@example.ro"
    assert rows[refusing.uuid]["phone"] is None

    fake_time.advance_days(29)
    assert syncer.run_once().purged == 0
    fake_time.advance_days(2)
    assert syncer.run_once().purged == 2

    kept = outbox.get(consenting.uuid)
    assert kept is not None
    assert kept.phone is None and kept.email is None
    assert kept.contact_purged_utc is not None
    assert outbox.by_ticket(consenting.ticket) == kept
    assert kept.state is RequestState.SENT and kept.server_id


def test_the_catalogue_pull_keeps_local_hungarian_and_english_names(
    tmp_path: Path,
    server: ReferenceServer,
    outbox: Outbox,
    make_syncer: MakeSyncer,
    local_catalog: object,
) -> None:
    from kiosk.catalog import Catalog, load_catalog

    assert isinstance(local_catalog, Catalog)
    server.backend.service_list[0]["service_name"] = "Nume nou de la primărie"
    server.backend.service_list.append(
        {
            "service_code": "general.new_service",
            "service_name": "Serviciu nou",
            "description": "",
            "metadata": False,
            "type": "batch",
            "keywords": "nou,serviciu",
            "group": "general",
        }
    )
    target = tmp_path / "catalog.json"
    syncer = make_syncer(server.url, catalog=local_catalog, catalog_path=target)

    report = syncer.run_once()

    pulled = load_catalog(target)
    assert report.catalog_services == len(pulled)
    first_code = server.backend.service_list[0]["service_code"]
    renamed, local = pulled.service(first_code), local_catalog.service(first_code)
    assert renamed.name("ro") == "Nume nou de la primărie"
    assert renamed.name("hu") == local.name("hu")
    assert renamed.department == local.department
    new = pulled.service("general.new_service")
    assert new.name("en") == "Serviciu nou" and new.keywords == ("nou", "serviciu")


def test_a_run_stops_at_its_time_budget_and_leaves_the_rest_queued(
    start_server: StartServer,
    outbox: Outbox,
    make_syncer: MakeSyncer,
    fake_time: FakeTime,
) -> None:
    server = start_server(faults=[(Fault.HTML_503, -1)])
    file_requests(outbox, 4)

    report = make_syncer(
        server.url, budget_s=5.0, policy=RetryPolicy(base_s=2.0)
    ).run_once()

    assert sum(fake_time.sleeps) < 5.0
    assert report.remaining == 4
    assert {r.state for r in outbox.list()} == {RequestState.QUEUED}


def test_the_control_endpoint_sets_faults_and_closes_requests(
    server: ReferenceServer, outbox: Outbox, make_syncer: MakeSyncer, http: httpx.Client
) -> None:
    key = {"api_key": DEMO_API_KEY}
    answer = http.post(
        server.url + "_control/faults",
        params=key,
        json={"faults": ["html503:1", "drop:1"]},
    )
    assert answer.status_code == 200
    file_requests(outbox, 2)

    report = make_syncer(server.url).run_once()
    request_id = outbox.list()[0].server_id
    closed = http.post(
        server.url + "_control/status",
        params=key,
        json={"service_request_id": request_id, "status": "closed"},
    )
    stored = http.get(server.url + "_control/stored", params=key).json()

    assert report.failed_attempts == 2
    assert closed.status_code == 200
    assert len(stored) == 2
    assert http.get(server.url + "_control/stored").status_code == 403
    status = http.get(server.url + f"requests/{request_id}.json").json()
    assert status[0]["status"] == "closed"
