"""The recogniser interface, its results, and a simulated recogniser.

A Recognizer holds one model per language; each utterance gets its own
Recognition stream, free dictation or restricted to a grammar (the phrases
the screen offers as choices).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from kiosk.speech.errors import GrammarError, NoModelError

logger = logging.getLogger(__name__)

_SIMULATED_DIR = Path("<simulated models>")
_REPORTED_MAX = 1000
_reported: set[tuple[str, tuple[str, ...]]] = set()
"""Dropped phrase sets already warned about (forgotten past the maximum)."""


@dataclass(frozen=True)
class Word:
    """One recognised word with the recogniser's confidence in it."""

    text: str
    confidence: float
    """0.0 to 1.0."""
    start_s: float = 0.0
    end_s: float = 0.0


@dataclass(frozen=True)
class Hypothesis:
    """What the recogniser understood in one utterance."""

    text: str
    """The words joined by spaces; empty when nothing was understood."""
    language: str
    words: tuple[Word, ...] = ()
    grammar: tuple[str, ...] | None = None
    """The phrases the recognition was restricted to, None for dictation."""

    @property
    def confidence(self) -> float:
        """The least confident word's confidence (0.0 when empty)."""
        return min((w.confidence for w in self.words), default=0.0)


class Recognition(Protocol):
    """One utterance being recognised as audio streams in."""

    def accept(self, pcm: bytes) -> None:
        """Feed 16 kHz mono 16-bit PCM."""
        ...

    def partial(self) -> str:
        """The best guess so far (may change)."""
        ...

    def finish(self) -> Hypothesis:
        """End the utterance and return the final result."""
        ...


class Recognizer(Protocol):
    """Speech recognition with one model per language."""

    def available(self, language: str) -> bool:
        """A model for this language is installed."""
        ...

    def prepare(self, language: str) -> None:
        """Load the language's model now (slow; call it off the UI thread)."""
        ...

    def start(self, language: str, grammar: Sequence[str] | None = None) -> Recognition:
        """Begin an utterance; raises NoModelError or GrammarError."""
        ...

    def close(self) -> None:
        """Release every model."""
        ...


def usable_grammar(
    phrases: Iterable[str], known: Callable[[str], bool], language: str
) -> tuple[str, ...]:
    """The phrases whose every word the model knows, lower-cased.

    A phrase with an unknown word is dropped with a WARNING rather than
    passed on: the recogniser would silently drop the word and then answer
    with the rest of the phrase, which means something else.
    """
    kept: list[str] = []
    dropped: list[str] = []
    for phrase in phrases:
        clean = " ".join(phrase.lower().split())
        if not clean or clean in kept:
            continue
        if all(known(word) for word in clean.split()):
            kept.append(clean)
        else:
            dropped.append(clean)
    if dropped:
        # A screen listens again and again with the same phrases: the
        # operator needs to hear of a gap in the model once, not every turn.
        key = (language, tuple(dropped))
        log = logger.debug if key in _reported else logger.warning
        if len(_reported) >= _REPORTED_MAX:
            _reported.clear()
        _reported.add(key)
        log(
            "Grammar phrases not in the %s model's vocabulary, ignored: %s",
            language,
            ", ".join(dropped),
        )
    if not kept:
        raise GrammarError(language, tuple(dropped))
    return tuple(kept)


class SimulatedRecognizer:
    """A recogniser that answers from a script; for demos and tests.

    Each utterance takes the next scripted answer. With a grammar, an answer
    outside it comes back empty, as a real restricted recogniser would fail.
    """

    def __init__(self, languages: Sequence[str], answers: Iterable[str] = ()) -> None:
        self.languages = tuple(languages)
        self._answers = list(answers)
        self.audio_bytes = 0
        """Bytes of audio received over all utterances."""

    def available(self, language: str) -> bool:
        """Whether the language was given to the constructor."""
        return language in self.languages

    def prepare(self, language: str) -> None:
        """Check the language, as loading would."""
        if not self.available(language):
            raise NoModelError(language, _SIMULATED_DIR)

    def start(
        self, language: str, grammar: Sequence[str] | None = None
    ) -> _SimulatedRecognition:
        """Begin an utterance that will be given the next scripted answer."""
        self.prepare(language)
        phrases = None
        if grammar is not None:
            phrases = usable_grammar(grammar, lambda word: True, language)
        answer = self._answers.pop(0) if self._answers else ""
        return _SimulatedRecognition(self, language, answer, phrases)

    def close(self) -> None:
        """Nothing to release."""


class _SimulatedRecognition:
    def __init__(
        self,
        owner: SimulatedRecognizer,
        language: str,
        answer: str,
        grammar: tuple[str, ...] | None,
    ) -> None:
        self._owner = owner
        self._language = language
        self._answer = answer
        self._grammar = grammar

    def accept(self, pcm: bytes) -> None:
        self._owner.audio_bytes += len(pcm)

    def partial(self) -> str:
        return ""

    def finish(self) -> Hypothesis:
        text = self._answer
        if self._grammar is not None and text not in self._grammar:
            text = ""
        words = tuple(Word(w, 1.0) for w in text.split())
        return Hypothesis(text, self._language, words, self._grammar)
