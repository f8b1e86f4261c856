"""The citizen's control of the speech rate and of pausing, without Qt.

EN 301 549 5.1.3.4 asks for user control of speech. The rate is one of
two, both from the ``[speech]`` settings: the normal one and the one of
the **Slower speech** toggle. The keypad's Pause key holds the sentence
and goes on with it (:func:`toggle_pause`).
"""

from __future__ import annotations

from kiosk.config import SpeechSettings
from kiosk.i18n import N_
from kiosk.speech.speaker import PausableSpeaker

SLOWER_ON = N_("Speech is slower now.")
"""Said at the slow rate when the citizen turns Slower speech on."""
SLOWER_OFF = N_("Speech is at normal speed now.")
"""Said at the normal rate when the citizen turns Slower speech off."""


def toggle_pause(speaker: PausableSpeaker) -> bool:
    """Pause the speaker, or resume it if paused; True if now paused.

    Nothing is said either way: a word on pause would undo the pause, and
    on resume the held sentence simply goes on.
    """
    if speaker.paused:
        speaker.resume()
        return False
    return speaker.pause()


def rate_wpm(speech: SpeechSettings, slow: bool) -> int:
    """The rate of the citizen's choice, words per minute."""
    return speech.slow_rate_wpm if slow else speech.rate_wpm
