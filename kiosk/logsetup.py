"""Logging to stdout in a form journald stores well."""

from __future__ import annotations

import logging
import os
import sys
from typing import TextIO

_SYSLOG_PRIORITY = {
    logging.CRITICAL: 2,
    logging.ERROR: 3,
    logging.WARNING: 4,
    logging.INFO: 6,
    logging.DEBUG: 7,
}
"""Python levels as syslog priorities (crit, err, warning, info, debug)."""


def syslog_priority(level: int) -> int:
    """The syslog priority of a Python log level (levels between round up)."""
    for threshold, priority in sorted(_SYSLOG_PRIORITY.items(), reverse=True):
        if level >= threshold:
            return priority
    return 7


class JournalFormatter(logging.Formatter):
    """Prefixes every line with ``<N>``, the priority journald understands.

    journald stores each line of a service's stdout as its own entry and
    reads a leading ``<N>`` as the entry's priority (``SyslogLevelPrefix=``,
    on by default), so ``journalctl -p warning`` works. The time stamp and
    the unit name are added by journald. A traceback spans many lines; each
    gets the priority of its record.
    """

    def __init__(self) -> None:
        super().__init__("%(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        """The record's lines, each with its priority prefix."""
        prefix = f"<{syslog_priority(record.levelno)}>"
        return "\n".join(prefix + line for line in super().format(record).split("\n"))


def is_journal_stream(stream: TextIO) -> bool:
    """True if ``stream`` is the journald stream systemd gave this service."""
    expected = os.environ.get("JOURNAL_STREAM", "")
    device, sep, inode = expected.partition(":")
    if not sep:
        return False
    try:
        stat = os.fstat(stream.fileno())
    except (OSError, ValueError):
        return False
    return f"{stat.st_dev}:{stat.st_ino}" == f"{device}:{inode}"


def configure_logging(verbose: bool = False, service: bool = False) -> None:
    """Send records to stdout for services, to stderr for one-shot commands.

    journald reads a service's stdout and adds the time stamp itself. A
    command such as ``kiosk queue list --json`` keeps stdout for its answer,
    so its log lines go to stderr. Under systemd (``JOURNAL_STREAM`` names
    the stream) lines carry ``<N>`` priorities instead of level names.
    """
    stream = sys.stdout if service else sys.stderr
    handler = logging.StreamHandler(stream)
    if is_journal_stream(stream):
        handler.setFormatter(JournalFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
