"""Example phrases the router learns from, one per line of a JSONL file."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from kiosk.catalog import Catalog, CatalogError
from kiosk.config import LANGUAGES

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Example:
    """A phrase a citizen might say, labelled with the service it asks for."""

    service: str
    """The service code."""
    lang: str
    """The UI language the phrase is in."""
    text: str


def load_examples(catalog: Catalog, path: Path | None = None) -> list[Example]:
    """The examples in ``path``, or the ones shipped with the kiosk.

    Examples for services the catalogue does not have are skipped, so a
    catalogue pulled from the back-end may drop services without breaking the
    router.

    Raises:
        CatalogError: a line is not a well-formed example.
    """
    if path is None:
        data = resources.files("kiosk.data").joinpath("examples.jsonl")
        text = data.read_text("utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    examples = []
    skipped = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        example = _parse(line, number)
        if example.service in catalog:
            examples.append(example)
        else:
            skipped += 1
    if skipped:
        logger.info("Skipped %d examples of services not in the catalogue", skipped)
    return examples


def _parse(line: str, number: int) -> Example:
    try:
        entry = json.loads(line)
        example = Example(
            service=str(entry["service"]),
            lang=str(entry["lang"]),
            text=str(entry["text"]),
        )
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise CatalogError(f"example line {number} is malformed: {exc}") from exc
    if example.lang not in LANGUAGES or not example.text.strip():
        raise CatalogError(f"example line {number} has a bad language or no text")
    return example
