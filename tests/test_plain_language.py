"""Plain language: short sentences on every screen, in every language."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

LOCALE = Path(__file__).parent.parent / "kiosk" / "locale"
SENTENCE_END = re.compile(r"(?<=[.?!:])\s+")
MAX_WORDS = 15
"""Longest sentence; the longest ones are lists of examples."""
MAX_MEAN_WORDS = 8.0


def _sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(text.strip()) if s]


def _texts(lang: str) -> list[str]:
    path = LOCALE / ("kiosk.pot" if lang == "en" else f"{lang}/LC_MESSAGES/kiosk.po")
    with path.open("rb") as handle:
        catalog = read_po(handle)
    texts = [m.id if lang == "en" else m.string for m in catalog if m.id]
    prompts = resources.files("kiosk.data").joinpath("routing_prompts.json")
    for per_language in json.loads(prompts.read_text("utf-8")).values():
        texts.append(per_language[lang])
    return [t for t in texts if isinstance(t, str) and t]


@pytest.mark.parametrize("lang", ["en", "ro", "hu"])
def test_sentences_are_short(lang: str) -> None:
    sentences = [s for text in _texts(lang) for s in _sentences(text)]
    lengths = [len(s.split()) for s in sentences]
    assert len(sentences) > 80
    too_long = [s for s in sentences if len(s.split()) > MAX_WORDS]
    assert too_long == []
    assert sum(lengths) / len(lengths) <= MAX_MEAN_WORDS
