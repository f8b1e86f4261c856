import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.cli import EXIT_USAGE
from kiosk.config import is_unambiguous_local
from kiosk.devices import EXIT_POWER_LOW
from kiosk.ui.nightly import EXIT_NIGHTLY_RESTART

ROOT = Path(__file__).parent.parent
SYSTEMD = ROOT / "systemd"
UNITS = sorted(SYSTEMD.glob("*.service")) + sorted(SYSTEMD.glob("*.timer"))
INSTALLED_KIOSK = "/usr/local/bin/kiosk"

needs_systemd = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="no systemd"
)


def _settings(unit: Path) -> dict[str, list[str]]:
    """Key to values (a key may repeat), across the unit's sections."""
    found: dict[str, list[str]] = {}
    for line in unit.read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def _copies(tmp_path: Path) -> list[str]:
    # verify checks that ExecStart= exists on this machine, so the installed
    # path is pointed at this checkout's kiosk command.
    kiosk = Path(sys.executable).parent / "kiosk"
    copies = []
    for unit in UNITS:
        copy = tmp_path / unit.name
        copy.write_text(unit.read_text().replace(INSTALLED_KIOSK, str(kiosk)))
        copies.append(str(copy))
    return copies


@needs_systemd
def test_every_unit_verifies_without_a_single_warning(tmp_path: Path) -> None:
    assert UNITS
    done = subprocess.run(
        ["systemd-analyze", "verify", *_copies(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout + done.stderr == ""


@needs_systemd
def test_the_verify_check_would_catch_a_misspelt_key(tmp_path: Path) -> None:
    # An unknown key is only a warning with exit status 0: the test above
    # must look at the output, and this shows that it has something to see.
    copies = _copies(tmp_path)
    kiosk = Path(copies[0]).with_name("antonia-kiosk.service")
    kiosk.write_text(kiosk.read_text().replace("Restart=always", "Restrat=always"))
    done = subprocess.run(
        ["systemd-analyze", "verify", *copies], capture_output=True, text=True
    )
    assert done.returncode == 0
    assert "Restrat" in done.stderr


def test_every_program_the_units_start_is_the_kiosk_or_exists_here() -> None:
    for unit in UNITS:
        for key in ("ExecStart", "ExecStartPre"):
            for command in _settings(unit).get(key, []):
                program = command.split()[0].lstrip("-@+!")
                assert program == INSTALLED_KIOSK or Path(program).exists(), (
                    f"{unit.name}: {program} (add its Debian package to "
                    "scripts/install-system-packages.sh)"
                )


def test_the_kiosk_service_is_watched_restarted_and_reaches_its_devices() -> None:
    unit = _settings(SYSTEMD / "antonia-kiosk.service")
    assert unit["Type"] == ["notify"]
    assert unit["NotifyAccess"] == ["main"]
    assert unit["Restart"] == ["always"]
    assert unit["WatchdogSec"]
    assert unit["StartLimitIntervalSec"] and unit["StartLimitBurst"]
    assert unit["User"] == ["antonia"]
    assert set(unit["SupplementaryGroups"][0].split()) == {"dialout", "video", "audio"}
    assert unit["StateDirectory"] == unit["ConfigurationDirectory"] == ["antonia"]
    # A planned restart and a clean stop on low battery are not failures;
    # neither the low battery nor a bad configuration is cured by a restart.
    assert unit["SuccessExitStatus"] == [f"{EXIT_NIGHTLY_RESTART} {EXIT_POWER_LOW}"]
    assert unit["RestartPreventExitStatus"] == [f"{EXIT_USAGE} {EXIT_POWER_LOW}"]
    assert unit["ExecStart"] == [
        f"{INSTALLED_KIOSK} --config /etc/antonia/kiosk.toml run"
    ]


def test_the_sync_timer_runs_nightly_at_a_time_that_exists_once_a_day() -> None:
    timer = _settings(SYSTEMD / "antonia-sync.timer")
    assert timer["Persistent"] == ["yes"]
    assert timer["RandomizedDelaySec"] == ["30min"]
    (calendar,) = timer["OnCalendar"]
    found = re.fullmatch(r"\*-\*-\* (\d\d):(\d\d):00 (\S+)", calendar)
    assert found, calendar
    hour, minute, zone = int(found[1]), int(found[2]), ZoneInfo(found[3])
    service = _settings(SYSTEMD / "antonia-sync.service")
    assert service["ExecStart"] == [
        f"{INSTALLED_KIOSK} --config /etc/antonia/kiosk.toml sync --once"
    ]
    # The start and the end of the random delay fall on unambiguous times,
    # on the days the clocks change (2026) and on an ordinary day.
    for day in ((2026, 3, 29), (2026, 10, 25), (2026, 7, 1)):
        start = datetime(*day, hour, minute, tzinfo=zone)
        for moment in (start, start + timedelta(minutes=30)):  # wall-clock sums
            assert is_unambiguous_local(moment), moment
