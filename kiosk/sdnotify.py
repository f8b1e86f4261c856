"""The systemd notification protocol (sd_notify), in a few lines of our own.

The ``sdnotify`` package encodes as Latin-1 and silently drops anything else,
which loses Romanian and Hungarian STATUS texts; this sends UTF-8.
"""

from __future__ import annotations

import logging
import os
import socket

logger = logging.getLogger(__name__)


def notify(*fields: str) -> bool:
    """Send ``KEY=value`` fields to systemd; False when not under systemd.

    Example: ``notify("READY=1", "STATUS=Așteptăm cetățeni")``.
    """
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):
        # An abstract socket: the leading @ stands for a NUL byte.
        address = "\0" + address[1:]
    payload = "\n".join(fields).encode("utf-8")
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.connect(address)
            sock.sendall(payload)
    except OSError as exc:
        logger.warning("Cannot notify systemd at %s: %s", address, exc)
        return False
    return True


def watchdog_interval_s() -> float | None:
    """Half the watchdog period systemd asked for, or None without a watchdog."""
    usec = os.environ.get("WATCHDOG_USEC")
    pid = os.environ.get("WATCHDOG_PID")
    if not usec or (pid and pid != str(os.getpid())):
        return None
    try:
        return int(usec) / 2_000_000
    except ValueError:
        logger.warning("Ignoring malformed WATCHDOG_USEC=%r", usec)
        return None
