import json
import subprocess
import sys
from pathlib import Path

from kiosk.cli import EXIT_NEEDS_CHOICE, EXIT_OK, EXIT_USAGE


def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_file_with_a_service_prints_the_ticket_and_queues_it(data_dir: Path) -> None:
    done = kiosk(
        "--data-dir",
        str(data_dir),
        "file",
        "Vreau un duplicat după certificatul de naștere",
        "--service",
        "civil.certificate_duplicate",
        "--json",
    )
    assert done.returncode == EXIT_OK, done.stderr
    filed = json.loads(done.stdout)
    assert filed["ticket"] == "A-00001"
    assert filed["department"] == "stare_civila"
    assert filed["printed"] is True
    assert (data_dir / "receipts" / "A-00001.txt").exists()

    listed = kiosk("queue", "list", "--json", "--data-dir", str(data_dir))
    rows = json.loads(listed.stdout)
    assert [(r["ticket"], r["state"], r["uuid"]) for r in rows] == [
        ("A-00001", "queued", filed["uuid"])
    ]


def test_queue_list_reads_as_a_table(data_dir: Path) -> None:
    kiosk(
        "file",
        "abonament",
        "--service",
        "parking.resident_permit_renewal",
        "--data-dir",
        str(data_dir),
    )
    listed = kiosk("queue", "list", "--data-dir", str(data_dir))
    assert "A-00001" in listed.stdout and "1 request(s)" in listed.stdout


def test_file_refuses_empty_text(data_dir: Path) -> None:
    done = kiosk("--data-dir", str(data_dir), "file", "   \x07", "--lang", "en")
    assert done.returncode == EXIT_USAGE
    assert "Please tell us what you need" in done.stderr
    assert not (data_dir / "outbox.sqlite3").exists()


def test_file_refuses_a_text_the_screen_would_refuse(data_dir: Path) -> None:
    done = kiosk("--data-dir", str(data_dir), "file", "impozit " * 2500)
    assert done.returncode == EXIT_USAGE
    assert "19999" in done.stderr and "1000" in done.stderr
    assert "Vă rugăm" in done.stderr  # in the citizen's language (ro)
    assert not (data_dir / "outbox.sqlite3").exists()


def test_file_validates_contact_details_and_needs_consent(data_dir: Path) -> None:
    base = (
        "--data-dir",
        str(data_dir),
        "file",
        "abonament parcare",
        "--service",
        "parking.resident_permit_renewal",
        "--lang",
        "en",
    )
    bad_phone = kiosk(*base, "--phone", "123", "--consent")
    bad_email = kiosk(*base, "--email", "not an email", "--consent")
    no_consent = kiosk(*base, "--email", "ana@example.ro")
    assert [d.returncode for d in (bad_phone, bad_email, no_consent)] == [
        EXIT_USAGE
    ] * 3
    assert "0722 123 456" in bad_phone.stderr
    assert "e-mail" in bad_email.stderr
    assert "--consent" in no_consent.stderr
    assert not (data_dir / "outbox.sqlite3").exists()
    done = kiosk(*base, "--phone", "0722 123 456", "--consent", "--json")
    assert done.returncode == EXIT_OK, done.stderr


def test_file_refuses_an_unknown_service(data_dir: Path) -> None:
    done = kiosk("--data-dir", str(data_dir), "file", "x", "--service", "no.such")
    assert done.returncode == EXIT_USAGE
    assert "no.such" in done.stderr


def test_file_refuses_what_the_city_hall_does_not_handle(data_dir: Path) -> None:
    done = kiosk(
        "--data-dir",
        str(data_dir),
        "file",
        "pașaport",
        "--service",
        "external.state_documents",
    )
    assert done.returncode == EXIT_USAGE
    assert not (data_dir / "receipts").exists()


def test_file_lists_candidates_when_routing_is_unsure(data_dir: Path) -> None:
    done = kiosk("--data-dir", str(data_dir), "file", "am o problemă", "--lang", "ro")
    assert done.returncode == EXIT_NEEDS_CHOICE
    assert "too vague" in done.stderr and "--service" in done.stderr


def test_a_bad_config_file_exits_with_a_message(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text("[kiosk]\ntimezone = 'Nowhere/Land'\n")
    done = kiosk("--config", str(config), "queue", "list")
    assert done.returncode == EXIT_USAGE
    assert "kiosk.timezone" in done.stderr


def test_an_unusable_data_dir_exits_with_a_message(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    done = kiosk(
        "--data-dir",
        str(blocker / "sub"),
        "file",
        "Vreau un duplicat după certificatul de naștere",
        "--service",
        "civil.certificate_duplicate",
    )
    assert done.returncode == 1
    assert "cannot open the outbox" in done.stderr
    assert f"{blocker} is a file, not a folder" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_taken_port_for_the_backend_is_reported_plainly(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = kiosk("backend", "--port", str(port), "--db", str(tmp_path / "b.db"))
    assert done.returncode == 1
    assert f"127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr


def test_run_without_a_display_says_so_instead_of_aborting(data_dir: Path) -> None:
    import os

    env = {
        k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")
    }
    env.pop("QT_QPA_PLATFORM", None)
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "run", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == EXIT_USAGE
    assert "no display" in done.stderr and "make run" in done.stderr


def test_common_options_also_come_after_the_subcommand(data_dir: Path) -> None:
    diag = kiosk("diag", "storage", "--json", "--data-dir", str(data_dir))
    assert diag.returncode == EXIT_OK, diag.stderr
    assert str(data_dir) in json.loads(diag.stdout)["checks"][0]["summary"]
