"""Translations of the kiosk's texts (gettext catalogues kept as .po files).

Source strings are English. The .po files under ``kiosk/locale`` are the
translators' files (Babel extracts and updates them); they are compiled in
memory when first used, so a checkout runs without a build step and a stale
compiled file can never shadow an edited translation.
"""

from __future__ import annotations

import functools
import gettext
import io
import logging
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from kiosk.config import LANGUAGES

logger = logging.getLogger(__name__)

DOMAIN = "kiosk"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark ``message`` for extraction without translating it yet."""
    return message


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The translations for ``lang``; English (the source) for unknown codes."""
    if lang not in LANGUAGES or lang == "en":
        return gettext.NullTranslations()
    po_file = resources.files("kiosk.locale").joinpath(
        f"{lang}/LC_MESSAGES/{DOMAIN}.po"
    )
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    logger.debug("i18n.loaded lang=%s messages=%d", lang, len(catalog))
    return gettext.GNUTranslations(compiled)
