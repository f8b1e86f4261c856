"""The ``[diag]`` section: when ``kiosk diag`` turns a reading into a warning.

The thresholds cover free disk space, the outbox backlog and its oldest
request, and how long one passive check may take.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.config.errors import check_ranges


@dataclass(frozen=True)
class DiagSettings:
    """Thresholds of ``kiosk diag``."""

    min_free_mb: int = 500
    """Free space below this on the data disk is a warning, MiB."""
    backlog_warning: int = 50
    """Requests waiting for the back-end above this count are a warning."""
    oldest_warning_h: float = 24.0
    """A request waiting longer than this is a warning, hours."""
    check_timeout_s: float = 2.0
    """Longest one passive check may take, seconds."""


def validate_diag(diag: DiagSettings) -> None:
    """Refuse a threshold or check timeout out of range."""
    check_ranges(
        [
            ("diag.min_free_mb", diag.min_free_mb, 0, 10**7),
            ("diag.backlog_warning", diag.backlog_warning, 0, 10**7),
            ("diag.oldest_warning_h", diag.oldest_warning_h, 0, 10**5),
            ("diag.check_timeout_s", diag.check_timeout_s, 0.1, 30),
        ]
    )
