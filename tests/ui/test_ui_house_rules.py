"""House rules of the UI layer, checked on the source (STYLE.md A1, A3, I3)."""

from __future__ import annotations

import re
from pathlib import Path

KIOSK = Path(__file__).resolve().parents[2] / "kiosk"


def _sources() -> list[Path]:
    return sorted(KIOSK.rglob("*.py"))


def test_only_the_ui_package_imports_qt() -> None:
    offenders = [
        str(path.relative_to(KIOSK))
        for path in _sources()
        if KIOSK / "ui" not in path.parents
        and re.search(r"^\s*(from|import) PySide6", path.read_text(), re.MULTILINE)
    ]
    assert offenders == []


def test_timers_are_made_only_by_the_named_timer_helper() -> None:
    offenders = [
        str(path.relative_to(KIOSK))
        for path in _sources()
        if path != KIOSK / "ui" / "timer.py" and "QTimer(" in path.read_text()
    ]
    assert offenders == []


def test_qt_slots_are_named_after_their_source_and_signal() -> None:
    slot = re.compile(r"@Slot\([^)]*\)\n\s+def (\w+)")
    names = [name for path in _sources() for name in slot.findall(path.read_text())]
    assert names
    assert [n for n in names if not re.fullmatch(r"on_[a-z_]+_[a-z]+", n)] == []
