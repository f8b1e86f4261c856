import logging
import os
import sys
from pathlib import Path

import pytest

from kiosk.logsetup import JournalFormatter, is_journal_stream, syslog_priority


def _record(level: int, message: str) -> logging.LogRecord:
    return logging.LogRecord("kiosk.test", level, __file__, 1, message, None, None)


@pytest.mark.parametrize(
    ("level", "priority"),
    [
        (logging.DEBUG, 7),
        (logging.INFO, 6),
        (logging.WARNING, 4),
        (logging.ERROR, 3),
        (logging.CRITICAL, 2),
        (logging.INFO + 5, 6),
    ],
)
def test_levels_map_to_syslog_priorities(level: int, priority: int) -> None:
    assert syslog_priority(level) == priority


def test_every_line_of_a_record_carries_its_priority_for_journald() -> None:
    text = JournalFormatter().format(_record(logging.ERROR, "first\nsecond"))
    assert text == "<3>kiosk.test: first\n<3>second"


def test_the_journal_stream_is_recognised_by_device_and_inode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (tmp_path / "stream").open("w") as stream:
        stat = os.fstat(stream.fileno())
        monkeypatch.setenv("JOURNAL_STREAM", f"{stat.st_dev}:{stat.st_ino}")
        assert is_journal_stream(stream)
        monkeypatch.setenv("JOURNAL_STREAM", f"{stat.st_dev}:{stat.st_ino + 1}")
        assert not is_journal_stream(stream)
        monkeypatch.delenv("JOURNAL_STREAM")
        assert not is_journal_stream(stream)
    assert not is_journal_stream(sys.__stdout__) or "JOURNAL_STREAM" in os.environ
