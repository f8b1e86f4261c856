"""Recognition with vosk, a model directory per language.

vosk is imported here only. Models are looked up as ``<models_dir>/<lang>``
and never downloaded: a language without a directory is simply not offered
for speech. A loaded model is shared by every recogniser in the process
while any of them holds it (a model costs about half a gigabyte).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import vosk

from kiosk.speech.audio import SAMPLE_RATE
from kiosk.speech.errors import ModelLoadError, NoModelError
from kiosk.speech.recognition import Hypothesis, Word, usable_grammar

logger = logging.getLogger(__name__)

# Kaldi's INFO chatter (one line per model file) would flood the journal;
# warnings and errors still come through on stderr.
vosk.SetLogLevel(-1)

_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{1,8})?")
_shared_models: weakref.WeakValueDictionary[Path, Any] = weakref.WeakValueDictionary()
_shared_lock = threading.Lock()


def is_model_dir(path: Path) -> bool:
    """The directory looks like a vosk model (acoustic model and config)."""
    return (path / "am" / "final.mdl").is_file() and (path / "conf").is_dir()


class VoskRecognizer:
    """The Recognizer for vosk models under one directory."""

    def __init__(self, models_dir: Path) -> None:
        self.models_dir = models_dir
        self._models: dict[str, Any] = {}
        self._lock = threading.Lock()

    def model_path(self, language: str) -> Path:
        """Where the model for a language must be."""
        return self.models_dir / language

    def available(self, language: str) -> bool:
        """A model directory exists for this language."""
        return bool(_LANGUAGE.fullmatch(language)) and is_model_dir(
            self.model_path(language)
        )

    def languages(self) -> tuple[str, ...]:
        """Every language with an installed model, sorted."""
        if not self.models_dir.is_dir():
            return ()
        names = (p.name for p in self.models_dir.iterdir())
        return tuple(sorted(n for n in names if self.available(n)))

    def prepare(self, language: str) -> None:
        """Load the language's model if it is not loaded yet."""
        self._model(language)

    def _model(self, language: str) -> Any:
        with self._lock:
            model = self._models.get(language)
            if model is not None:
                return model
            if not self.available(language):
                raise NoModelError(language, self.models_dir)
            path = self.model_path(language).resolve()
            with _shared_lock:
                model = _shared_models.get(path)
                if model is None:
                    model = _load(language, path)
                    _shared_models[path] = model
            self._models[language] = model
            return model

    def start(
        self, language: str, grammar: Sequence[str] | None = None
    ) -> VoskRecognition:
        """Begin an utterance, free or restricted to the grammar's phrases."""
        model = self._model(language)
        phrases = None
        if grammar is None:
            recognizer = vosk.KaldiRecognizer(model, SAMPLE_RATE)
        else:
            phrases = usable_grammar(
                grammar, lambda word: model.vosk_model_find_word(word) >= 0, language
            )
            # "[unk]" lets a model that has it answer "none of these" rather
            # than forcing the nearest phrase.
            options = list(phrases)
            if model.vosk_model_find_word("[unk]") >= 0:
                options.append("[unk]")
            recognizer = vosk.KaldiRecognizer(
                model, SAMPLE_RATE, json.dumps(options, ensure_ascii=False)
            )
        recognizer.SetWords(True)
        return VoskRecognition(recognizer, language, phrases)

    def close(self) -> None:
        """Drop this recogniser's hold on its models."""
        with self._lock:
            self._models.clear()


def _load(language: str, path: Path) -> Any:
    started = time.monotonic()
    try:
        model = vosk.Model(str(path))
    except Exception as exc:  # noqa: BLE001 - vosk raises a bare Exception
        raise ModelLoadError(language, path, str(exc)) from exc
    logger.info(
        "Speech model %s loaded from %s in %.1f s",
        language,
        path,
        time.monotonic() - started,
    )
    return model


class VoskRecognition:
    """One utterance streaming into a vosk recogniser."""

    def __init__(
        self, recognizer: Any, language: str, grammar: tuple[str, ...] | None
    ) -> None:
        self._recognizer = recognizer
        self.language = language
        self.grammar = grammar
        self._words: list[Word] = []

    def accept(self, pcm: bytes) -> None:
        """Feed audio; keeps words of segments vosk closes on its own."""
        if pcm and self._recognizer.AcceptWaveform(pcm):
            self._words.extend(_words(self._recognizer.Result()))

    def partial(self) -> str:
        """The best guess so far."""
        return str(json.loads(self._recognizer.PartialResult()).get("partial", ""))

    def finish(self) -> Hypothesis:
        """Flush the recogniser and return every word of the utterance."""
        self._words.extend(_words(self._recognizer.FinalResult()))
        words = tuple(w for w in self._words if w.text != "[unk]")
        text = " ".join(w.text for w in words)
        return Hypothesis(text, self.language, words, self.grammar)


def _words(result_json: str) -> list[Word]:
    result = json.loads(result_json)
    return [
        Word(
            str(item["word"]),
            float(item.get("conf", 0.0)),
            float(item.get("start", 0.0)),
            float(item.get("end", 0.0)),
        )
        for item in result.get("result", ())
    ]
