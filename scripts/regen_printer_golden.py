"""Check, or on purpose rewrite, the golden receipt bytes under tests/golden/.

The golden files pin what the ESC/POS encoder sends for a Romanian and a
Hungarian receipt (tests/test_printer_socat.py compares against them). When
a change to the encoder, the receipt layout, the catalogue or a translation
is meant to change those bytes, rewrite them and review the diff:

    .venv/bin/python scripts/regen_printer_golden.py           # check only
    .venv/bin/python scripts/regen_printer_golden.py --write   # rewrite

Without --write nothing is written; the exit code is 1 if a file differs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# Import the kiosk and the tests of this checkout, not an installed copy.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.printer_fixtures import (  # noqa: E402
    GOLDEN_LANGUAGES,
    golden_bytes,
    golden_path,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the files")
    args = parser.parse_args()
    differ = 0
    for language in GOLDEN_LANGUAGES:
        path = golden_path(language)
        data = golden_bytes(language)
        old = path.read_bytes() if path.exists() else None
        if old == data:
            print(f"{path}: unchanged ({len(data)} bytes)")
            continue
        differ += 1
        was = "missing" if old is None else f"{len(old)} bytes"
        if args.write:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            print(f"{path}: REWRITTEN, {len(data)} bytes (was {was})")
        else:
            print(f"{path}: DIFFERS, now {len(data)} bytes (file: {was})")
    if differ and not args.write:
        print("run again with --write if the change is intended")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
