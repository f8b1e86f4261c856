"""Speech out: the speaker interface, its optional abilities, a silent stand-in.

Whatever implements :class:`Speaker` is called from the Qt thread, so it
must hand the sentence to its own worker and return at once. A speaker may
also switch its output device, change its level or rate, and pause: the
protocols below name those abilities (``kiosk.speech.tts.TextToSpeech``
has them all).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

logger = logging.getLogger(__name__)


class Speaker(Protocol):
    """Something that reads sentences aloud without blocking the caller."""

    def say(self, text: str, language: str) -> None:
        """Start speaking ``text`` in ``language``, replacing any speech."""
        ...

    def say_parts(self, parts: Sequence[tuple[str, str]]) -> None:
        """Say (text, language) sentences one after another, as one utterance.

        The sequence replaces any speech, and anything said later, or
        ``stop()``, ends all of it.
        """
        ...

    def stop(self) -> None:
        """Stop speaking now."""
        ...


# What some speakers can do besides speaking; the accessibility controls
# ask a speaker with isinstance, so a simple speaker needs none of them.


@runtime_checkable
class RoutableSpeaker(Protocol):
    """A speaker that can move its sound to another output (the headphones)."""

    def set_output_device(self, device: str) -> None:
        """Play every sentence from now on through ``device``."""
        ...


@runtime_checkable
class AdjustableSpeaker(Protocol):
    """A speaker whose level can be changed."""

    def set_gain_db(self, gain_db: float) -> None:
        """Play the following sentences at ``gain_db`` (0: the loudest)."""
        ...


@runtime_checkable
class PacedSpeaker(Protocol):
    """A speaker whose rate can be changed."""

    def set_rate_wpm(self, rate_wpm: int) -> None:
        """Say the following sentences at ``rate_wpm`` words per minute."""
        ...


@runtime_checkable
class PausableSpeaker(Protocol):
    """A speaker that can hold what it is saying and go on with it."""

    @property
    def paused(self) -> bool:
        """Something said is being held."""
        ...

    def pause(self) -> bool:
        """Hold what is being said; False if nothing is."""
        ...

    def resume(self) -> bool:
        """Go on from where it was held; False if nothing was."""
        ...


class SilentSpeaker:
    """A speaker that only records what it was asked to say."""

    def __init__(self) -> None:
        self.spoken: list[tuple[str, str]] = []
        """Language and text of every sentence, oldest first."""

    def say(self, text: str, language: str) -> None:
        """Log the sentence at DEBUG instead of speaking it."""
        # The sentence may quote what the citizen typed, so it stays at DEBUG.
        logger.debug("speech.say language=%s chars=%d", language, len(text))
        self.spoken.append((language, text))
        del self.spoken[:-50]

    def say_parts(self, parts: Sequence[tuple[str, str]]) -> None:
        """Record each part as a sentence of its own."""
        for text, language in parts:
            self.say(text, language)

    def stop(self) -> None:
        """Nothing is ever playing."""
