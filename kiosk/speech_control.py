"""The citizen's control of the speech rate, without Qt.

EN 301 549 5.1.3.4 asks for user control of speech. The rate is one of
two, both from the ``[speech]`` settings: the normal one and the one of
the **Slower speech** toggle.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from kiosk.config import SpeechSettings
from kiosk.i18n import N_

SLOWER_ON = N_("Speech is slower now.")
"""Said at the slow rate when the citizen turns Slower speech on."""
SLOWER_OFF = N_("Speech is at normal speed now.")
"""Said at the normal rate when the citizen turns Slower speech off."""


@runtime_checkable
class PacedSpeaker(Protocol):
    """A speaker whose rate can be changed."""

    def set_rate_wpm(self, rate_wpm: int) -> None:
        """Say the following sentences at ``rate_wpm`` words per minute."""
        ...


def rate_wpm(speech: SpeechSettings, slow: bool) -> int:
    """The rate of the citizen's choice, words per minute."""
    return speech.slow_rate_wpm if slow else speech.rate_wpm
