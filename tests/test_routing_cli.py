import io
import json
from pathlib import Path

from kiosk.routing.cli import main

EVAL_KEYS = {
    "n",
    "service_top1",
    "department_top1",
    "service_top3",
    "p50_ms",
    "p99_ms",
    "confusions",
    "per_language",
}


def write_eval_file(path: Path) -> Path:
    rows = [
        ("Mi-a expirat buletinul", "ro", "id.identity_card", "evidenta_persoanelor"),
        ("Kátyú van az utcánkban", "hu", "roads.road_repair", "directia_tehnica"),
        ("My car was towed", "en", "vehicle.towed_recovery", "radp"),
    ]
    path.write_text(
        "\n".join(
            json.dumps(
                {
                    "text": text,
                    "lang": lang,
                    "expected_service": service,
                    "expected_department": department,
                }
            )
            for text, lang, service, department in rows
        ),
        encoding="utf-8",
    )
    return path


def test_eval_json_prints_one_object_with_exactly_the_agreed_keys(
    tmp_path: Path,
) -> None:
    out = io.StringIO()
    status = main(["--eval", str(write_eval_file(tmp_path / "e.jsonl")), "--json"], out)
    assert status == 0
    report = json.loads(out.getvalue())
    assert set(report) == EVAL_KEYS
    assert report["n"] == 3
    assert set(report["per_language"]) == {"ro", "hu", "en"}
    assert 0.0 <= report["service_top1"] <= report["service_top3"] <= 1.0


def test_eval_text_report_names_the_figures(tmp_path: Path) -> None:
    out = io.StringIO()
    main(["--eval", str(write_eval_file(tmp_path / "e.jsonl"))], out)
    assert "service_top1=" in out.getvalue()
    assert "p99=" in out.getvalue()


def test_route_json_prints_the_decision_and_ranking() -> None:
    out = io.StringIO()
    assert main(["Útlevelet szeretnék", "--lang", "hu", "--json"], out) == 0
    decision = json.loads(out.getvalue())
    assert decision["kind"] == "external"
    assert decision["service"] == "external.state_documents"
    assert decision["prompt"]["hu"]
    assert decision["ranking"][0]["probability"] > 0.5


def test_route_without_text_or_eval_is_a_usage_error() -> None:
    assert main([], io.StringIO()) == 2


def test_eval_of_a_missing_file_fails_cleanly(tmp_path: Path) -> None:
    assert main(["--eval", str(tmp_path / "absent.jsonl")], io.StringIO()) == 1
