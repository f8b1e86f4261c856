"""Wall-clock times of day in a time zone: "HH:MM" and daylight-saving gaps.

The nightly restart is set as a local time; the loader checks that it
happens exactly once every day, and the UI uses the same helpers to find
the moment it is due.
"""

from __future__ import annotations

from datetime import datetime, time


def parse_local_time(text: str) -> time:
    """A "HH:MM" wall-clock time; ValueError if it is not one."""
    hours, sep, minutes = text.partition(":")
    if not sep or len(hours) != 2 or len(minutes) != 2:
        raise ValueError(f"{text!r} is not HH:MM")
    return time(int(hours), int(minutes))


def is_unambiguous_local(moment: datetime) -> bool:
    """True if this wall-clock time occurs exactly once in its zone."""
    # PEP 495: both inside a repeated hour and inside a skipped one, the two
    # values of ``fold`` give different UTC offsets; elsewhere they agree.
    return moment.replace(fold=0).utcoffset() == moment.replace(fold=1).utcoffset()
