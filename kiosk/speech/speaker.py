"""Speech out: the speaker interface and a silent stand-in.

The real text-to-speech engine comes later. Whatever implements
:class:`Speaker` is called from the Qt thread, so it must hand the sentence
to its own worker and return at once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

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
