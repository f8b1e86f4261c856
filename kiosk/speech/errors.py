"""Errors of the speech package: one base and a few known faults."""

from __future__ import annotations

from pathlib import Path


class SpeechError(Exception):
    """Speech in or out failed; the kiosk carries on by touch."""


class AudioError(SpeechError):
    """An audio source or sink could not be opened or read."""

    def __init__(self, what: str, cause: str) -> None:
        self.what = what
        self.cause = cause
        super().__init__(f"audio {what}: {cause}")


class NoModelError(SpeechError):
    """No recognition model is installed for a language."""

    def __init__(self, language: str, models_dir: Path) -> None:
        self.language = language
        self.models_dir = models_dir
        super().__init__(
            f"no speech recognition model for language {language!r}: "
            f"{models_dir / language} is not a vosk model directory "
            "(speech input is off for this language; touch still works)"
        )


class ModelLoadError(SpeechError):
    """A model directory exists but the recogniser could not load it."""

    def __init__(self, language: str, path: Path, cause: str) -> None:
        self.language = language
        self.path = path
        super().__init__(f"cannot load the {language!r} model from {path}: {cause}")


class GrammarError(SpeechError):
    """None of the phrases of a grammar can be recognised by the model."""

    def __init__(self, language: str, phrases: tuple[str, ...]) -> None:
        self.language = language
        self.phrases = phrases
        super().__init__(
            f"none of the phrases {list(phrases)} is in the vocabulary of the "
            f"{language!r} model"
        )


class SynthesisError(SpeechError):
    """A sentence could not be turned into audio."""

    def __init__(self, language: str, cause: str) -> None:
        self.language = language
        self.cause = cause
        super().__init__(f"speech synthesis ({language}) failed: {cause}")
