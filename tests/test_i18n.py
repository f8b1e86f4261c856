import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from kiosk.i18n import translations

LOCALE = Path(__file__).parent.parent / "kiosk" / "locale"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def catalog(lang: str):  # type: ignore[no-untyped-def]
    with (LOCALE / lang / "LC_MESSAGES" / "kiosk.po").open("rb") as handle:
        return read_po(handle, locale=lang, domain="kiosk")


@pytest.mark.parametrize("lang", ["ro", "hu"])
def test_every_text_is_translated(lang: str) -> None:
    missing = [m.id for m in catalog(lang) if m.id and not m.string]
    assert missing == []


@pytest.mark.parametrize("lang", ["ro", "hu"])
def test_translations_keep_every_placeholder(lang: str) -> None:
    for message in catalog(lang):
        if message.id and message.string:
            assert set(PLACEHOLDER.findall(message.id)) == set(
                PLACEHOLDER.findall(message.string)
            ), message.id


def test_texts_come_out_in_the_requested_language() -> None:
    assert translations("ro").gettext("Choose your language") == "Alegeți limba"
    assert translations("hu").gettext("Choose your language") == "Válasszon nyelvet"
    assert translations("en").gettext("Choose your language") == "Choose your language"


def test_romanian_texts_use_comma_below_letters() -> None:
    for message in catalog("ro"):
        assert not set("şţŞŢ") & set(message.string or ""), message.id
