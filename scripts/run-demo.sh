#!/bin/bash
# Starts the kiosk screen in demo mode (`make run`); arguments go to
# `kiosk run`, e.g. --fullscreen or --data-dir DIR.
#
# With no display (an SSH session, a container) it runs the kiosk on a
# virtual X server instead, takes a screenshot of the first frame, and
# says where the picture is.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${VENV:-.venv}
kiosk=("$venv/bin/python" -m kiosk run "$@")

if [ -n "${DISPLAY:-}" ]; then
  exec "${kiosk[@]}"
fi

if ! command -v xvfb-run >/dev/null; then
  echo "No DISPLAY is set and xvfb-run is missing (apt-get install xvfb)." >&2
  exit 1
fi

# Without --screenshot nobody could see the invisible screen; take one.
shot=""
data_dir=""
previous=""
for arg in "$@"; do
  case "$previous" in
    --screenshot) shot=$arg ;;
    --data-dir) data_dir=$arg ;;
  esac
  case "$arg" in
    --screenshot=*) shot=${arg#*=} ;;
    --data-dir=*) data_dir=${arg#*=} ;;
  esac
  previous=$arg
done
if [ -z "$shot" ]; then
  if [ -z "$data_dir" ]; then
    data_dir=$("$venv/bin/python" -c \
      'import platformdirs; print(platformdirs.user_data_dir("antonia"))')
  fi
  shot="$data_dir/screenshot.png"
  kiosk+=(--screenshot "$shot")
fi

echo "No DISPLAY is set: running the kiosk on a virtual screen (Xvfb, 1920x1080)."
echo "It will save its first frame to $shot and stop."
# matchbox-window-manager, when installed, makes the virtual screen behave
# like the kiosk's own (fullscreen windows, no title bars).
set +e
xvfb-run -a -s "-screen 0 1920x1080x24 -nolisten tcp" bash -c '
  wm=""
  if command -v matchbox-window-manager >/dev/null; then
    matchbox-window-manager -use_titlebar no &
    wm=$!
  fi
  QT_QPA_PLATFORM=xcb "$@"
  rc=$?
  if [ -n "$wm" ]; then kill "$wm" 2>/dev/null; wait "$wm" 2>/dev/null; fi
  exit $rc
' run-demo "${kiosk[@]}"
rc=$?
set -e
if [ "$rc" -eq 0 ]; then
  echo "Screenshot: $shot"
fi
exit "$rc"
