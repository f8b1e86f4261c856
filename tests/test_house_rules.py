"""The house rules that a grep can check, run with the suite."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PRODUCT = [p for d in ("kiosk", "firmware_bridge") for p in (ROOT / d).rglob("*.py")]
TESTS = list((ROOT / "tests").rglob("*.py"))
SCRIPTS = list((ROOT / "scripts").rglob("*.py"))


def offenders(files: list[Path], pattern: str) -> list[str]:
    regex = re.compile(pattern)
    found = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if regex.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_only_the_ui_imports_qt() -> None:
    outside_ui = [p for p in PRODUCT if "ui" not in p.relative_to(ROOT).parts]
    assert offenders(outside_ui, r"^\s*(from|import) PySide6") == []


def test_timers_are_created_through_the_named_wrapper() -> None:
    wrapper = ROOT / "kiosk" / "ui" / "timer.py"
    others = [p for p in PRODUCT if p != wrapper]
    assert offenders(others, r"\bQTimer\(") == []


def test_tests_never_sleep() -> None:
    this_file = Path(__file__)
    others = [p for p in TESTS if p != this_file]
    assert offenders(others, r"\btime\.sleep\(|^\s*from time import .*\bsleep\b") == []


@pytest.mark.parametrize("marker", ["FIXME", "XXX", "HACK"])
def test_no_vague_markers(marker: str) -> None:
    this_file = Path(__file__)
    files = [p for p in PRODUCT + TESTS + SCRIPTS if p != this_file]
    assert offenders(files, rf"#.*\b{marker}\b") == []


def test_workarounds_name_the_upstream_report() -> None:
    found = offenders(PRODUCT, r"#.*WORKAROUND")
    assert [line for line in found if "http" not in line] == []


def test_loggers_are_named_after_their_module() -> None:
    assert offenders(PRODUCT, r"^logger\s*=\s*logging\.getLogger\((?!__name__\))") == []
    assert (
        offenders(PRODUCT, r"^\s*logging\.(debug|info|warning|error|exception)\(") == []
    )
