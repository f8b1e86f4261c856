import io
import json
from pathlib import Path

import pytest

from kiosk.cli import main as kiosk_main
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


def _eval_with_third_line(tmp_path: Path, third: str) -> Path:
    path = write_eval_file(tmp_path / "e.jsonl")
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[2] = third
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("third", "problem"),
    [
        ("[1,2,3]", "a JSON object is needed, not an array"),
        ('"str"', "a JSON object is needed, not a string"),
        ("null", "a JSON object is needed, not null"),
        ("1e999999", "a JSON object is needed, not a number"),
        ("[" * 100_000, "JSON nested too deeply"),
        ('{"text": "x",', "not valid JSON"),
        ('{"text": "x", "lang": "ro"}', "expected_service, expected_department"),
        (
            '{"text": 1, "lang": "ro", "expected_service": "a",'
            ' "expected_department": "b"}',
            "needs string values for text",
        ),
    ],
)
def test_eval_names_the_real_line_of_a_bad_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], third: str, problem: str
) -> None:
    path = _eval_with_third_line(tmp_path, third)
    out = io.StringIO()
    assert main(["--eval", str(path)], out) == 2
    err = capsys.readouterr().err
    assert out.getvalue() == ""
    assert err.count("\n") == 1
    assert f"{path}, line 3: " in err and problem in err
    assert "line 1" not in err


def test_eval_keeps_line_numbers_across_a_line_separator_in_a_string(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "e.jsonl"
    good = json.loads(
        write_eval_file(tmp_path / "ok.jsonl").read_text("utf-8").split("\n")[0]
    )
    good["text"] += "\u2028\x0c"
    path.write_text(
        json.dumps(good, ensure_ascii=False) + "\n\n[1]\n", encoding="utf-8"
    )
    assert main(["--eval", str(path)], io.StringIO()) == 2
    assert "line 3: " in capsys.readouterr().err


def test_route_uses_the_catalogue_the_kiosk_last_pulled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The back-end no longer offers towing: the kiosk would not route to it,
    # and neither may the technician's `kiosk route`.
    shipped = json.loads(
        (Path(__file__).parents[1] / "kiosk/data/catalog.json").read_text("utf-8")
    )
    shipped["services"] = [
        s for s in shipped["services"] if s["code"] != "vehicle.towed_recovery"
    ]
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "catalog.json").write_text(json.dumps(shipped), encoding="utf-8")
    argv = ["My car was towed", "--lang", "en", "--json"]

    assert kiosk_main(["--data-dir", str(tmp_path / "empty"), "route", *argv]) == 0
    before = json.loads(capsys.readouterr().out)
    assert kiosk_main(["--data-dir", str(data_dir), "route", *argv]) == 0
    after = json.loads(capsys.readouterr().out)

    assert before["service"] == "vehicle.towed_recovery"
    ranked = [candidate["service"] for candidate in after["ranking"]]
    assert after["service"] != "vehicle.towed_recovery"
    assert "vehicle.towed_recovery" not in ranked
