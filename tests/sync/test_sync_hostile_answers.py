"""The sync against answers that are wrong, huge, slow or about the URL."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from kiosk.store import Outbox, Outcome, OutcomeKind, RequestState
from kiosk.sync.backend import DEMO_API_KEY, Fault
from kiosk.sync.client import MAX_ANSWER_BYTES, Open311Client
from kiosk.sync.engine import RetryPolicy, Syncer
from kiosk.sync.open311 import MAX_REASON_CHARS
from kiosk.sync.server import ReferenceServer
from tests.sync.scripted_server import (
    ScriptedServer,
    dripping_answer,
    huge_answer,
    json_answer,
)
from tests.sync.sync_helpers import FakeTime, file_requests

MakeSyncer = Callable[..., Syncer]
Handler = Callable[[httpx.Request], httpx.Response]
MockSyncer = Callable[..., Syncer]


@pytest.fixture
def mock_syncer(outbox: Outbox, fake_time: FakeTime) -> Iterator[MockSyncer]:
    """Syncers whose back-end is a function answering POSTs; GETs get []."""
    clients: list[httpx.Client] = []

    def make(post: Handler, get: Handler | None = None, **options: Any) -> Syncer:
        def handle(request: httpx.Request) -> httpx.Response:
            if request.method == "POST":
                return post(request)
            if get is not None:
                return get(request)
            return httpx.Response(200, json=[])

        http = httpx.Client(transport=httpx.MockTransport(handle))
        clients.append(http)
        client = Open311Client(http, "http://city.test/", api_key=DEMO_API_KEY)
        return Syncer(
            outbox,
            client,
            address="Calea Moților 3",
            device_id="test-kiosk",
            clock=fake_time.clock,
            sleep=fake_time.sleep,
            wall_clock=fake_time.wall_clock,
            **options,
        )

    yield make
    for http in clients:
        http.close()


def answering(status: int, doc: Any = None, **kwargs: Any) -> Handler:
    def post(request: httpx.Request) -> httpx.Response:
        if doc is None:
            return httpx.Response(status, **kwargs)
        return httpx.Response(status, json=doc, **kwargs)

    return post


def states(outbox: Outbox) -> set[RequestState]:
    return {r.state for r in outbox.list()}


# -- finding 1: endpoint-level answers never reject -----------------------


def test_a_wrong_endpoint_path_keeps_every_request_queued(
    server: ReferenceServer,
    outbox: Outbox,
    make_syncer: MakeSyncer,
    fake_time: FakeTime,
) -> None:
    file_requests(outbox, 3)

    report = make_syncer(server.url + "open311/v2/").run_once()

    assert report.rejected == 0 and report.remaining == 3
    assert states(outbox) == {RequestState.QUEUED}
    assert "answered HTTP 404" in report.problems[0]
    assert "check [sync] endpoint" in report.problems[0]
    assert fake_time.sleeps == []
    assert server.backend.stored() == []
    first = outbox.list()[0]
    assert first.last_error is not None and "404" in first.last_error


@pytest.mark.parametrize(
    ("status", "doc"),
    [
        (404, [{"code": 404, "description": "Not Found"}]),
        (400, [{"code": 400, "description": "no such resource /v2/requests.json"}]),
        (400, [{"code": 404, "description": "not here"}]),
        (400, [{"code": "404", "description": "not here"}]),
        (422, [{"code": 422, "description": "unknown endpoint"}]),
        (405, [{"code": 405, "description": "method not allowed"}]),
        (410, [{"code": 410, "description": "gone"}]),
        (413, [{"code": 413, "description": "too large"}]),
        (414, [{"code": 414, "description": "too long"}]),
        (501, [{"code": 501, "description": "not implemented"}]),
        (404, None),
        (400, None),
    ],
)
def test_an_answer_about_the_endpoint_rejects_nothing_and_stops_the_push(
    status: int,
    doc: Any,
    outbox: Outbox,
    mock_syncer: MockSyncer,
    fake_time: FakeTime,
) -> None:
    file_requests(outbox, 3)

    report = mock_syncer(answering(status, doc)).run_once()

    assert report.rejected == 0 and report.remaining == 3
    assert states(outbox) == {RequestState.QUEUED}
    assert f"answered HTTP {status}" in report.problems[0]
    assert report.problems[0].endswith("check [sync] endpoint")
    assert report.failed_attempts == 1 and fake_time.sleeps == []


@pytest.mark.parametrize(
    ("status", "description"),
    [
        (400, "service_code is required"),
        (400, "service_code roads.pothole is not a service of this city"),
        (400, "unknown field x"),
        (400, "the form is not valid UTF-8 url-encoding"),
        (422, "attribute[ticket] is required"),
    ],
)
def test_an_error_list_about_the_request_still_rejects_it(
    status: int, description: str, outbox: Outbox, mock_syncer: MockSyncer
) -> None:
    file_requests(outbox, 2)
    doc = [{"code": status, "description": description}]

    report = mock_syncer(answering(status, doc)).run_once()

    assert report.rejected == 2
    assert [r.rejected_reason for r in outbox.list()] == [description] * 2


# -- finding 7: messages say whether the back-end was reached -------------


def test_messages_say_the_back_end_answered_when_it_did(
    outbox: Outbox, mock_syncer: MockSyncer
) -> None:
    file_requests(outbox, 1)
    errors_200 = answering(200, [{"code": 500, "description": "internal error"}])

    syncer = mock_syncer(errors_200, policy=RetryPolicy(max_consecutive_failures=1))
    problem = syncer.run_once().problems[0]

    assert "answered HTTP 200 with errors: internal error" in problem
    assert "cannot reach" not in problem and "could not be reached" not in problem


def test_messages_say_the_back_end_could_not_be_reached_when_it_could_not(
    outbox: Outbox, make_syncer: MakeSyncer
) -> None:
    file_requests(outbox, 1)
    # Port 9 (discard) has no listener on loopback: connections are refused.
    syncer = make_syncer(
        "http://127.0.0.1:9/", policy=RetryPolicy(max_consecutive_failures=1)
    )

    problem = syncer.run_once().problems[0]

    assert "http://127.0.0.1:9/requests.json could not be reached" in problem


# -- finding 3: deeply nested JSON ----------------------------------------


def test_deeply_nested_json_is_not_open311_and_never_a_crash(
    outbox: Outbox, mock_syncer: MockSyncer
) -> None:
    file_requests(outbox, 1)

    def post(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        return httpx.Response(200, content=b"[" * 200_000, headers=headers)

    syncer = mock_syncer(post, policy=RetryPolicy(max_consecutive_failures=1))
    report = syncer.run_once()

    assert states(outbox) == {RequestState.QUEUED}
    assert "nested too deep" in report.problems[0]


# -- finding 4: ids from the back-end -------------------------------------


@pytest.mark.parametrize(
    "request_id",
    ["x" * 100_000, "x" * 129, "SR-1\n", "SR-1,SR-2", " SR-1", 12345, 1.5, True],
)
def test_an_unusable_request_id_is_never_recorded(
    request_id: Any, outbox: Outbox, mock_syncer: MockSyncer
) -> None:
    file_requests(outbox, 4)
    post = answering(200, [{"service_request_id": request_id}])

    report = mock_syncer(post).run_once()

    assert states(outbox) == {RequestState.QUEUED}
    assert all(r.server_id is None for r in outbox.list())
    assert report.sent == 0 and report.remaining == 4


def test_the_longest_usable_request_id_is_recorded(
    outbox: Outbox, mock_syncer: MockSyncer
) -> None:
    file_requests(outbox, 1)
    post = answering(200, [{"service_request_id": "x" * 128}])

    assert mock_syncer(post).run_once().delivered_all
    assert outbox.list()[0].server_id == "x" * 128


def test_the_same_id_for_two_requests_is_recorded_once_with_a_warning(
    outbox: Outbox, mock_syncer: MockSyncer, caplog: pytest.LogCaptureFixture
) -> None:
    first, *others = file_requests(outbox, 4)
    post = answering(200, [{"service_request_id": "SR-1"}])

    with caplog.at_level(logging.WARNING, logger="kiosk.sync.engine"):
        report = mock_syncer(post).run_once()

    assert report.sent == 1 and report.remaining == 3
    assert [r.server_id for r in outbox.list()] == ["SR-1", None, None, None]
    assert {r.state for r in outbox.list()[1:]} == {RequestState.QUEUED}
    assert any(
        "another request has it already" in r.getMessage()
        and r.levelno == logging.WARNING
        for r in caplog.records
    )


def test_an_unusable_id_recorded_earlier_does_not_break_the_status_pull(
    outbox: Outbox, mock_syncer: MockSyncer, caplog: pytest.LogCaptureFixture
) -> None:
    good, bad = file_requests(outbox, 2)
    outbox.claim(2)
    outbox.record(
        [
            Outcome(good.uuid, OutcomeKind.SENT, 1, "SR-1"),
            Outcome(bad.uuid, OutcomeKind.SENT, 1, "x" * 100_000),
        ]
    )
    asked: list[str] = []

    def get(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(200, json=[])

    syncer = mock_syncer(answering(500), get)
    with caplog.at_level(logging.WARNING, logger="kiosk.sync.engine"):
        report = syncer.run_once()

    assert report.problems == []
    assert len(asked) == 1 and "SR-1" in asked[0] and "xxx" not in asked[0]
    assert any("its id is not usable" in r.getMessage() for r in caplog.records)


# -- finding 2: a total deadline and a largest body per call --------------


def test_a_dripping_answer_stops_at_the_calls_timeout(
    outbox: Outbox, make_syncer: MakeSyncer
) -> None:
    file_requests(outbox, 2)
    with ScriptedServer(dripping_answer(100_000, every_s=0.1)) as drip:
        syncer = make_syncer(drip.url, policy=RetryPolicy(max_consecutive_failures=1))
        syncer.client.timeout_s = 0.5
        started = time.monotonic()
        report = syncer.run_once()
        took = time.monotonic() - started

    assert took < 2.0
    problem = report.problems[0]
    assert "sent only" in problem and "within the 0.5 s timeout" in problem
    assert states(outbox) == {RequestState.QUEUED}


def test_a_dripping_answer_stops_when_the_runs_budget_ends(
    outbox: Outbox, make_syncer: MakeSyncer
) -> None:
    file_requests(outbox, 1)
    with ScriptedServer(dripping_answer(100_000, every_s=0.1)) as drip:
        syncer = make_syncer(
            drip.url, budget_s=1.0, policy=RetryPolicy(max_consecutive_failures=1)
        )
        syncer.client.timeout_s = 60.0
        started = time.monotonic()
        report = syncer.run_once()
        took = time.monotonic() - started

    assert took < 2.5
    assert "within the 1.0 s left of the run's time budget" in report.problems[0]
    assert states(outbox) == {RequestState.QUEUED}


@pytest.mark.parametrize("declared", [300_000_000, None])
def test_a_huge_answer_is_refused_without_reading_it_all(
    declared: int | None, outbox: Outbox, make_syncer: MakeSyncer
) -> None:
    file_requests(outbox, 1)
    with ScriptedServer(huge_answer(declared)) as huge:
        syncer = make_syncer(huge.url, policy=RetryPolicy(max_consecutive_failures=1))
        started = time.monotonic()
        report = syncer.run_once()
        took = time.monotonic() - started

    assert took < 2.0
    expected = "300000000 bytes" if declared else f"over {MAX_ANSWER_BYTES} bytes"
    assert expected in report.problems[0]
    assert states(outbox) == {RequestState.QUEUED}


def test_deeply_nested_json_from_a_real_server_is_reported(
    outbox: Outbox, make_syncer: MakeSyncer
) -> None:
    file_requests(outbox, 1)
    with ScriptedServer(json_answer(b"[" * 200_000)) as nested:
        syncer = make_syncer(nested.url, policy=RetryPolicy(max_consecutive_failures=1))
        report = syncer.run_once()

    assert "nested too deep" in report.problems[0]
    assert states(outbox) == {RequestState.QUEUED}


# -- odd Retry-After values and the wording of timeouts ----------------------


def _busy_answer(retry_after: str) -> Callable[..., None]:
    """A 503 whose Open311 error list comes with ``retry_after``."""
    body = b'[{"code": 503, "description": "later"}]'

    def answer(handler: Any, stopping: Any) -> None:
        handler.send_response(503)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Retry-After", retry_after)
        handler.end_headers()
        handler.wfile.write(body)

    return answer


@pytest.mark.parametrize(
    ("retry_after", "waited"),
    [
        # A date with the "-0000" zone parses without a time zone; it is
        # long past, so the wait is zero.
        ("Wed, 21 Oct 2015 07:28:00 -0000", 0.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("7", 7.0),
        # Neither seconds nor a date: the engine's own back-off applies.
        ("soon", None),
        ("Wed, 99 Foo 2015 99:99:99 -0000", None),
        ("", None),
    ],
)
def test_an_odd_retry_after_never_crashes_the_run(
    retry_after: str,
    waited: float | None,
    outbox: Outbox,
    make_syncer: MakeSyncer,
    fake_time: FakeTime,
) -> None:
    file_requests(outbox, 1)
    policy = RetryPolicy(base_s=0.5, max_consecutive_failures=2)
    with ScriptedServer(_busy_answer(retry_after)) as busy:
        report = make_syncer(busy.url, policy=policy).run_once()

    assert report.failed_attempts == 2
    assert "2 failures in a row" in report.problems[0]
    assert len(fake_time.sleeps) == 1
    if waited is None:
        # The policy's first wait: between half and all of base_s.
        assert 0.25 <= fake_time.sleeps[0] <= 0.5
    else:
        assert fake_time.sleeps[0] == waited
    assert states(outbox) == {RequestState.QUEUED}


def test_a_slow_back_end_is_reported_with_the_configured_timeout(
    outbox: Outbox,
    make_syncer: MakeSyncer,
    start_server: Callable[..., ReferenceServer],
) -> None:
    file_requests(outbox, 1)
    slow = start_server(faults=[(Fault.SLOW, -1)], slow_s=5.0)
    syncer = make_syncer(slow.url, policy=RetryPolicy(max_consecutive_failures=1))
    syncer.client.timeout_s = 0.3

    report = syncer.run_once()

    assert "did not finish answering within the 0.3 s timeout" in report.problems[0]
    assert "0.0 s" not in report.problems[0]


def test_a_huge_rejection_reason_is_stored_capped_and_kept_out_of_the_log(
    outbox: Outbox, make_syncer: MakeSyncer, caplog: pytest.LogCaptureFixture
) -> None:
    (request,) = file_requests(outbox, 1, email="ion.popescu@example.ro")
    # A back-end that quotes the submitted address, then 3 MB of text.
    reason = "invalid email ion.popescu@example.ro " + "x" * 3_000_000
    body = json.dumps([{"code": 400, "description": reason}]).encode()
    with ScriptedServer(json_answer(body, status=400)) as refusing:
        with caplog.at_level(logging.DEBUG):
            report = make_syncer(refusing.url).run_once()

    assert report.rejected == 1
    stored = outbox.get(request.uuid)
    assert stored is not None and stored.rejected_reason is not None
    assert stored.rejected_reason.startswith("invalid email ion.popescu@")
    assert len(stored.rejected_reason) < MAX_REASON_CHARS + 50
    assert f"({len(reason)} characters in all)" in stored.rejected_reason
    assert "ion.popescu" not in caplog.text
    assert len(caplog.text) < 10_000
    assert f"Request {request.ticket} rejected by the back-end (HTTP 400)" in (
        caplog.text
    )
