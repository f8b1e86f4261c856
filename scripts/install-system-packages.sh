#!/bin/bash
# Installs the Debian 12 packages the kiosk and its test stand-ins need.
# Safe to run again: apt skips what is already there.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

packages=(
  # Python build and venv
  python3-venv python3-dev gcc make
  # The kiosk's own display (antonia-xorg.service): Xorg with the touch
  # panel's input driver; matchbox-window-manager below is antonia-wm.service
  xserver-xorg-core xserver-xorg-input-libinput
  # Qt under X11 (xcb) and the virtual screen used by tests and headless demos
  xvfb xauth x11-apps libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0
  libegl1 libgl1 libfontconfig1 libdbus-1-3 fonts-dejavu-core matchbox-window-manager
  # Speech out and audio tooling
  espeak-ng sox alsa-utils libportaudio2
  # Smart-card stack (pyscard builds against libpcsclite-dev); the vsmartcard
  # virtual reader and card are the test stand-ins, pcsc-tools for technicians
  pcscd libpcsclite-dev vsmartcard-vpcd vsmartcard-vpicc python3-virtualsmartcard
  pcsc-tools
  # Serial stand-ins (pty pairs)
  socat
  # Network namespaces for tests that must stay off the network
  iproute2 util-linux
)

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]}" >&2
  echo "Run this script as root (or install them with apt-get) and try again." >&2
  exit 1
fi
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
