"""How a bad setting is reported: the error every check raises.

Each section's checks live next to its dataclass and raise ``ConfigError``
with the dotted key, so the message the operator reads always names the
line to fix.
"""

from __future__ import annotations

from collections.abc import Iterable


class ConfigError(Exception):
    """The configuration file is missing, unreadable or holds a bad value."""

    def __init__(self, key: str, problem: str) -> None:
        self.key = key
        self.problem = problem
        where = (
            "configuration file" if key == "--config" else f"configuration key '{key}'"
        )
        super().__init__(f"{where}: {problem}")


def check_ranges(ranges: Iterable[tuple[str, float, float, float]]) -> None:
    """Refuse the first (key, value, low, high) whose value lies outside low..high.

    The bounds appear in the message as written, so ``10**7`` reads 10000000
    and ``0.5`` reads 0.5.
    """
    for key, value, low, high in ranges:
        if not low <= value <= high:
            raise ConfigError(key, f"must be between {low} and {high}")
