import argparse
import http.server
import io
import json
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.config import load_settings
from kiosk.diag import devices, system
from kiosk.diag.cli import DiagParts, add_parsers, run_diag_command
from kiosk.diag.model import Level, failed, run_checks
from kiosk.hardware.camera_sim import SimulatedSource
from kiosk.hardware.printer import PrinterStatus
from kiosk.hardware.simulated_printer import SimulatedPrinter
from kiosk.service import LiveParts, read_outbox_summary
from kiosk.speech.playback import PlaybackHealth
from kiosk.store import NewRequest, Outbox
from tests.mcu_fixtures import running_simulator

DEVICES = ["printer", "payment", "camera", "speaker", "mcu", "storage", "outbox"]
DEVICES += ["sync", "clock"]
"""Every check whose answer does not depend on this machine's hardware."""


def _diag(argv: list[str], config: Path, data_dir: Path, parts=None):
    parser = argparse.ArgumentParser()
    add_parsers(parser.add_subparsers())
    args = parser.parse_args(argv)
    args.config, args.data_dir = config, data_dir
    out = io.StringIO()
    code = run_diag_command(args, out, parts)
    return code, out.getvalue()


def _json(argv, config, data_dir, parts=None):
    code, text = _diag(["diag", "--json", *argv], config, data_dir, parts)
    report = json.loads(text)
    return code, report, {c["name"]: c for c in report["checks"]}


def _write_clip(path: Path, frames: list[np.ndarray]) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 5, (160, 120))
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


def _moving_clip(path: Path) -> Path:
    rng = np.random.default_rng(3)
    return _write_clip(
        path, [rng.integers(0, 255, (120, 160, 3), dtype=np.uint8) for _ in range(6)]
    )


def _config(tmp_path: Path, mcu_port: str, camera: str, extra: str = "") -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[mcu]\nport = "{mcu_port}"\n[camera]\nsource = "{camera}"\n{extra}',
        encoding="utf-8",
    )
    return path


def _healthy_outbox(data_dir: Path) -> None:
    with Outbox.in_data_dir(data_dir) as outbox:
        outbox.enqueue(NewRequest("S1", "D1", "ro", "text"))
        now = datetime.now(UTC)
        outbox.record_sync_run(now, now, "ok", "sent 1")


@pytest.fixture
def healthy(tmp_path: Path, data_dir: Path) -> Iterator[tuple[Path, object]]:
    clip = _moving_clip(tmp_path / "lobby.avi")
    _healthy_outbox(data_dir)
    with running_simulator(tmp_path) as mcu:
        yield _config(tmp_path, str(mcu.link_path), str(clip)), mcu


def test_diag_json_is_all_ok_on_healthy_simulated_devices(healthy, data_dir: Path):
    config, _mcu = healthy
    code, report, checks = _json(DEVICES, config, data_dir)
    assert code == 0
    assert {n: c["status"] for n, c in checks.items() if c["status"] != "ok"} == {}
    assert checks["payment"]["summary"] == "simulated terminal SIM00001: ready"
    assert checks["mcu"]["summary"].startswith("answers in")
    assert "1 waiting" in checks["outbox"]["summary"]
    assert "(ok)" in checks["sync"]["summary"]
    assert report["status"] == "ok"
    assert report["elapsed_ms"] < 3000


def test_diag_table_is_readable(healthy, data_dir: Path):
    config, _mcu = healthy
    code, text = _diag(["diag", "mcu", "payment"], config, data_dir)
    lines = text.splitlines()
    assert code == 0
    assert lines[0].split() == ["CHECK", "STATUS", "DETAIL"]
    assert lines[2].split()[:2] == ["payment", "ok"]
    assert lines[-1] == "2 ok, 0 warning(s), 0 failed"


def test_whole_passive_run_stays_under_three_seconds(healthy, data_dir: Path):
    config, _mcu = healthy
    _code, report, checks = _json([], config, data_dir)
    assert len(checks) == 12
    assert report["elapsed_ms"] < 3000


