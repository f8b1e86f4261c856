import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.crash import EXIT_CRASHED, report_previous_crashes

PROGRAM = """
import logging, sys, threading
from pathlib import Path
from kiosk.crash import CrashHandler, RingBufferHandler
from kiosk.store import NewRequest, Outbox

logging.basicConfig(level=logging.INFO)
crash_dir = Path(sys.argv[1])
CrashHandler(crash_dir / "crashes", RingBufferHandler()).install()
with Outbox.in_data_dir(crash_dir) as outbox:
    outbox.enqueue(NewRequest("tax.payment_info", "ditl", "ro", "impozit"))
logging.getLogger("kiosk.test").info("a line before the crash")
if sys.argv[2] == "thread":
    worker = threading.Thread(target=lambda: 1 / 0, name="device-worker")
    worker.start()
    worker.join()
    threading.Event().wait(5)
else:
    raise RuntimeError("boom in the main thread")
"""


@pytest.mark.parametrize("where", ["thread", "main"])
def test_an_unhandled_exception_writes_a_report_and_exits_non_zero(
    tmp_path: Path, where: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(tmp_path), where],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == EXIT_CRASHED, done.stderr
    reports = list((tmp_path / "crashes").glob("crash-*.log"))
    assert len(reports) == 1
    text = reports[0].read_text()
    assert ("ZeroDivisionError" if where == "thread" else "boom in the main") in text
    assert "a line before the crash" in text
    if where == "thread":
        assert "device-worker" in text

    # The outbox is intact after the crash.
    from kiosk.store import Outbox

    with Outbox.in_data_dir(tmp_path) as outbox:
        assert [r.ticket for r in outbox.list()] == ["A-00001"]

    # The next start reports the crash once.
    assert len(report_previous_crashes(tmp_path / "crashes")) == 1
    assert report_previous_crashes(tmp_path / "crashes") == []
