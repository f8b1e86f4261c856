"""A pulled service list the kiosk cannot use never replaces its catalogue."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kiosk.catalog import INFO_DESK_SERVICE, MAX_SERVICES, Catalog, load_catalog
from kiosk.pulled_catalog import CATALOG_FILE, latest_catalog
from kiosk.sync.engine import Syncer
from kiosk.sync.server import ReferenceServer
from kiosk.sync.services import write_catalog
from tests.sync.sync_helpers import FILEABLE

MakeSyncer = Callable[..., Syncer]
ROOT = Path(__file__).parents[2]


def _without(code: str, services: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in services if s["service_code"] != code]


def _padded(services: list[dict[str, Any]]) -> list[dict[str, Any]]:
    extra = [
        {
            "service_code": f"general.extra_{n}",
            "service_name": f"Serviciul {n}",
            "description": "",
            "metadata": False,
            "type": "batch",
            "keywords": "",
            "group": "general",
        }
        for n in range(MAX_SERVICES)
    ]
    return services + extra


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda services: [], INFO_DESK_SERVICE),
        (lambda services: _without(INFO_DESK_SERVICE, services), INFO_DESK_SERVICE),
        (
            lambda services: _without("civil.certificate_duplicate", services),
            None,
        ),
        (_padded, f"more than the {MAX_SERVICES}"),
    ],
    ids=["empty", "no-info-desk", "one-service-fewer", "too-many"],
)
def test_a_pulled_list_the_router_cannot_use_keeps_the_saved_catalogue(
    change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]],
    expected: str | None,
    tmp_path: Path,
    server: ReferenceServer,
    make_syncer: MakeSyncer,
    local_catalog: Catalog,
    caplog: pytest.LogCaptureFixture,
) -> None:
    target = tmp_path / CATALOG_FILE
    syncer = make_syncer(server.url, catalog=local_catalog, catalog_path=target)
    assert syncer.run_once().catalog_services == len(local_catalog)
    saved = target.read_bytes()
    server.backend.service_list[:] = change(list(server.backend.service_list))

    report = syncer.run_once()

    if expected is None:
        # Dropping an ordinary service is the back-end's right.
        assert report.problems == []
        assert "civil.certificate_duplicate" not in load_catalog(target)
        return
    assert report.catalog_services is None
    assert target.read_bytes() == saved
    assert len(report.problems) == 1
    problem = report.problems[0]
    assert problem.startswith("the back-end's service list was not used")
    assert expected in problem and "keeps its current catalogue" in problem
    assert any(
        r.levelno == logging.WARNING and expected in r.getMessage()
        for r in caplog.records
    )


def test_an_empty_list_on_the_first_pull_saves_nothing(
    tmp_path: Path,
    server: ReferenceServer,
    make_syncer: MakeSyncer,
    local_catalog: Catalog,
) -> None:
    target = tmp_path / CATALOG_FILE
    server.backend.service_list.clear()
    syncer = make_syncer(server.url, catalog=local_catalog, catalog_path=target)

    report = syncer.run_once()

    assert not target.exists()
    assert "was not used" in report.problems[0]
    assert len(latest_catalog(tmp_path)) == len(local_catalog)


def _pseudo_only(local: Catalog) -> dict[str, Any]:
    """What an empty back-end list used to be saved as: pseudo-services only."""
    doc = json.loads(json.dumps(_shipped_document()))
    fileable = {s.code for s in local if s.is_fileable}
    doc["services"] = [s for s in doc["services"] if s["code"] not in fileable]
    return doc


def _shipped_document() -> dict[str, Any]:
    path = ROOT / "kiosk" / "data" / "catalog.json"
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


@pytest.mark.parametrize(
    "content",
    ["pseudo-only", "not-json", "not-utf8", "deep", "wrong-shape"],
)
def test_a_saved_catalogue_that_fails_checks_is_set_aside_on_load(
    content: str,
    tmp_path: Path,
    local_catalog: Catalog,
    caplog: pytest.LogCaptureFixture,
) -> None:
    saved = tmp_path / CATALOG_FILE
    if content == "pseudo-only":
        write_catalog(_pseudo_only(local_catalog), saved)
    else:
        saved.write_bytes(
            {
                "not-json": b'{"departments": [',
                "not-utf8": b'{"departments": [], "services": ["\xff"]}',
                "deep": b"[" * 200_000,
                "wrong-shape": b'{"departments": 5, "services": []}',
            }[content]
        )
    original = saved.read_bytes()

    with caplog.at_level(logging.WARNING):
        catalog = latest_catalog(tmp_path)

    assert INFO_DESK_SERVICE in catalog
    assert len(catalog) == len(local_catalog)
    assert not saved.exists()
    (aside,) = tmp_path.glob(CATALOG_FILE + ".rejected-*")
    assert aside.read_bytes() == original
    assert "unusable" in caplog.text and aside.name in caplog.text


def test_a_usable_saved_catalogue_is_used_and_kept(
    tmp_path: Path, local_catalog: Catalog
) -> None:
    doc = _shipped_document()
    doc["services"] = _without_code(doc["services"], "civil.certificate_duplicate")
    write_catalog(doc, tmp_path / CATALOG_FILE)

    catalog = latest_catalog(tmp_path)

    assert "civil.certificate_duplicate" not in catalog
    assert (tmp_path / CATALOG_FILE).exists()
    assert list(tmp_path.glob("*.rejected-*")) == []


def _without_code(services: list[dict[str, Any]], code: str) -> list[dict[str, Any]]:
    return [s for s in services if s["code"] != code]


def test_kiosk_file_works_with_a_saved_catalogue_that_lacks_the_info_desk(
    tmp_path: Path, local_catalog: Catalog
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    write_catalog(_pseudo_only(local_catalog), data_dir / CATALOG_FILE)

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "--data-dir",
            str(data_dir),
            "file",
            "vreau un duplicat după certificatul de naștere",
            "--service",
            FILEABLE,
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["service_code"] == FILEABLE
    assert "Traceback" not in done.stderr
    assert "unusable" in done.stderr
    assert list(data_dir.glob(CATALOG_FILE + ".rejected-*"))
