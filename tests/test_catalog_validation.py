import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from kiosk.catalog import Catalog, CatalogError, load_catalog


def shipped_document() -> dict[str, Any]:
    text = resources.files("kiosk.data").joinpath("catalog.json").read_text("utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


def test_shipped_catalogue_loads_with_all_services() -> None:
    catalog = load_catalog()
    assert len(catalog) == 102
    assert all(s.redirect for s in catalog if s.is_external)


def test_duplicate_service_code_is_refused() -> None:
    doc = shipped_document()
    doc["services"].append(copy.deepcopy(doc["services"][3]))
    with pytest.raises(CatalogError, match="not unique"):
        Catalog.from_document(doc)


def test_unknown_department_is_refused() -> None:
    doc = shipped_document()
    doc["services"][0]["department"] = "ministry_of_magic"
    with pytest.raises(CatalogError, match="unknown department"):
        Catalog.from_document(doc)


def test_missing_hungarian_name_is_refused() -> None:
    doc = shipped_document()
    del doc["services"][5]["name_hu"]
    with pytest.raises(CatalogError, match="'hu'"):
        Catalog.from_document(doc)


def test_blank_english_department_name_is_refused() -> None:
    doc = shipped_document()
    doc["departments"][0]["name_en"] = "  "
    with pytest.raises(CatalogError, match="'en'"):
        Catalog.from_document(doc)


def test_external_service_without_redirect_text_is_refused() -> None:
    doc = shipped_document()
    external = next(s for s in doc["services"] if s["department"] == "extern")
    del external["redirect_ro"]
    with pytest.raises(CatalogError, match="redirect"):
        Catalog.from_document(doc)


def test_malformed_service_code_is_refused() -> None:
    doc = shipped_document()
    doc["services"][0]["code"] = "No Dot Here"
    with pytest.raises(CatalogError, match="group.name"):
        Catalog.from_document(doc)


def test_invalid_json_file_is_a_catalogue_error(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid JSON"):
        load_catalog(path)


def test_open311_list_round_trips_to_the_same_catalogue() -> None:
    local = load_catalog()
    remote = json.loads(json.dumps(local.to_open311()))
    merged = Catalog.from_open311(remote, local)
    assert [s.code for s in merged] == [s.code for s in local]
    for service in merged:
        original = local.service(service.code)
        assert service.names == original.names
        assert service.department == original.department
        assert service.keywords == original.keywords
        assert service.redirect == original.redirect


def test_open311_entries_carry_the_georeport_fields() -> None:
    entry = load_catalog().service("tax.payment_info").to_open311()
    assert entry["service_code"] == "tax.payment_info"
    assert entry["group"] == "tax"
    assert {"service_name", "description", "keywords", "metadata", "type"} <= set(entry)


def test_open311_list_may_rename_and_drop_services() -> None:
    local = load_catalog()
    remote = [s.to_open311() for s in local if s.code != "archive.document_copy"]
    remote[0]["service_name"] = "Registratură"
    merged = Catalog.from_open311(remote, local)
    assert "archive.document_copy" not in merged
    first = merged.service(remote[0]["service_code"])
    assert first.names["ro"] == "Registratură"
    assert first.names["hu"] == local.service(first.code).names["hu"]


def test_open311_service_with_no_known_department_is_refused() -> None:
    local = load_catalog()
    remote = local.to_open311()
    remote.append({"service_code": "zoo.lion", "service_name": "Leu", "group": "zoo"})
    with pytest.raises(CatalogError, match="names no department"):
        Catalog.from_open311(remote, local)


def test_open311_list_that_is_not_an_array_is_refused() -> None:
    with pytest.raises(CatalogError, match="array"):
        Catalog.from_open311({"services": []}, load_catalog())
