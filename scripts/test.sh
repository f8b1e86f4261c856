#!/bin/bash
# The whole check: format, lint, types, unit files, then the test suite with
# every stand-in it needs. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin

echo "== ruff format --check"; $bin/ruff format --check .
echo "== ruff check"; $bin/ruff check .
echo "== mypy --strict"; $bin/mypy

# The whole run sits in a private network namespace: the tests only ever talk
# to loopback, and stand-ins that bind every address stay unreachable.
# A real X server (Xvfb) is there for the window tests; the rest of the suite
# uses Qt's offscreen platform (set in tests/conftest.py).
run_pytest=(.venv/bin/python -m pytest "$@")
if unshare --net true 2>/dev/null; then
  inner=(unshare --net sh -c 'ip link set lo up && exec "$@"' sh "${run_pytest[@]}")
else
  echo "warning: cannot create a network namespace; running on the host network" >&2
  inner=("${run_pytest[@]}")
fi

echo "== pytest"
set +e
xvfb-run -a -s "-screen 0 1920x1080x24 -nolisten tcp" "${inner[@]}"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests" >&2
  exit 1
fi
exit "$rc"