def test_back_to_back_runs_each_get_the_full_sensor_report(healthy, data_dir: Path):
    config, _mcu = healthy
    for _ in range(3):
        _code, _report, checks = _json(["mcu"], config, data_dir)
        assert checks["mcu"]["summary"].endswith("mains power, battery 100 %")


def test_the_headphone_jack_is_listed_with_the_boards_inputs(healthy, data_dir: Path):
    config, mcu = healthy
    _code, _report, checks = _json(["mcu"], config, data_dir)
    assert "; headphones out; mains power" in checks["mcu"]["summary"]
    mcu.set_headphones(True)
    _code, _report, checks = _json(["mcu"], config, data_dir)
    assert checks["mcu"]["status"] == "ok"
    assert "; headphones in; mains power" in checks["mcu"]["summary"]


def test_silent_microcontroller_fails(healthy, data_dir: Path):
    config, mcu = healthy
    mcu.go_silent()
    code, _report, checks = _json(["mcu"], config, data_dir)
    assert code == 1
    assert checks["mcu"]["summary"].endswith("does not answer")
    assert checks["mcu"]["remedy"]


def test_unplugged_microcontroller_fails(healthy, data_dir: Path):
    config, mcu = healthy
    mcu.disappear()
    code, _report, checks = _json(["mcu"], config, data_dir)
    assert code == 1
    assert checks["mcu"]["summary"].startswith("cannot open")


@pytest.mark.parametrize(
    ("script", "words"),
    [
        (lambda mcu: mcu.set_tamper(True), "SERVICE DOOR OPEN"),
        (lambda mcu: mcu.set_power(True, 60), "ON UPS BATTERY (60 %)"),
    ],
)
def test_tamper_and_ups_battery_are_warnings(healthy, data_dir: Path, script, words):
    config, mcu = healthy
    script(mcu)
    code, _report, checks = _json(["mcu"], config, data_dir)
    assert code == 0
    assert checks["mcu"]["status"] == "warning"
    assert words in checks["mcu"]["summary"]


def test_active_led_test_is_confirmed_by_the_board(healthy, data_dir: Path):
    config, mcu = healthy
    code, _report, checks = _json(["--active", "mcu"], config, data_dir)
    assert code == 0, checks
    assert mcu.led.pattern.name == "TEST"


def test_active_test_receipt_is_printed(tmp_path: Path, data_dir: Path):
    printer = SimulatedPrinter(tmp_path / "receipts")
    parts = DiagParts(make_printer=lambda s: printer)
    config = _config(tmp_path, "simulated", "simulated")
    code, _report, checks = _json(["--active", "printer"], config, data_dir, parts)
    assert code == 0
    assert list(printer.printed) == ["TEST"]
    assert checks["test-receipt"]["status"] == "ok"


def test_frozen_camera_fails(tmp_path: Path, data_dir: Path):
    still = np.full((120, 160, 3), 90, np.uint8)
    clip = _write_clip(tmp_path / "still.avi", [still] * 6)
    config = _config(tmp_path, "simulated", str(clip))
    code, _report, checks = _json(["camera"], config, data_dir)
    assert code == 1
    assert "frozen" in checks["camera"]["summary"]


def test_missing_camera_fails(tmp_path: Path, data_dir: Path):
    config = _config(tmp_path, "simulated", str(tmp_path / "gone.avi"))
    code, _report, checks = _json(["camera"], config, data_dir)
    assert code == 1
    assert checks["camera"]["summary"].startswith("cannot open")


def test_camera_whose_reads_fail_is_unplugged(tmp_path: Path, data_dir: Path):
    source = SimulatedSource()
    source.unplugged = True
    parts = DiagParts(make_camera_source=lambda s: source)
    config = _config(tmp_path, "simulated", "simulated")
    code, _report, checks = _json(["camera"], config, data_dir, parts)
    assert code == 1
    assert "reads in a row failed" in checks["camera"]["summary"]


