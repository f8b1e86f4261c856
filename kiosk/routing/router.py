"""Ranking services for a citizen's text with a model trained at startup.

The model learns from the catalogue (names in every language, Romanian
keywords) and from the example phrases shipped in ``kiosk/data/examples.jsonl``.
Text is folded and stemmed (:mod:`kiosk.routing.features`), weighted with
TF-IDF over word stems and character n-grams, and scored by a linear support
vector machine. Its scores become probabilities through a softmax whose
temperature is fitted on out-of-fold scores of the training phrases, so a
probability of 0.8 means about four right guesses in five on unseen phrasing.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from kiosk.catalog import (
    INFO_DESK_SERVICE,
    REGISTRY_SERVICE,
    ROUTER_SERVICES,
    Catalog,
    CatalogError,
    Service,
)
from kiosk.routing.candidate import Candidate
from kiosk.routing.decision import NOTHING_FITS_PROBABILITY, Decision, decide
from kiosk.routing.examples import Example, load_examples
from kiosk.routing.features import (
    char_features,
    encode,
    is_stopword,
    stem,
    word_features,
    word_grams,
)
from kiosk.textnorm import MAX_INPUT_CHARS, clean, word_pairs

logger = logging.getLogger(__name__)

__all__ = ["MAX_INPUT_CHARS", "Candidate", "Router"]

SECONDARY_PROBABILITY = 0.5
"""A part of the text must reach this to count as a second topic."""
EVIDENCE_WORDS = 3
"""How many words of the text each candidate cites as evidence."""

_SVM_C = 0.5
# Character n-grams are many and each says little; in the evidence a word's
# stem counts five times as much as one of its n-grams.
_GRAM_SHARE = 0.2
_FOLDS = 3
_TEMPERATURES = np.geomspace(1.0, 200.0, 60)
# Where a text is cut to look for a second topic: sentence ends and the words
# that join two requests in the kiosk's languages.
_TOPIC_BREAK = re.compile(
    r"[.;!?\n]+|,\s*|\b(?:și|si|iar|apoi|plus|és|es|meg|valamint|illetve|and|also)\b",
    re.IGNORECASE,
)

FloatArray = npt.NDArray[np.float64]


class Router:
    """Ranks the catalogue's services for a text in ro, hu or en."""

    def __init__(
        self, catalog: Catalog, examples: Sequence[Example] | None = None
    ) -> None:
        """Train the model on ``catalog`` and ``examples`` (default: shipped)."""
        started = time.perf_counter()
        for code in ROUTER_SERVICES:
            if code not in catalog:
                raise CatalogError(f"the router needs service {code} in the catalogue")
        self.catalog = catalog
        if examples is None:
            examples = load_examples(catalog)
        documents, labels = _training_set(catalog, examples)
        self._words = TfidfVectorizer(analyzer=word_features, sublinear_tf=True)
        self._chars = TfidfVectorizer(analyzer=char_features, sublinear_tf=True)
        union = FeatureUnion([("words", self._words), ("chars", self._chars)])
        matrix = union.fit_transform(documents)
        model = LinearSVC(C=_SVM_C).fit(matrix, labels)
        self._services = [catalog.service(str(code)) for code in model.classes_]
        # Single precision halves the largest array the router keeps; scores
        # only need to order 100 services.
        self._coefficients = np.asarray(model.coef_, dtype=np.float32)
        self._intercepts = np.asarray(model.intercept_, dtype=np.float32)
        self._temperature = _fit_temperature(matrix, np.asarray(labels))
        self._known_words = set(self._words.vocabulary_)
        self._word_offset = len(self._words.vocabulary_)
        # The first call pays for lazy imports and caches; pay it here rather
        # than in front of the first citizen.
        self.route("impozit parcare buletin", "ro")
        logger.info(
            "Router trained on %d phrases for %d services in %.2f s",
            len(documents),
            len(self._services),
            time.perf_counter() - started,
        )

    def rank(self, text: str, lang: str, limit: int = 5) -> list[Candidate]:
        """The best ``limit`` services for ``text``, most likely first.

        An empty list means the text holds no words at all.
        """
        if not word_pairs(text):
            return []
        probabilities = self._probabilities([text], lang)[0]
        return self._candidates(text, lang, probabilities, limit)

    def route(self, text: str, lang: str) -> Decision:
        """What the kiosk should do with ``text``: the whole routing policy."""
        text = clean(text)
        if not word_pairs(text):
            return decide([], text=text)
        parts = _topic_parts(text)
        rows = self._probabilities([text, *parts], lang)
        ranking = self._candidates(text, lang, rows[0], limit=5)
        if ranking[0].probability < NOTHING_FITS_PROBABILITY:
            ranking = self._with_info_desk(text, lang, rows[0], ranking)
        first, second = self._two_topics(parts, rows[1:])
        if first is not None and second is not None:
            ranking = _promote(ranking, first, rows[0][self._index(first)])
        return decide(
            ranking,
            text=text,
            secondary=second,
            known_words=self._count_known(text, lang),
        )

    def _with_info_desk(
        self, text: str, lang: str, row: FloatArray, ranking: list[Candidate]
    ) -> list[Candidate]:
        """The ranking with the info desk in it, where a vague text ends up."""
        if any(c.service.code == INFO_DESK_SERVICE for c in ranking):
            return ranking
        desk = self.catalog.service(INFO_DESK_SERVICE)
        index = self._index(desk)
        return [*ranking, Candidate(desk, float(row[index]), ())]

    def _probabilities(self, texts: Sequence[str], lang: str) -> FloatArray:
        scores = np.empty((len(texts), len(self._services)))
        for row, text in enumerate(texts):
            columns, values = self._vector(encode(text, lang))
            scores[row] = self._coefficients[:, columns] @ values + self._intercepts
        return _softmax(scores * self._temperature)

    def _vector(
        self, document: str
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float32]]:
        """The TF-IDF features of one document, as the fitted union makes them.

        Done by hand because scikit-learn's input checks cost more than the
        arithmetic for one short text, and the kiosk routes one text at a time.
        """
        parts = []
        offset = 0
        for vectoriser, analyse in (
            (self._words, word_features),
            (self._chars, char_features),
        ):
            counts: dict[int, int] = {}
            for feature in analyse(document):
                index = vectoriser.vocabulary_.get(feature)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if counts:
                columns = np.fromiter(counts, dtype=np.intp, count=len(counts))
                tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
                values = (1.0 + np.log(tf)) * vectoriser.idf_[columns]
                values /= np.linalg.norm(values)
                parts.append((columns + offset, values))
            offset += len(vectoriser.vocabulary_)
        if not parts:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float32)
        return (
            np.concatenate([columns for columns, _ in parts]),
            np.concatenate([values for _, values in parts]).astype(np.float32),
        )

    def _candidates(
        self, text: str, lang: str, probabilities: FloatArray, limit: int
    ) -> list[Candidate]:
        order = np.argsort(-probabilities, kind="stable")[: max(limit, 0)]
        words = self._word_features(text, lang)
        return [
            Candidate(
                service=self._services[i],
                probability=float(probabilities[i]),
                evidence=self._evidence(words, int(i)),
            )
            for i in order
        ]

    def _word_features(
        self, text: str, lang: str
    ) -> list[tuple[str, npt.NDArray[np.intp], FloatArray]]:
        """Each content word as typed, its feature columns and their weights."""
        words = []
        seen = set()
        for typed, folded in word_pairs(text):
            if folded in seen or is_stopword(folded):
                continue
            seen.add(folded)
            columns: list[int] = []
            weights: list[float] = []
            index = self._words.vocabulary_.get(stem(folded, lang))
            if index is not None:
                columns.append(index)
                weights.append(self._words.idf_[index])
            for gram in word_grams(folded):
                index = self._chars.vocabulary_.get(gram)
                if index is not None:
                    columns.append(self._word_offset + index)
                    weights.append(_GRAM_SHARE * self._chars.idf_[index])
            if columns:
                words.append((typed, np.array(columns), np.array(weights)))
        return words

    def _evidence(
        self, words: list[tuple[str, npt.NDArray[np.intp], FloatArray]], label: int
    ) -> tuple[str, ...]:
        """The typed words whose features weigh most for class ``label``."""
        coefficients = self._coefficients[label]
        scores = {
            typed: float(coefficients[columns] @ weights)
            for typed, columns, weights in words
        }
        best = sorted((w for w in scores if scores[w] > 0), key=lambda w: -scores[w])
        return tuple(best[:EVIDENCE_WORDS])

    def _two_topics(
        self, parts: list[str], rows: FloatArray
    ) -> tuple[Service | None, Service | None]:
        """The first two distinct confident topics among the text's parts."""
        found: list[Service] = []
        for row in rows:
            best = int(np.argmax(row))
            service = self._services[best]
            if row[best] < SECONDARY_PROBABILITY or not service.is_fileable:
                continue
            if service.code in (INFO_DESK_SERVICE, REGISTRY_SERVICE):
                continue
            if all(service.code != seen.code for seen in found):
                found.append(service)
        if len(found) < 2:
            return None, None
        return found[0], found[1]

    def _index(self, service: Service) -> int:
        return next(i for i, s in enumerate(self._services) if s.code == service.code)

    def _count_known(self, text: str, lang: str) -> int:
        return sum(
            1
            for _, folded in word_pairs(text)
            if len(folded) > 2 and stem(folded, lang) in self._known_words
        )


