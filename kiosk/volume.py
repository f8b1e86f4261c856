"""Speech volume levels of the citizen, without Qt.

The loudspeaker and the headphone jack have a level each. A level is a gain
in dB applied to the synthesised speech (see ``kiosk.speech.gain``): 0 dB
is the loudest, which the installer sets with the ALSA mixer to at least
65 dBA where the citizen stands (EN 301 549 5.1.3.12); the citizen steps
down from it and back up. Each session starts at the configured defaults,
which the installer keeps at 65 dBA or less (5.1.3.13).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kiosk.config import SpeechSettings
from kiosk.i18n import N_

VOLUME_LEVEL = N_("Volume {level} of {count}.")
"""Said after each Louder or Quieter press, at the new level."""


@dataclass(frozen=True)
class VolumeScale:
    """The levels a citizen steps through, from the quietest to 0 dB."""

    step_db: float
    """Change of one press, dB."""
    min_db: float
    """The quietest level, dB (negative)."""

    @classmethod
    def from_settings(cls, speech: SpeechSettings) -> VolumeScale:
        """The scale of the ``[speech]`` settings."""
        return cls(speech.volume_step_db, speech.volume_min_db)

    @property
    def count(self) -> int:
        """How many levels there are."""
        return math.floor(-self.min_db / self.step_db + 1e-9) + 1

    def gain_db(self, default_db: float, steps: int) -> float:
        """The level ``steps`` presses above (below) ``default_db``."""
        return max(self.min_db, min(0.0, default_db + steps * self.step_db))

    def step(self, default_db: float, steps: int, delta: int) -> int:
        """The steps after one more press, never beyond either end."""
        moved = steps + delta
        if self.gain_db(default_db, moved) == self.gain_db(default_db, steps):
            return steps
        return moved

    def level(self, gain_db: float) -> int:
        """The level's number, 1 (quietest) to ``count`` (loudest)."""
        return min(self.count, round((gain_db - self.min_db) / self.step_db) + 1)