@pytest.mark.parametrize(
    ("status", "level"),
    [
        (PrinterStatus.PAPER_OUT, "failed"),
        (PrinterStatus.COVER_OPEN, "failed"),
        (PrinterStatus.NOT_ANSWERING, "failed"),
        (PrinterStatus.PAPER_LOW, "warning"),
    ],
)
def test_printer_faults(tmp_path: Path, data_dir: Path, status, level):
    printer = SimulatedPrinter(tmp_path / "receipts")
    printer.simulated_status = status
    parts = DiagParts(make_printer=lambda s: printer)
    config = _config(tmp_path, "simulated", "simulated")
    code, _report, checks = _json(["printer"], config, data_dir, parts)
    assert checks["printer"]["status"] == level
    assert checks["printer"]["remedy"]
    assert code == (1 if level == "failed" else 0)


def test_low_disk_space_fails(tmp_path: Path, data_dir: Path):
    config = _config(
        tmp_path, "simulated", "simulated", "[diag]\nmin_free_mb = 10000000\n"
    )
    code, _report, checks = _json(["storage"], config, data_dir)
    assert code == 1
    assert checks["storage"]["status"] == "failed"


def test_outbox_backlog_warns(tmp_path: Path, data_dir: Path):
    with Outbox.in_data_dir(data_dir) as outbox:
        for _ in range(3):
            outbox.enqueue(NewRequest("S1", "D1", "ro", "text"))
    config = _config(
        tmp_path, "simulated", "simulated", "[diag]\nbacklog_warning = 2\n"
    )
    _code, _report, checks = _json(["outbox", "sync"], config, data_dir)
    assert checks["outbox"]["status"] == "warning"
    assert checks["outbox"]["summary"].startswith("3 waiting")
    assert checks["sync"]["status"] == "warning"
    assert checks["sync"]["summary"] == "never synced"


