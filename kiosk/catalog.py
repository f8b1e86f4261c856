"""The catalogue of departments and services, loaded and validated as data.

Nothing in the kiosk assumes one city: departments and services come from a
JSON document (shipped as a package resource, replaced by the one pulled from
the back-end at sync). Codes are stable identifiers; every name exists in
every UI language.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from kiosk.config import LANGUAGES

logger = logging.getLogger(__name__)

EXTERNAL_DEPARTMENT = "extern"
"""Pseudo-department for matters the city hall does not handle."""
NO_ACTION_DEPARTMENT = "none"
"""Pseudo-department for input that is not a request (gibberish, tests)."""
INFO_DESK_SERVICE = "general.info_desk"
"""Where vague requests go when the citizen cannot be more precise."""
REGISTRY_SERVICE = "general.registry_submission"
"""Where a written request that fits no service is registered."""
NO_ACTION_SERVICE = "general.no_action"
"""The label of input that must never become a filed request."""


class CatalogError(Exception):
    """The catalogue document is malformed or inconsistent."""


@dataclass(frozen=True)
class Department:
    """A routing target: an office with its own counter or queue."""

    id: str
    names: Mapping[str, str]
    """Name per UI language code."""

    def name(self, lang: str) -> str:
        """The department's name in ``lang``."""
        return self.names[lang]


@dataclass(frozen=True)
class Service:
    """One kind of request a citizen can file."""

    code: str
    """Stable identifier, also the Open311 service_code."""
    department: str
    """Id of the department that handles it."""
    names: Mapping[str, str]
    """Name per UI language code."""
    description: str
    """Romanian description shown to staff and sent to the back-end."""
    keywords: tuple[str, ...]
    """Romanian keywords, the seed of the router's vocabulary."""
    fee_bani: int | None
    """The fee in bani (1/100 RON); 0 for free, None when it varies."""

    @property
    def group(self) -> str:
        """The Open311 group: the part of the code before the dot."""
        return self.code.split(".", 1)[0]

    @property
    def is_external(self) -> bool:
        """True when another institution handles this matter."""
        return self.department == EXTERNAL_DEPARTMENT

    @property
    def is_fileable(self) -> bool:
        """True when a request of this kind can be queued for the city hall."""
        return self.department not in (EXTERNAL_DEPARTMENT, NO_ACTION_DEPARTMENT)

    def name(self, lang: str) -> str:
        """The service's name in ``lang``."""
        return self.names[lang]


class Catalog:
    """Departments and services, indexed by id and code."""

    def __init__(self, departments: list[Department], services: list[Service]) -> None:
        self._departments = {d.id: d for d in departments}
        self._services = {s.code: s for s in services}
        if len(self._departments) != len(departments):
            raise CatalogError("department ids are not unique")
        if len(self._services) != len(services):
            raise CatalogError("service codes are not unique")
        for service in services:
            if service.department not in self._departments:
                raise CatalogError(
                    f"service {service.code} names unknown department "
                    f"{service.department!r}"
                )

    def __iter__(self) -> Iterator[Service]:
        return iter(self._services.values())

    def __len__(self) -> int:
        return len(self._services)

    def __contains__(self, code: object) -> bool:
        return code in self._services

    def service(self, code: str) -> Service:
        """The service with ``code``; KeyError if there is none."""
        return self._services[code]

    def department(self, dept_id: str) -> Department:
        """The department with ``dept_id``; KeyError if there is none."""
        return self._departments[dept_id]

    def department_of(self, code: str) -> Department:
        """The department that handles service ``code``."""
        return self._departments[self._services[code].department]

    @property
    def departments(self) -> list[Department]:
        """All departments, in catalogue order."""
        return list(self._departments.values())

    @classmethod
    def from_document(cls, doc: Any) -> Catalog:
        """Build and validate a catalogue from its parsed JSON document."""
        if not isinstance(doc, dict):
            raise CatalogError("the catalogue must be a JSON object")
        try:
            departments = [_department(d) for d in doc["departments"]]
            services = [_service(s) for s in doc["services"]]
        except KeyError as exc:
            raise CatalogError(f"missing field {exc.args[0]!r}") from exc
        except (TypeError, ValueError, AttributeError) as exc:
            raise CatalogError(f"malformed entry: {exc}") from exc
        return cls(departments, services)


def _names(entry: Mapping[str, Any], what: str) -> dict[str, str]:
    names = {}
    for lang in LANGUAGES:
        value = entry.get(f"name_{lang}")
        if not isinstance(value, str) or not value.strip():
            raise CatalogError(f"{what} has no name in {lang!r}")
        names[lang] = value.strip()
    return names


def _department(entry: Mapping[str, Any]) -> Department:
    dept_id = str(entry["id"])
    return Department(id=dept_id, names=_names(entry, f"department {dept_id}"))


def _service(entry: Mapping[str, Any]) -> Service:
    code = str(entry["code"])
    fee = entry.get("fee_ron")
    if fee is not None and (not isinstance(fee, int | float) or fee < 0):
        raise CatalogError(f"service {code} has a bad fee {fee!r}")
    return Service(
        code=code,
        department=str(entry["department"]),
        names=_names(entry, f"service {code}"),
        description=str(entry.get("description_ro", "")),
        keywords=tuple(str(k) for k in entry.get("keywords_ro", ())),
        fee_bani=None if fee is None else round(fee * 100),
    )


def load_catalog(path: Path | None = None) -> Catalog:
    """Load the catalogue from ``path``, or the one shipped with the kiosk."""
    if path is None:
        text = resources.files("kiosk.data").joinpath("catalog.json").read_text("utf-8")
        origin = "package resource"
    else:
        text = path.read_text(encoding="utf-8")
        origin = str(path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogError(f"{origin} is not valid JSON: {exc}") from exc
    catalog = Catalog.from_document(doc)
    logger.info("Catalogue loaded from %s: %d services", origin, len(catalog))
    return catalog
