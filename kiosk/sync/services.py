"""The catalogue both ways: local services as Open311, pulled ones merged.

The back-end's services.json is the authority on which services can be
filed and on their Romanian names; the kiosk's own catalogue adds what
Open311 does not carry (Hungarian and English names, departments, fees)
and keeps its pseudo-services (other institutions, "not a request").
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from kiosk.catalog import REGISTRY_SERVICE, Catalog, Service, check_usable
from kiosk.sync.open311 import RemoteService

logger = logging.getLogger(__name__)

MAX_KEYWORDS = 12
"""Keywords advertised per service in services.json."""


def services_document(catalog: Catalog) -> list[dict[str, Any]]:
    """The fileable services of ``catalog`` as a GeoReport v2 service list."""
    return [
        {
            "service_code": service.code,
            "service_name": service.name("ro"),
            "description": service.description,
            "metadata": True,
            "type": "batch",
            "keywords": ",".join(service.keywords[:MAX_KEYWORDS]),
            "group": service.group,
        }
        for service in catalog
        if service.is_fileable
    ]


def merged_catalog_document(
    local: Catalog, remote: list[RemoteService]
) -> dict[str, Any]:
    """A catalogue document: the back-end's services with local additions.

    The result has the shape of the shipped ``catalog.json`` and is
    validated before it is returned: it must build a :class:`Catalog` the
    kiosk can route with (see :func:`kiosk.catalog.check_usable`).

    Raises:
        CatalogError: the merged catalogue is malformed or unusable.
    """
    departments = [
        {"id": d.id, **{f"name_{lang}": name for lang, name in d.names.items()}}
        for d in local.departments
    ]
    fallback_department = local.service(REGISTRY_SERVICE).department
    by_group = {s.group: s.department for s in local}
    services = [
        _service_entry(s, local, by_group.get(s.group, fallback_department))
        for s in remote
    ]
    # Pseudo-services are routing targets, never on the back-end's list.
    services += [_local_entry(s) for s in local if not s.is_fileable]
    doc = {"departments": departments, "services": services}
    check_usable(Catalog.from_document(doc))
    return doc


def _service_entry(
    remote: RemoteService, local: Catalog, department: str
) -> dict[str, Any]:
    known: Service | None = local.service(remote.code) if remote.code in local else None
    entry: dict[str, Any] = _local_entry(known) if known else {"fee_ron": None}
    entry.update(
        code=remote.code,
        department=known.department if known else department,
        name_ro=remote.name,
        description_ro=remote.description or entry.get("description_ro", ""),
    )
    for lang in ("hu", "en"):
        # A service new on the back-end has only its Romanian name until
        # the catalogue maintainers translate it; better than no button.
        entry.setdefault(f"name_{lang}", remote.name)
    if remote.keywords:
        entry["keywords_ro"] = list(remote.keywords)
    return entry


def _local_entry(service: Service) -> dict[str, Any]:
    return {
        "code": service.code,
        "department": service.department,
        **{f"name_{lang}": name for lang, name in service.names.items()},
        "description_ro": service.description,
        "keywords_ro": list(service.keywords),
        "fee_ron": None if service.fee_bani is None else service.fee_bani / 100,
        # Who handles a matter the city hall does not: only the local
        # catalogue knows, the back-end's list has no such field.
        **{f"redirect_{lang}": text for lang, text in service.redirect.items()},
    }


def write_catalog(doc: dict[str, Any], path: Path) -> None:
    """Replace the catalogue file atomically (write, fsync, rename)."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        json.dump(doc, out, ensure_ascii=False, indent=1)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    logger.info("Catalogue written to %s: %d services", path, len(doc["services"]))
