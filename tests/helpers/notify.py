"""A stand-in for systemd's notify socket: records each datagram with its time."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Notification:
    """One datagram as systemd would receive it."""

    at: float
    """time.monotonic() when it arrived."""
    fields: tuple[str, ...]


@dataclass
class NotifyListener:
    """Listens on a Unix datagram socket in a thread of its own."""

    path: Path
    received: list[Notification] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.bind(str(self.path))
        self._sock.settimeout(0.05)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="notify-listener")
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data = self._sock.recv(4096)
            except TimeoutError:
                continue
            with self._lock:
                self.received.append(
                    Notification(time.monotonic(), tuple(data.decode().split("\n")))
                )

    def times_of(self, item: str) -> list[float]:
        """When each datagram holding ``item`` arrived."""
        with self._lock:
            return [n.at for n in self.received if item in n.fields]

    def fields(self) -> list[str]:
        """Every field received so far, in order."""
        with self._lock:
            return [f for n in self.received for f in n.fields]

    def close(self) -> None:
        """Stop listening."""
        self._stop.set()
        self._thread.join()
        self._sock.close()
