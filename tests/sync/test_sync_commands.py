from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from kiosk.store import NewRequest, Outbox, RequestState
from kiosk.sync import cli
from kiosk.sync.server import ReferenceServer
from tests.sync.scripted_server import ScriptedServer, dripping_answer, json_answer
from tests.sync.sync_helpers import FILEABLE

ROOT = Path(__file__).parents[2]


@pytest.fixture
def argv(tmp_path: Path, server: ReferenceServer) -> list[str]:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\nid = "K7"\n[sync]\nendpoint = "{server.url}"\ntimeout_s = 2.0\n'
        "[storage]\npurge_contact_after_days = 0\n"
    )
    return ["--config", str(config), "--data-dir", str(tmp_path / "data")]


def _file(
    tmp_path: Path,
    service: str = FILEABLE,
    phone: str | None = None,
    email: str | None = None,
    consent: bool = False,
) -> str:
    request = NewRequest(service, "cic", "ro", "o cerere", phone, email, consent)
    with Outbox.in_data_dir(tmp_path / "data", "K7") as outbox:
        return outbox.enqueue(request).ticket


def test_sync_once_exits_zero_only_when_everything_was_delivered(
    tmp_path: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    _file(tmp_path)
    assert cli.main([*argv, "sync", "--once"]) == cli.EXIT_OK
    assert "sent 1" in capsys.readouterr().out

    bad = _file(tmp_path, service="no.such")
    assert cli.main([*argv, "sync", "--once"]) == cli.EXIT_FAILED

    assert cli.main([*argv, "queue", "show", bad, "--json"]) == cli.EXIT_OK
    shown = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert shown["state"] == "rejected" and "no.such" in shown["rejected_reason"]


def test_queue_list_json_shows_states_and_never_the_contact_details(
    tmp_path: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    _file(tmp_path, phone="0740123456", consent=True)
    cli.main([*argv, "sync", "--once"])
    capsys.readouterr()

    assert cli.main([*argv, "queue", "list", "--json"]) == cli.EXIT_OK
    out = capsys.readouterr().out
    rows = json.loads(out)

    assert rows[0]["state"] == "sent" and rows[0]["server_id"]
    assert rows[0]["server_status"] == "open"
    assert "0740123456" not in out


def test_queue_retry_puts_a_rejected_request_back_in_the_queue(
    tmp_path: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    ticket = _file(tmp_path, service="no.such")
    cli.main([*argv, "sync", "--once"])

    assert cli.main([*argv, "queue", "retry", ticket]) == cli.EXIT_OK
    assert cli.main([*argv, "queue", "retry", "K7-99999"]) == cli.EXIT_FAILED

    with Outbox.in_data_dir(tmp_path / "data") as outbox:
        request = outbox.by_ticket(ticket)
    assert request is not None and request.state is RequestState.QUEUED
    assert "queued again" in capsys.readouterr().out


def test_queue_purge_wipes_contact_details_of_confirmed_requests(
    tmp_path: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    ticket = _file(tmp_path, phone="0740123456", email="a@b.ro", consent=True)
    waiting = _file(tmp_path, phone="0740000000", consent=True)
    with Outbox.in_data_dir(tmp_path / "data") as outbox:
        outbox.claim(1)
    cli.main([*argv, "sync", "--once"])

    assert cli.main([*argv, "queue", "purge"]) == cli.EXIT_OK

    with Outbox.in_data_dir(tmp_path / "data") as outbox:
        purged, other = outbox.by_ticket(ticket), outbox.by_ticket(waiting)
    assert purged is not None and purged.phone is None and purged.email is None
    assert other is not None and other.state is RequestState.SENT


def test_backend_command_serves_on_a_free_port_and_misbehaves_on_request(
    tmp_path: Path,
) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiosk.sync.cli",
            "--data-dir",
            str(tmp_path / "data"),
            "backend",
            "--port",
            "0",
            "--misbehave",
            "html503:1",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().split()[-1]
        with httpx.Client(trust_env=False, timeout=5) as http:
            first = http.post(url + "requests.json", data={"api_key": "x"})
            second = http.post(url + "requests.json", data={"api_key": "x"})
            services = http.get(url + "services.json").json()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()

    assert first.status_code == 503 and "html" in first.headers["content-type"]
    assert second.status_code == 403
    assert any(s["service_code"] == FILEABLE for s in services)
    assert (tmp_path / "data" / cli.BACKEND_DB).exists()


def test_the_reference_backend_is_strict_about_what_it_accepts(
    server: ReferenceServer,
) -> None:
    key = {"api_key": server.backend.api_key}
    base = {**key, "service_code": FILEABLE, "address_string": "Calea Moților 3"}
    with httpx.Client(trust_env=False, timeout=5) as http:
        as_json = http.post(server.url + "requests.json", json=base)
        unknown_field = http.post(server.url + "requests.json", data={**base, "x": "1"})
        no_location = http.post(
            server.url + "requests.json", data={**key, "service_code": FILEABLE}
        )
        first = http.post(
            server.url + "requests.json", data=base, headers={"Idempotency-Key": "k1"}
        )
        again = http.post(
            server.url + "requests.json", data=base, headers={"Idempotency-Key": "k1"}
        )
        other_body = http.post(
            server.url + "requests.json",
            data={**base, "description": "alta"},
            headers={"Idempotency-Key": "k1"},
        )
        xml = http.get(server.url + "services.xml")

    assert as_json.status_code == 400
    assert unknown_field.status_code == 400 and "x" in unknown_field.text
    assert no_location.status_code == 400
    assert first.json() == again.json()
    assert isinstance(first.json()[0]["service_request_id"], str)
    assert other_body.status_code == 422
    assert xml.status_code == 400
    assert len(server.backend.stored()) == 1


def test_a_sync_run_is_recorded_for_the_technicians_check(
    tmp_path: Path, argv: list[str]
) -> None:
    from kiosk.diag.model import Level
    from kiosk.diag.system import check_last_sync

    data_dir = tmp_path / "data"
    _file(tmp_path)
    before = check_last_sync(data_dir, datetime.now(UTC))
    assert cli.main([*argv, "sync", "--once"]) == cli.EXIT_OK
    after = check_last_sync(data_dir, datetime.now(UTC))
    assert before.summary == "never synced"
    assert after.level is Level.OK
    assert after.summary.startswith("last sync ")


def test_queue_retry_with_nothing_named_is_a_usage_error(argv: list[str]) -> None:
    assert cli.main([*argv, "queue", "retry"]) == cli.EXIT_USAGE


@pytest.mark.parametrize("days", ["99999999999", "3651", "-1"])
def test_queue_purge_refuses_days_out_of_range_as_a_usage_error(
    argv: list[str], days: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([*argv, "queue", "purge", "--days", days]) == cli.EXIT_USAGE
    assert "--days must be 0 to 3650" in capsys.readouterr().err


def test_queue_purge_accepts_the_longest_retention(
    tmp_path: Path, argv: list[str]
) -> None:
    _file(tmp_path)
    assert cli.main([*argv, "queue", "purge", "--days", "3650"]) == cli.EXIT_OK


def _config(tmp_path: Path, endpoint: str, extra: str = "") -> list[str]:
    config = tmp_path / "hostile.toml"
    config.write_text(f'[kiosk]\nid = "K7"\n[sync]\nendpoint = "{endpoint}"\n{extra}')
    return ["--config", str(config), "--data-dir", str(tmp_path / "data")]


def _states(tmp_path: Path) -> set[RequestState]:
    with Outbox.in_data_dir(tmp_path / "data") as outbox:
        return {r.state for r in outbox.list()}


def test_sync_once_with_a_wrong_endpoint_path_rejects_nothing_and_exits_1(
    tmp_path: Path, server: ReferenceServer, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = _config(tmp_path, server.url + "open311/v2/", "timeout_s = 2.0\n")
    _file(tmp_path)
    _file(tmp_path)

    assert cli.main([*argv, "sync", "--once"]) == cli.EXIT_FAILED

    err = capsys.readouterr().err
    assert "answered HTTP 404" in err and "check [sync] endpoint" in err
    assert "rejected" not in err
    assert _states(tmp_path) == {RequestState.QUEUED}
    assert server.backend.stored() == []


def test_sync_once_against_a_dripping_server_ends_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _file(tmp_path)
    with ScriptedServer(dripping_answer(100_000, every_s=1.0)) as drip:
        argv = _config(tmp_path, drip.url, "timeout_s = 0.5\nbudget_s = 1.5\n")
        started = time.monotonic()
        status = cli.main([*argv, "sync", "--once"])
        took = time.monotonic() - started

    assert status == cli.EXIT_FAILED and took < 5.0
    assert (
        "did not finish answering within the 0.5 s timeout" in capsys.readouterr().err
    )
    assert _states(tmp_path) == {RequestState.QUEUED}


def test_sync_once_against_deeply_nested_json_exits_1_without_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _file(tmp_path)
    with ScriptedServer(json_answer(b"[" * 200_000)) as nested:
        argv = _config(tmp_path, nested.url, "timeout_s = 2.0\nbudget_s = 2.0\n")
        status = cli.main([*argv, "sync", "--once"])

    assert status == cli.EXIT_FAILED
    assert "nested too deep" in capsys.readouterr().err
    assert _states(tmp_path) == {RequestState.QUEUED}


@pytest.mark.parametrize(
    "command",
    [["list"], ["show", "A00001"], ["retry", "--all-rejected"], ["purge"]],
)
def test_queue_commands_on_a_mistyped_data_dir_say_so_and_create_nothing(
    tmp_path: Path,
    argv: list[str],
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    mistyped = tmp_path / "dta"

    code = cli.main([*argv, "--data-dir", str(mistyped), "queue", *command])

    assert code == cli.EXIT_FAILED
    assert f"there is no outbox at {mistyped}" in capsys.readouterr().err
    assert not mistyped.exists()


def _log_lines(proc: subprocess.Popen[str]) -> Iterator[str]:
    assert proc.stderr is not None
    yield from proc.stderr


def test_the_sync_service_delivers_each_new_request_and_stops_on_sigterm(
    tmp_path: Path, argv: list[str], server: ReferenceServer
) -> None:
    _file(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", *argv, "sync", "--interval", "1"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    # A hung service would block the reads below: the watchdog ends it.
    watchdog = threading.Timer(60, proc.kill)
    watchdog.start()
    try:
        runs = (line for line in _log_lines(proc) if "Sync run:" in line)
        first = next(line for line in runs if "sent 1" in line)
        _file(tmp_path)
        second = next(line for line in runs if "sent 1" in line)
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=10)
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()

    assert first and second
    assert code == cli.EXIT_OK
    with Outbox.in_data_dir(tmp_path / "data") as outbox:
        states = [request.state for request in outbox.list()]
    assert states == [RequestState.SENT, RequestState.SENT]
    assert len(server.backend.stored()) == 2


@pytest.mark.parametrize("interval", ["0", "-1", "nan", "inf", "soon", "1e-9", "0.5"])
def test_a_sync_interval_that_is_not_a_positive_number_is_a_usage_error(
    argv: list[str], interval: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main([*argv, "sync", "--interval", interval])
    assert exit_.value.code == cli.EXIT_USAGE
    assert "is not a number of seconds from 1 up" in capsys.readouterr().err


@pytest.mark.parametrize("port", ["99999", "-5", "http"])
def test_a_backend_port_out_of_range_is_a_usage_error(
    port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["backend", "--port", port])
    assert exit_.value.code == cli.EXIT_USAGE
    assert "is not a port from 0 to 65535" in capsys.readouterr().err


def test_a_backend_whose_data_dir_is_a_file_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a folder\n", encoding="utf-8")

    code = cli.main(["--data-dir", str(blocker), "backend", "--port", "0"])

    assert code == cli.EXIT_FAILED
    assert f"cannot use {blocker} as the data folder: it is a file" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize("content", [None, b"{not json", b"\xff\xfe", b"[]"])
def test_a_backend_catalogue_that_cannot_be_used_is_named_not_the_port(
    tmp_path: Path, content: bytes | None, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = tmp_path / "catalog.json"
    if content is not None:
        catalog.write_bytes(content)
    argv = ["backend", "--port", "0", "--db", str(tmp_path / "b.db")]

    code = cli.main([*argv, "--catalog", str(catalog)])

    err = capsys.readouterr().err
    assert code == cli.EXIT_USAGE
    assert f"cannot use the catalogue {catalog}" in err
    assert "port" not in err and "Traceback" not in err