def test_outbox_and_sync_checks_take_a_relative_data_dir(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    with Outbox.in_data_dir(data_dir) as outbox:
        outbox.enqueue(NewRequest("S1", "D1", "ro", "text"))
    config = _config(tmp_path, "simulated", "simulated")
    monkeypatch.chdir(data_dir.parent)
    relative = Path(data_dir.name)

    _code, _report, checks = _json(["outbox", "sync"], config, relative)

    assert checks["outbox"]["summary"].startswith("1 waiting")
    assert checks["sync"]["summary"] == "never synced"
    assert read_outbox_summary(relative).counts == {"queued": 1}


@pytest.mark.parametrize("damage", ["not a time", "", 42])
def test_an_unreadable_time_in_the_outbox_is_a_warning_not_a_crash(
    data_dir: Path, damage: object
):
    with Outbox.in_data_dir(data_dir) as outbox:
        outbox.enqueue(NewRequest("S1", "D1", "ro", "text"))
    _healthy_outbox(data_dir)
    conn = sqlite3.connect(data_dir / "outbox.sqlite3")
    conn.execute("UPDATE requests SET created_utc = ?", (damage,))
    conn.execute("UPDATE sync_runs SET finished_utc = ?", (damage,))
    conn.commit()
    conn.close()
    now = datetime.now(UTC)

    waiting = system.check_outbox(data_dir, system.DiagSettings(), now)
    last = system.check_last_sync(data_dir, now)

    assert waiting.level is Level.WARNING
    assert "unreadable time" in waiting.summary
    assert last.level is Level.WARNING


def test_failed_last_sync_warns(data_dir: Path):
    _healthy_outbox(data_dir)
    conn = sqlite3.connect(data_dir / "outbox.sqlite3")
    conn.execute("UPDATE sync_runs SET result = 'HTTP 500 from back-end'")
    conn.commit()
    conn.close()
    finding = system.check_last_sync(data_dir, datetime.now(UTC))
    assert finding.level is Level.WARNING
    assert finding.summary.endswith("failed: HTTP 500 from back-end")


def test_diag_never_creates_the_outbox(tmp_path: Path):
    empty = tmp_path / "fresh"
    finding = system.check_outbox(empty, system.DiagSettings(), datetime.now(UTC))
    assert finding.level is Level.OK
    assert not empty.exists()


def test_clock_in_1970_fails():
    finding = system.check_clock(datetime(1970, 1, 1, tzinfo=UTC), "Europe/Bucharest")
    assert finding.level is Level.FAILED
    assert "timedatectl" in finding.remedy


class _Answer(http.server.BaseHTTPRequestHandler):
    code = 200

    def do_GET(self):  # noqa: N802 - the name http.server calls
        self.send_response(self.code)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def local_backend() -> Iterator[http.server.HTTPServer]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_backend_reachable(local_backend):
    url = f"http://127.0.0.1:{local_backend.server_port}/"
    finding = system.check_backend(url, 1.0)
    assert finding.level is Level.OK
    assert "answers HTTP 200" in finding.summary


def test_backend_unreachable_fails(local_backend):
    port = local_backend.server_port
    local_backend.shutdown()
    local_backend.server_close()
    finding = system.check_backend(f"http://127.0.0.1:{port}/", 1.0)
    assert finding.level is Level.FAILED
    # On this machine the back-end can only be the reference one.
    assert "kiosk backend" in finding.remedy


def test_backend_not_configured_is_not_checked():
    assert system.check_backend("", 1.0).level is Level.OK


def test_a_hanging_check_is_cut_off_and_fails():
    release = threading.Event()

    def hangs():
        release.wait(10)
        return failed("never", "")

    try:
        (result,) = run_checks([("stuck", hangs)], timeout_s=0.2)
    finally:
        release.set()
    assert result.finding.level is Level.FAILED
    assert "no answer within 0.2 s" in result.finding.summary


def test_a_crashing_check_fails_with_its_cause(caplog):
    def crashes():
        raise ZeroDivisionError("boom")

    (result,) = run_checks([("bad", crashes)], timeout_s=1.0)
    assert result.finding.level is Level.FAILED
    assert "ZeroDivisionError: boom" in result.finding.summary


def test_unknown_check_name_is_a_usage_error(tmp_path: Path, data_dir: Path):
    code, text = _diag(["diag", "toaster"], None, data_dir)
    assert code == 2


def test_diag_follows_the_settings_for_reader_terminal_and_microphone(
    tmp_path: Path,
) -> None:
    from kiosk.config import CardReaderSettings, SpeechSettings, load_settings

    assert devices.check_card_reader(CardReaderSettings(driver="simulated")).level is (
        Level.OK
    )
    assert (
        "no card reader"
        in devices.check_card_reader(CardReaderSettings(driver="none")).summary
    )
    no_models = devices.check_microphone(SpeechSettings(models_dir=tmp_path))
    assert no_models.level is Level.OK and "not used" in no_models.summary
    config = tmp_path / "kiosk.toml"
    config.write_text('[payment]\ndriver = "none"\n', encoding="utf-8")
    off = devices.check_payment_terminal(load_settings(config, tmp_path / "d"))
    assert off.level is Level.OK and "card payments are off" in off.summary


def test_a_corrupt_terminal_state_fails_the_payment_check_without_crashing(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from kiosk.config import load_settings

    (data_dir / "payment-terminal.json").write_text("{garbage\n", encoding="utf-8")
    finding = devices.check_payment_terminal(load_settings(None, data_dir))
    assert finding.level is Level.FAILED
    assert "payment-terminal.json" in finding.summary
    assert "not valid JSON" in finding.summary
    assert "crashed" not in finding.summary


def test_the_live_checks_judge_the_speech_the_kiosk_is_playing(
    tmp_path: Path, data_dir: Path
):
    failing = PlaybackHealth("plughw:1,0", 4, 3, "plughw:1,0: aplay exit 1: busy")
    live = LiveParts(
        load_settings(None, data_dir),
        SimulatedPrinter(tmp_path / "receipts"),
        speech_health=lambda: failing,
    )

    results = {result.name: result.finding for result in live.run_checks()}

    assert results["speaker"].level is Level.FAILED
    assert "3 sentence(s) failed in a row" in results["speaker"].summary
