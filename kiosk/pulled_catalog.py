"""The catalogue pulled at sync: where it lives, and loading it safely.

The sync saves the back-end's service list, merged with the local names,
as ``catalog.json`` in the data directory; the kiosk prefers it to the
catalogue shipped in the package. A saved file the kiosk cannot use (not
JSON, malformed, or missing a service the router needs) is renamed aside,
never deleted, so a technician can see what the back-end sent, and the
shipped catalogue is used instead.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path

from kiosk.catalog import Catalog, CatalogError, check_usable, load_catalog

logger = logging.getLogger(__name__)

CATALOG_FILE = "catalog.json"
"""File name, in the data directory, of the catalogue pulled at sync."""
SET_ASIDE_SUFFIX = ".rejected-"
"""Between the file name and the UTC time of a catalogue set aside."""


def latest_catalog(data_dir: Path) -> Catalog:
    """The catalogue the last sync pulled, or the one shipped with the kiosk."""
    pulled = data_dir / CATALOG_FILE
    if not pulled.exists():
        return load_catalog()
    try:
        catalog = load_catalog(pulled)
        check_usable(catalog)
    except (CatalogError, ValueError, RecursionError) as exc:
        # ValueError covers bytes that are not UTF-8, RecursionError JSON
        # nested too deep: both are a bad file, not a passing fault.
        _set_aside(pulled, exc)
    except OSError as exc:
        # Unreadable (permissions, I/O): the file may be fine; leave it.
        logger.warning("Cannot read the pulled catalogue %s: %s", pulled, exc)
    else:
        return catalog
    return load_catalog()


def _set_aside(pulled: Path, problem: BaseException) -> None:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = pulled.with_name(pulled.name + SET_ASIDE_SUFFIX + stamp)
    try:
        os.replace(pulled, aside)
    except OSError as exc:
        logger.warning(
            "The pulled catalogue %s is unusable (%s); cannot move it aside"
            " (%s); using the catalogue shipped with the kiosk",
            pulled,
            problem,
            exc,
        )
        return
    logger.warning(
        "The pulled catalogue %s is unusable (%s); moved it to %s and using"
        " the catalogue shipped with the kiosk",
        pulled,
        problem,
        aside.name,
    )
