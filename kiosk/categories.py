"""Category tiles: the catalogue's service groups with citizen-friendly names."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.catalog import NO_ACTION_SERVICE, Catalog, Service
from kiosk.i18n import N_

# Order is the order of the tiles: the most asked-for matters first.
GROUP_LABELS: dict[str, str] = {
    "tax": N_("Taxes and local fees"),
    "parking": N_("Parking"),
    "civil": N_("Births, marriages, deaths"),
    "id": N_("Identity cards and residence"),
    "urbanism": N_("Building and planning"),
    "social": N_("Social help"),
    "sanitation": N_("Waste and cleaning"),
    "roads": N_("Roads and traffic"),
    "police": N_("Local police"),
    "vehicle": N_("Vehicles"),
    "housing": N_("Housing"),
    "property": N_("City property"),
    "greenspace": N_("Parks and trees"),
    "animals": N_("Animals"),
    "lighting": N_("Street lighting"),
    "commerce": N_("Shops and trading"),
    "transport": N_("Public transport"),
    "cemetery": N_("Cemeteries"),
    "childcare": N_("Nurseries"),
    "events": N_("Public events"),
    "land": N_("Land and agriculture"),
    "guardianship": N_("Guardianship"),
    "archive": N_("Archive documents"),
    "general": N_("Other requests and information"),
}


@dataclass(frozen=True)
class Category:
    """One tile: a group label and the services it holds."""

    group: str
    label: str
    """Untranslated label; the caller translates it."""
    services: tuple[Service, ...]


def categories(catalog: Catalog) -> list[Category]:
    """The tiles for a catalogue: known groups first, any new group last."""
    by_group: dict[str, list[Service]] = {}
    for service in catalog:
        if service.is_fileable and service.code != NO_ACTION_SERVICE:
            by_group.setdefault(service.group, []).append(service)
    ordered = [g for g in GROUP_LABELS if g in by_group]
    ordered += sorted(g for g in by_group if g not in GROUP_LABELS)
    return [
        Category(group, GROUP_LABELS.get(group, group), tuple(by_group[group]))
        for group in ordered
    ]
