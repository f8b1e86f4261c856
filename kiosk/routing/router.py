"""Ranking services for a citizen's text.

This first router scores each service by the inverse-document-frequency
weight of the folded words it shares with the service's names (in every
language) and Romanian keywords.
TODO: it knows no synonyms, colloquial words or word forms beyond exact
folded matches, so accuracy on free text is modest; a trained model built
from example phrases should replace the scoring behind the same interface.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import dataclass

from kiosk.catalog import Catalog, Service
from kiosk.textnorm import tokens

logger = logging.getLogger(__name__)

MAX_INPUT_CHARS = 2000
"""Longer input is cut: a request never needs more, and it bounds the time."""


@dataclass(frozen=True)
class Candidate:
    """One service the text may be about."""

    service: Service
    probability: float
    """Share of the router's belief, 0.0 to 1.0; candidates sum to at most 1."""
    evidence: tuple[str, ...]
    """The folded words of the text that pointed at this service."""


class Router:
    """Ranks the catalogue's services for a text in ro, hu or en."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._vocab: dict[str, set[str]] = {}
        document_frequency: Counter[str] = Counter()
        for service in catalog:
            words: set[str] = set()
            for name in service.names.values():
                words.update(tokens(name))
            for keyword in service.keywords:
                words.update(tokens(keyword))
            words = {w for w in words if len(w) > 2}
            self._vocab[service.code] = words
            document_frequency.update(words)
        total = max(len(catalog), 1)
        self._idf = {
            w: math.log(total / n) + 0.1 for w, n in document_frequency.items()
        }

    def rank(self, text: str, lang: str, limit: int = 5) -> list[Candidate]:
        """The best ``limit`` services for ``text``, most likely first.

        An empty list means nothing in the text matched any service.
        """
        words = set(tokens(text[:MAX_INPUT_CHARS]))
        scored: list[tuple[float, Service, tuple[str, ...]]] = []
        for service in self.catalog:
            shared = words & self._vocab[service.code]
            if shared:
                score = sum(self._idf[w] for w in shared)
                scored.append((score, service, tuple(sorted(shared))))
        if not scored:
            return []
        scored.sort(key=lambda item: (-item[0], item[1].code))
        # A softmax with a "none of these" mass of weight 1 keeps a single
        # weak match from looking certain.
        weights = [math.exp(score) for score, _, _ in scored]
        total = sum(weights) + 1.0
        return [
            Candidate(service=service, probability=weight / total, evidence=evidence)
            for weight, (_, service, evidence) in zip(weights, scored, strict=True)
        ][:limit]