def _training_set(
    catalog: Catalog, examples: Sequence[Example]
) -> tuple[list[str], list[str]]:
    documents: list[str] = []
    labels: list[str] = []
    for example in examples:
        documents.append(encode(example.text, example.lang))
        labels.append(example.service)
    for service in catalog:
        for lang, name in service.names.items():
            documents.append(encode(name, lang))
            labels.append(service.code)
        for keyword in service.keywords:
            documents.append(encode(keyword, "ro"))
            labels.append(service.code)
    return documents, labels


def _fit_temperature(matrix: Any, labels: npt.NDArray[np.str_]) -> float:
    """The softmax temperature that best predicts held-out training phrases."""
    classes, counts = np.unique(labels, return_counts=True)
    if len(classes) < 2 or counts.min() < _FOLDS:
        return 10.0
    folds = StratifiedKFold(n_splits=_FOLDS, shuffle=True, random_state=0)
    scores = np.zeros((len(labels), len(classes)))
    for train, test in folds.split(matrix, labels):
        model = LinearSVC(C=_SVM_C).fit(matrix[train], labels[train])
        columns = np.searchsorted(classes, model.classes_)
        scores[np.ix_(test, columns)] = model.decision_function(matrix[test])
    truth = np.searchsorted(classes, labels)
    best, best_loss = 1.0, math.inf
    for temperature in _TEMPERATURES:
        probabilities = _softmax(scores * temperature)
        loss = -np.mean(np.log(probabilities[np.arange(len(truth)), truth] + 1e-12))
        if loss < best_loss:
            best, best_loss = float(temperature), float(loss)
    return best


def _softmax(scores: FloatArray) -> FloatArray:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    result: FloatArray = shifted / shifted.sum(axis=1, keepdims=True)
    return result


def _topic_parts(text: str) -> list[str]:
    """The pieces of ``text`` that may each carry a topic, in order."""
    parts = [p.strip() for p in _TOPIC_BREAK.split(text) if p and p.strip()]
    parts = [p for p in parts if len(p.split()) >= 2]
    return parts[:6] if len(parts) > 1 else []


def _promote(
    ranking: list[Candidate], first: Service, probability: float
) -> list[Candidate]:
    """The ranking with the text's first topic moved to the top."""
    rest = [c for c in ranking if c.service.code != first.code]
    found = [c for c in ranking if c.service.code == first.code]
    head = found[0] if found else Candidate(first, probability, ())
    return [head, *rest]
