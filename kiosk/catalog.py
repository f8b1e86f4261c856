"""The catalogue of departments and services, loaded and validated as data.

Nothing in the kiosk assumes one city: departments and services come from a
JSON document (shipped as a package resource, replaced by the one pulled from
the back-end at sync). Codes are stable identifiers; every name exists in
every UI language. Services external to the city hall also carry a short
"who handles it" text in every UI language.

The catalogue maps one-to-one onto an Open311 (GeoReport v2) service list:
``service_code`` is the service code, ``group`` the code's prefix, and the
Romanian name, description and keywords travel as ``service_name``,
``description`` and ``keywords``. A list pulled from the back-end replaces the
shipped one through :meth:`Catalog.from_open311`, which takes the Hungarian
and English names, departments and redirect texts from the local catalogue.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
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
ROUTER_SERVICES = (INFO_DESK_SERVICE, NO_ACTION_SERVICE, REGISTRY_SERVICE)
"""Services the router cannot work without: it falls back on them."""
MAX_SERVICES = 1000
"""Most services a usable catalogue holds. A city hall offers about a
hundred; the router trains one model per service, so a list far longer
would keep the kiosk busy training instead of serving."""
OPEN311_LANGUAGE = "ro"
"""The language of names, descriptions and keywords in the Open311 list."""

_CODE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


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
    redirect: Mapping[str, str] = field(default_factory=dict)
    """Who handles an external matter, per UI language; empty otherwise."""

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

    def to_open311(self) -> dict[str, Any]:
        """This service as an entry of an Open311 GeoReport v2 service list."""
        return {
            "service_code": self.code,
            "service_name": self.names[OPEN311_LANGUAGE],
            "description": self.description,
            "metadata": False,
            "type": "realtime",
            "keywords": ", ".join(self.keywords),
            "group": self.group,
        }


class Catalog:
    """Departments and services, indexed by id and code."""

    def __init__(self, departments: list[Department], services: list[Service]) -> None:
        self._departments = {d.id: d for d in departments}
        self._services = {s.code: s for s in services}
        if len(self._departments) != len(departments):
            raise CatalogError(f"department ids are not unique: {_dupes(departments)}")
        if len(self._services) != len(services):
            raise CatalogError(f"service codes are not unique: {_dupes(services)}")
        for service in services:
            _check_service(service, self._departments)

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

    def to_open311(self) -> list[dict[str, Any]]:
        """The catalogue as an Open311 GeoReport v2 service list."""
        return [service.to_open311() for service in self]

    @classmethod
    def from_open311(cls, services: Any, local: Catalog) -> Catalog:
        """A catalogue from a back-end's Open311 service list.

        The remote list decides which services exist and their Romanian name,
        description and keywords. Departments, Hungarian and English names and
        redirect texts come from ``local``. A service unknown locally goes to
        the department named by its ``group`` when there is one; its names in
        other languages fall back to the Romanian one until the next release
        of the local catalogue.

        Raises:
            CatalogError: the list is malformed or a service has no department.
        """
        if not isinstance(services, list):
            raise CatalogError("the Open311 service list must be a JSON array")
        try:
            merged = [_from_open311_entry(entry, local) for entry in services]
        except KeyError as exc:
            raise CatalogError(f"Open311 entry lacks field {exc.args[0]!r}") from exc
        except (TypeError, ValueError, AttributeError) as exc:
            raise CatalogError(f"malformed Open311 entry: {exc}") from exc
        return cls(local.departments, merged)

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


def _dupes(items: list[Department] | list[Service]) -> str:
    keys = [item.id if isinstance(item, Department) else item.code for item in items]
    return ", ".join(sorted({k for k in keys if keys.count(k) > 1}))


def _check_service(service: Service, departments: Mapping[str, Department]) -> None:
    if not _CODE.match(service.code):
        raise CatalogError(
            f"service code {service.code!r} is not of the form group.name "
            "(lower-case letters, digits, underscores)"
        )
    if service.department not in departments:
        raise CatalogError(
            f"service {service.code} names unknown department {service.department!r}"
        )
    for lang in LANGUAGES:
        if not service.names.get(lang, "").strip():
            raise CatalogError(f"service {service.code} has no name in {lang!r}")
        if service.is_external and not service.redirect.get(lang, "").strip():
            raise CatalogError(
                f"external service {service.code} does not say who handles it "
                f"in {lang!r} (redirect_{lang})"
            )


def _texts(entry: Mapping[str, Any], prefix: str, what: str) -> dict[str, str]:
    texts = {}
    for lang in LANGUAGES:
        value = entry.get(f"{prefix}_{lang}")
        if not isinstance(value, str) or not value.strip():
            raise CatalogError(f"{what} has no {prefix} in {lang!r}")
        texts[lang] = value.strip()
    return texts


def _names(entry: Mapping[str, Any], what: str) -> dict[str, str]:
    return _texts(entry, "name", what)


def _department(entry: Mapping[str, Any]) -> Department:
    dept_id = str(entry["id"])
    return Department(id=dept_id, names=_names(entry, f"department {dept_id}"))


def _service(entry: Mapping[str, Any]) -> Service:
    code = str(entry["code"])
    fee = entry.get("fee_ron")
    if fee is not None and (not isinstance(fee, int | float) or fee < 0):
        raise CatalogError(f"service {code} has a bad fee {fee!r}")
    department = str(entry["department"])
    redirect: dict[str, str] = {}
    if department == EXTERNAL_DEPARTMENT:
        redirect = _texts(entry, "redirect", f"external service {code}")
    return Service(
        code=code,
        department=department,
        names=_names(entry, f"service {code}"),
        description=str(entry.get("description_ro", "")),
        keywords=tuple(str(k) for k in entry.get("keywords_ro", ())),
        fee_bani=None if fee is None else round(fee * 100),
        redirect=redirect,
    )


def _from_open311_entry(entry: Mapping[str, Any], local: Catalog) -> Service:
    code = str(entry["service_code"])
    name = str(entry["service_name"]).strip()
    raw_keywords = entry.get("keywords") or ""
    keywords = tuple(k.strip() for k in str(raw_keywords).split(",") if k.strip())
    description = str(entry.get("description") or "")
    if code in local:
        known = local.service(code)
        names = {**known.names, OPEN311_LANGUAGE: name}
        return Service(
            code=code,
            department=known.department,
            names=names,
            description=description or known.description,
            keywords=keywords or known.keywords,
            fee_bani=known.fee_bani,
            redirect=known.redirect,
        )
    group = str(entry.get("group") or "")
    if group not in {d.id for d in local.departments}:
        raise CatalogError(
            f"Open311 service {code} is not in the local catalogue and its group "
            f"{group!r} names no department"
        )
    logger.warning("Service %s is new on the back-end; using its Romanian name", code)
    return Service(
        code=code,
        department=group,
        names=dict.fromkeys(LANGUAGES, name),
        description=description,
        keywords=keywords,
        fee_bani=None,
    )


def check_usable(catalog: Catalog) -> None:
    """Raise CatalogError unless the kiosk can route and file with ``catalog``.

    A catalogue can be well formed and still useless: one pulled from a
    back-end that lists no services, or leaves out the info desk, would
    stop the router from training and so every filing.
    """
    for code in ROUTER_SERVICES:
        if code not in catalog:
            raise CatalogError(f"the router needs service {code} in the catalogue")
    if len(catalog) > MAX_SERVICES:
        raise CatalogError(
            f"the catalogue has {len(catalog)} services, more than the"
            f" {MAX_SERVICES} the router is built for"
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
