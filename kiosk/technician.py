"""The technician PIN: an argon2id hash on disk and a lockout after misses.

The hidden service screen asks for this PIN. Five wrong PINs in a row lock
it for five minutes; the count and the lock are kept in the same file as
the hash, so restarting the kiosk does not reset them. The file never holds
the PIN itself. No Qt here: the screen calls ``verify`` from a worker.
"""

from __future__ import annotations

import enum
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

logger = logging.getLogger(__name__)

PIN_FILENAME = "technician-pin.json"
MAX_ATTEMPTS = 5
LOCKOUT_S = 300.0


class PinError(Exception):
    """The PIN cannot be set or the PIN file is unusable."""


class PinOutcome(enum.Enum):
    """What one attempt at the PIN ended in."""

    ACCEPTED = "accepted"
    WRONG = "wrong"
    LOCKED = "locked"
    """Too many wrong PINs; nothing was checked."""
    NOT_SET = "not_set"
    """No PIN was ever set: the service screen stays closed."""


@dataclass(frozen=True)
class PinCheck:
    """The outcome of an attempt and what the screen should say."""

    outcome: PinOutcome
    attempts_left: int
    """Wrong PINs still allowed before the lock."""
    locked_for_s: float = 0.0
    """Seconds until the lock ends; 0 when not locked."""


class PinStore:
    """Keeps the technician PIN's hash and counts wrong attempts."""

    def __init__(
        self,
        path: Path,
        clock: Callable[[], float] = time.time,
        hasher: PasswordHasher | None = None,
        max_attempts: int = MAX_ATTEMPTS,
        lockout_s: float = LOCKOUT_S,
    ) -> None:
        """Use the PIN file at ``path``.

        Args:
            path: the JSON file; created by ``set_pin``.
            clock: wall-clock seconds (the lock must outlive a restart).
            hasher: argon2 parameters; the library's argon2id defaults if None.
            max_attempts: wrong PINs in a row before the lock.
            lockout_s: how long the lock lasts, seconds.
        """
        self.path = path
        self.clock = clock
        self.hasher = hasher or PasswordHasher(type=Type.ID)
        self.max_attempts = max_attempts
        self.lockout_s = lockout_s

    def is_set(self) -> bool:
        """True when a PIN has been set."""
        return bool(self._load().get("hash"))

    def set_pin(self, pin: str) -> None:
        """Store a new PIN (4 to 12 digits) and clear any lock."""
        if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 12):
            raise PinError("the PIN must be 4 to 12 digits")
        self._save({"hash": self.hasher.hash(pin), "failures": 0, "locked_until": 0})
        logger.info("Technician PIN set")

    def verify(self, pin: str) -> PinCheck:
        """Check one attempt; counts misses and locks after too many."""
        state = self._load()
        stored = state.get("hash")
        if not stored:
            return PinCheck(PinOutcome.NOT_SET, self.max_attempts)
        now = self.clock()
        locked_until = state["locked_until"]
        if now < locked_until:
            return PinCheck(PinOutcome.LOCKED, 0, locked_until - now)
        failures = state["failures"] if locked_until == 0 else 0

        try:
            self.hasher.verify(stored, pin)
        except (VerificationError, InvalidHashError):
            failures += 1
        else:
            if self.hasher.check_needs_rehash(stored):
                stored = self.hasher.hash(pin)
            self._save({"hash": stored, "failures": 0, "locked_until": 0})
            logger.info("Technician PIN accepted")
            return PinCheck(PinOutcome.ACCEPTED, self.max_attempts)

        if failures >= self.max_attempts:
            until = now + self.lockout_s
            self._save({"hash": stored, "failures": failures, "locked_until": until})
            logger.warning(
                "Technician PIN locked for %.0f s after %d wrong attempts",
                self.lockout_s,
                failures,
            )
            return PinCheck(PinOutcome.LOCKED, 0, self.lockout_s)
        self._save({"hash": stored, "failures": failures, "locked_until": 0})
        logger.info("Technician PIN wrong (%d of %d)", failures, self.max_attempts)
        return PinCheck(PinOutcome.WRONG, self.max_attempts - failures)

    def _load(self) -> dict[str, Any]:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise PinError(f"cannot read {self.path}: {exc.strerror}") from exc
        try:
            state = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise PinError(f"{self.path} is damaged; set the PIN again") from exc
        try:
            return {
                "hash": str(state.get("hash") or ""),
                "failures": int(state.get("failures", 0)),
                "locked_until": float(state.get("locked_until", 0)),
            }
        except (AttributeError, TypeError, ValueError) as exc:
            raise PinError(f"{self.path} is damaged; set the PIN again") from exc

    def _save(self, state: dict[str, object]) -> None:
        tmp = self.path.with_suffix(".tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(state, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            raise PinError(f"cannot write {self.path}: {exc.strerror}") from exc
