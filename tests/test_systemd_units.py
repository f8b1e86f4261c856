import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNITS = sorted((Path(__file__).parent.parent / "systemd").glob("*.service")) + sorted(
    (Path(__file__).parent.parent / "systemd").glob("*.timer")
)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd")
def test_every_unit_verifies_without_a_single_warning(tmp_path: Path) -> None:
    assert UNITS
    # verify checks that ExecStart= exists on this machine, so the installed
    # path is pointed at this checkout's kiosk command.
    kiosk = Path(sys.executable).parent / "kiosk"
    copies = []
    for unit in UNITS:
        copy = tmp_path / unit.name
        copy.write_text(unit.read_text().replace("/usr/local/bin/kiosk", str(kiosk)))
        copies.append(str(copy))
    done = subprocess.run(
        ["systemd-analyze", "verify", *copies], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout + done.stderr == ""
