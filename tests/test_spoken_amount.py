"""Amounts are spoken in lei and bani, with each language's grammar."""

from __future__ import annotations

import pytest

from kiosk.i18n import translations
from kiosk.spoken_amount import spoken_amount


@pytest.mark.parametrize(
    ("lang", "bani", "words"),
    [
        ("ro", 9400, "94 de lei"),
        ("ro", 15050, "150 de lei și 50 de bani"),
        ("ro", 101, "1 leu și 1 ban"),
        ("ro", 205, "2 lei și 5 bani"),
        ("ro", 10100, "101 lei"),
        ("ro", 11519, "115 lei și 19 bani"),
        ("ro", 12000, "120 de lei"),
        ("ro", 50, "50 de bani"),
        ("ro", 1900, "19 lei"),
        ("hu", 15050, "150 lej és 50 bani"),
        ("hu", 100, "1 lej"),
        ("hu", 1, "1 bani"),
        ("en", 15050, "150 lei and 50 bani"),
        ("en", 101, "1 leu and 1 ban"),
        ("en", 9400, "94 lei"),
    ],
)
def test_an_amount_is_said_as_lei_and_bani(lang: str, bani: int, words: str) -> None:
    assert spoken_amount(bani, translations(lang).gettext, lang) == words


def test_no_spoken_amount_keeps_the_printed_form() -> None:
    for lang in ("ro", "hu", "en"):
        words = spoken_amount(123456, translations(lang).gettext, lang)
        assert "," not in words and "RON" not in words
