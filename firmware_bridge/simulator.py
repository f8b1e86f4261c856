"""A simulated microcontroller behind a pseudo-terminal, for demos and tests.

It speaks the link protocol on the master side of a pty and puts a symlink
to the slave side at ``link_path``, which the host opens like a serial
port. A test or the demo scripts it: set the presence distance, open the
service door, press buttons, plug in headphones, go on battery, stop
answering ("silent"), or vanish with its pty and come back on a new one.

Like the real firmware, it shows ``OUT_OF_SERVICE`` on its LEDs when the
host's heartbeats stop for longer than the last heartbeat asked.
"""

from __future__ import annotations

import logging
import os
import queue
import select
import threading
import time
import tty
from pathlib import Path

from firmware_bridge.framing import FrameDecoder
from firmware_bridge.messages import (
    BatteryLevel,
    Buttons,
    Headphones,
    Heartbeat,
    LedPattern,
    Message,
    PowerSource,
    Presence,
    RequestState,
    SetLedPattern,
    Tamper,
)
from firmware_bridge.reliable import Endpoint

logger = logging.getLogger(__name__)

_POLL_S = 0.01


class SimulatedMcu:
    """The kiosk's microcontroller, played by a thread on a pty."""

    def __init__(self, link_path: Path, retry_s: float = 0.25) -> None:
        self.link_path = link_path
        self.led = SetLedPattern(LedPattern.OFF)
        """The last pattern the host asked for."""
        self.presence_mm: int | None = None
        self.tamper_open = False
        self.buttons = 0
        self.on_battery = False
        self.battery_percent = 100
        self.headphones = False
        """A plug is in the headphone jack."""
        self.heartbeats = 0
        """Heartbeats received since start."""
        self.out_of_service = threading.Event()
        """Set while heartbeats are missing; the LEDs then show out of service."""
        self.in_service = threading.Event()
        """Set while heartbeats arrive in time."""
        self.heartbeat_seen = threading.Condition()
        self.decoder = FrameDecoder()
        self.endpoint = Endpoint(retry_s=retry_s)
        self._outgoing: queue.SimpleQueue[Message | bytes] = queue.SimpleQueue()
        self._silent = threading.Event()
        self._stop = threading.Event()
        self._fds_lock = threading.Lock()
        self._master: int | None = None
        self._slave: int | None = None
        self._deadline_s: float | None = None
        self._thread: threading.Thread | None = None

    # Scripting, from any thread.

    def start(self) -> None:
        """Create the pty, the symlink, and start answering."""
        self._appear()
        self._thread = threading.Thread(target=self._run, name="mcu-sim", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop the thread and remove the pty and the symlink."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        self._vanish()

    def __enter__(self) -> SimulatedMcu:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def set_presence(self, distance_mm: int | None) -> None:
        """Someone at ``distance_mm`` (None: nobody in range)."""
        self.presence_mm = distance_mm
        self._outgoing.put(Presence(distance_mm))

    def set_tamper(self, is_open: bool) -> None:
        """Open or close the service door."""
        self.tamper_open = is_open
        self._outgoing.put(Tamper(is_open))

    def press_buttons(self, mask: int) -> None:
        """Hold the buttons in ``mask`` (0 releases them)."""
        self.buttons = mask
        self._outgoing.put(Buttons(mask))

    def set_power(self, on_battery: bool, percent: int | None = None) -> None:
        """Switch between mains and the UPS battery, optionally with a level."""
        self.on_battery = on_battery
        self._outgoing.put(PowerSource(on_battery))
        if percent is not None:
            self.set_battery(percent)

    def set_battery(self, percent: int) -> None:
        """Report a UPS charge level, 0..100 %."""
        self.battery_percent = percent
        self._outgoing.put(BatteryLevel(percent))

    def set_headphones(self, connected: bool) -> None:
        """Plug headphones into the jack, or pull them out."""
        self.headphones = connected
        self._outgoing.put(Headphones(connected))

    def inject(self, raw: bytes) -> None:
        """Write raw bytes on the line, as noise or a hand-made frame."""
        self._outgoing.put(raw)

    def go_silent(self) -> None:
        """Stop reading and answering, as a hung firmware would."""
        self._silent.set()

    def resume(self) -> None:
        """Answer again; what arrived while silent is thrown away."""
        self._silent.clear()

    def disappear(self) -> None:
        """Close the pty and remove the symlink, as if unplugged."""
        with self._fds_lock:
            self._vanish()

    def come_back(self) -> None:
        """Appear again on a new pty, as if plugged back in."""
        with self._fds_lock:
            self._appear()

    def wait_for_heartbeats(self, count: int, timeout_s: float) -> bool:
        """Wait until ``count`` heartbeats have arrived in all."""
        with self.heartbeat_seen:
            return self.heartbeat_seen.wait_for(
                lambda: self.heartbeats >= count, timeout_s
            )

    # Internals.

    def _appear(self) -> None:
        master, slave = os.openpty()
        # Raw before the host opens it: a cooked slave would echo our frames
        # back to us and mangle bytes such as 0x0D.
        tty.setraw(slave)
        os.set_blocking(master, False)
        self._master, self._slave = master, slave
        self.decoder.reset()
        self.endpoint.reset()
        self.link_path.unlink(missing_ok=True)
        self.link_path.symlink_to(os.ttyname(slave))
        logger.debug(
            "mcu_sim.appeared path=%s tty=%s", self.link_path, os.ttyname(slave)
        )

    def _vanish(self) -> None:
        for fd in (self._master, self._slave):
            if fd is not None:
                os.close(fd)
        self._master = self._slave = None
        self.link_path.unlink(missing_ok=True)

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                with self._fds_lock:
                    master = self._master
                    if master is not None and not self._silent.is_set():
                        self._step(master)
                    elif master is not None:
                        _discard(master)
                self._check_heartbeat()
                self._stop.wait(_POLL_S)
        except Exception:
            logger.exception("The simulated MCU failed")

    def _step(self, master: int) -> None:
        data = _read(master)
        for frame in self.decoder.feed(data):
            received = self.endpoint.receive(frame)
            for reply in received.replies:
                _write(master, reply)
            if received.message is not None:
                self._handle(received.message)
        while True:
            try:
                item = self._outgoing.get_nowait()
            except queue.Empty:
                break
            _write(
                master, item if isinstance(item, bytes) else self.endpoint.send(item)
            )
        for resend in self.endpoint.due():
            _write(master, resend)

    def _handle(self, message: Message) -> None:
        match message:
            case Heartbeat(timeout_ms):
                self._deadline_s = time.monotonic() + timeout_ms / 1000
                if self.out_of_service.is_set():
                    logger.info("Simulated MCU: heartbeat back, in service")
                self.out_of_service.clear()
                self.in_service.set()
                with self.heartbeat_seen:
                    self.heartbeats += 1
                    self.heartbeat_seen.notify_all()
            case SetLedPattern():
                self.led = message
            case RequestState():
                for state in self._state_messages():
                    self._outgoing.put(state)

    def _state_messages(self) -> list[Message]:
        return [
            Presence(self.presence_mm),
            Tamper(self.tamper_open),
            Buttons(self.buttons),
            Headphones(self.headphones),
            # The battery comes last: a host that has it has the whole report.
            PowerSource(self.on_battery),
            BatteryLevel(self.battery_percent),
        ]

    def _check_heartbeat(self) -> None:
        deadline = self._deadline_s
        if deadline is None or self.out_of_service.is_set():
            return
        if time.monotonic() > deadline:
            logger.info("Simulated MCU: no heartbeat, showing out of service")
            self.in_service.clear()
            self.out_of_service.set()


def _read(fd: int) -> bytes:
    ready, _, _ = select.select([fd], [], [], 0)
    if not ready:
        return b""
    try:
        return os.read(fd, 4096)
    except (BlockingIOError, OSError):
        # EIO: nobody has the slave open; the bytes, if any, are lost anyway.
        return b""


def _write(fd: int, data: bytes) -> None:
    try:
        os.write(fd, data)
    except (BlockingIOError, OSError):
        logger.debug("mcu_sim.write.failed bytes=%d", len(data))


def _discard(fd: int) -> None:
    while _read(fd):
        pass
