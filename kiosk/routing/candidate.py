"""A ranked guess: one service the citizen's text may be about."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.catalog import Service


@dataclass(frozen=True)
class Candidate:
    """One service the text may be about."""

    service: Service
    probability: float
    """The router's calibrated belief, 0.0 to 1.0; a ranking sums to at most 1."""
    evidence: tuple[str, ...]
    """Words of the text, as typed, that pointed most at this service."""
