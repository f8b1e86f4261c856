"""The host's side of the microcontroller link: one thread owns the port.

``McuLink`` opens the port from a pyserial URL, sends heartbeats, keeps the
latest sensor values and hands every message from the microcontroller to a
callback. When the port fails it closes it and tries again every
``reconnect_s`` until the device is back. ``close()`` returns within about
one read timeout.
"""

from __future__ import annotations

import enum
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import serial

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

_READ_TIMEOUT_S = 0.02
"""Longest a read blocks; bounds how fast close() and sends are served."""


class LinkState(enum.Enum):
    """Where the link is in its life."""

    CLOSED = "closed"
    """Not started, or closed."""
    OPENING = "opening"
    """Port open, nothing heard from the microcontroller yet."""
    CONNECTED = "connected"
    """The microcontroller answers."""
    SILENT = "silent"
    """Port open, but the microcontroller stopped answering."""
    DISCONNECTED = "disconnected"
    """The port is gone (unplugged); reopening it periodically."""


@dataclass(frozen=True)
class LinkStateChanged:
    """The link went into ``state``."""

    state: LinkState


McuEvent = Message | LinkStateChanged


@dataclass(frozen=True)
class McuStatus:
    """What the host knows about the microcontroller right now."""

    state: LinkState = LinkState.CLOSED
    presence_mm: int | None = None
    """Last distance reported, millimetres; None: nothing in range or unknown."""
    tamper_open: bool | None = None
    """Service door open; None until the microcontroller has said."""
    buttons: int = 0
    """Bit mask of buttons held."""
    on_battery: bool | None = None
    battery_percent: int | None = None
    """UPS charge, 0..100 %; None until reported."""
    headphones: bool | None = None
    """A plug is in the headphone jack; None until the microcontroller has said."""
    rtt_s: float | None = None
    """Last heartbeat round trip, seconds."""
    bad_frames: int = 0
    bad_messages: int = 0
    retransmissions: int = 0
    gave_up: int = 0
    reconnects: int = 0
    """Times the port was reopened after a failure."""
    led_acked: SetLedPattern | None = None
    """The last LED pattern the microcontroller confirmed."""
    detail: str = ""
    """Why the port is not open, in the driver's words; empty when it is."""


class McuLink:
    """Talks to the microcontroller over one serial port, in its own thread."""

    def __init__(
        self,
        url: str,
        on_event: Callable[[McuEvent], None] | None = None,
        heartbeat_s: float = 1.0,
        out_of_service_s: float = 5.0,
        silence_s: float = 3.0,
        reconnect_s: float = 1.0,
        retry_s: float = 0.25,
    ) -> None:
        """Prepare the link; nothing is opened before ``start()``.

        Args:
            url: pyserial URL or device path of the port.
            on_event: called on the link thread for every new message and
                state change; it must return quickly and never touch widgets.
            heartbeat_s: seconds between heartbeats.
            out_of_service_s: what the microcontroller is told to wait for the
                next heartbeat before it shows "out of service".
            silence_s: seconds without any frame before the link is SILENT.
            reconnect_s: seconds between attempts to reopen a lost port.
            retry_s: seconds before an unacknowledged message is sent again.
        """
        self.url = url
        self.on_event = on_event
        self.heartbeat_s = heartbeat_s
        self.out_of_service_s = out_of_service_s
        self.silence_s = silence_s
        self.reconnect_s = reconnect_s
        self._endpoint = Endpoint(retry_s=retry_s)
        self._decoder = FrameDecoder()
        self._outgoing: queue.SimpleQueue[Message] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._changed = threading.Condition()
        self._status = McuStatus()
        self._led: SetLedPattern | None = None
        self._thread: threading.Thread | None = None
        self._last_heard_s = 0.0
        self._port_failures = 0

    def start(self) -> None:
        """Start the link thread; it opens the port and keeps it open."""
        if self._thread is not None:
            raise RuntimeError("the MCU link was already started; make a new one")
        self._thread = threading.Thread(target=self._run, name="mcu-link", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop the thread and close the port; returns promptly."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        self._set(state=LinkState.CLOSED)

    def __enter__(self) -> McuLink:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def send(self, message: Message) -> None:
        """Queue a message for the microcontroller; safe from any thread."""
        if isinstance(message, SetLedPattern):
            self._led = message
        self._outgoing.put(message)

    def set_led(
        self, pattern: LedPattern, rgb: tuple[int, int, int] = (255,) * 3
    ) -> None:
        """Show ``pattern``; it is shown again after every reconnect."""
        self.send(SetLedPattern(pattern, *rgb))

    def status(self) -> McuStatus:
        """The latest known state; never blocks on the port."""
        with self._changed:
            return self._status

    def wait_until(
        self, predicate: Callable[[McuStatus], bool], timeout_s: float
    ) -> McuStatus | None:
        """Block until ``predicate(status)`` holds; None after ``timeout_s``."""
        with self._changed:
            if self._changed.wait_for(lambda: predicate(self._status), timeout_s):
                return self._status
            return None

    # Everything below runs on the link thread.

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                port = self._open()
                if port is None:
                    self._stop.wait(self.reconnect_s)
                    continue
                try:
                    self._serve(port)
                except (serial.SerialException, OSError) as exc:
                    self._lost(exc)
                finally:
                    port.close()
        except Exception:
            logger.exception("The MCU link thread failed; the link is down")
            self._set(state=LinkState.DISCONNECTED)

    def _open(self) -> serial.SerialBase | None:
        try:
            # exclusive: a second opener (say ``kiosk diag`` while the kiosk
            # runs) is refused instead of stealing half of the frames.
            port = serial.serial_for_url(
                self.url, timeout=_READ_TIMEOUT_S, write_timeout=0.5, exclusive=True
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            self._port_failures += 1
            if self._port_failures == 1:
                logger.warning("MCU port %s cannot be opened: %s", self.url, exc)
            self._set(state=LinkState.DISCONNECTED, detail=str(exc))
            return None
        if self._port_failures or self._status.reconnects or self._last_heard_s:
            self._set(reconnects=self._status.reconnects + 1)
        self._port_failures = 0
        self._set(detail="")
        logger.debug("mcu.open.complete url=%s", self.url)
        return port

    def _lost(self, exc: BaseException) -> None:
        logger.warning("MCU link on %s lost: %s; reconnecting", self.url, exc)
        self._set(state=LinkState.DISCONNECTED, detail=str(exc))

    def _serve(self, port: serial.SerialBase) -> None:
        self._endpoint.reset()
        self._decoder.reset()
        self._set(state=LinkState.OPENING)
        self._greet(port)
        next_heartbeat = 0.0
        while not self._stop.is_set():
            data = port.read(max(1, port.in_waiting))
            if data:
                self._on_bytes(port, data)
            now = time.monotonic()
            self._drain(port)
            if now >= next_heartbeat:
                timeout_ms = min(65535, int(self.out_of_service_s * 1000))
                port.write(self._endpoint.send(Heartbeat(timeout_ms), retransmit=False))
                next_heartbeat = now + self.heartbeat_s
            for resend in self._endpoint.due():
                port.write(resend)
            self._check_silence(port, now)

    def _greet(self, port: serial.SerialBase) -> None:
        port.write(self._endpoint.send(RequestState()))
        if self._led is not None:
            port.write(self._endpoint.send(self._led))

    def _drain(self, port: serial.SerialBase) -> None:
        while True:
            try:
                message = self._outgoing.get_nowait()
            except queue.Empty:
                return
            port.write(self._endpoint.send(message))

    def _check_silence(self, port: serial.SerialBase, now: float) -> None:
        state = self._status.state
        if state is LinkState.CONNECTED and now - self._last_heard_s > self.silence_s:
            logger.warning(
                "MCU on %s silent for %.1f s", self.url, now - self._last_heard_s
            )
            self._set(state=LinkState.SILENT)
        stats = self._endpoint.stats
        if (
            stats.retransmissions != self._status.retransmissions
            or stats.gave_up != self._status.gave_up
        ):
            self._set(retransmissions=stats.retransmissions, gave_up=stats.gave_up)

    def _on_bytes(self, port: serial.SerialBase, data: bytes) -> None:
        frames = self._decoder.feed(data)
        bad = self._decoder.stats.bad_frames
        if bad != self._status.bad_frames:
            logger.debug("mcu.bad_frames total=%d", bad)
            self._set(bad_frames=bad)
        for frame in frames:
            received = self._endpoint.receive(frame)
            for reply in received.replies:
                port.write(reply)
            self._heard()
            if received.rtt_s is not None and isinstance(received.acked, Heartbeat):
                self._set(rtt_s=received.rtt_s)
            if isinstance(received.acked, SetLedPattern):
                self._set(led_acked=received.acked)
            if received.message is not None:
                self._apply(received.message)
        if self._endpoint.stats.bad_messages != self._status.bad_messages:
            self._set(bad_messages=self._endpoint.stats.bad_messages)

    def _heard(self) -> None:
        self._last_heard_s = time.monotonic()
        if self._status.state is not LinkState.CONNECTED:
            was_silent = self._status.state is LinkState.SILENT
            self._set(state=LinkState.CONNECTED)
            if was_silent:
                # It may have restarted while silent: ask again, show again.
                self.send(RequestState())
                if self._led is not None:
                    self.send(self._led)

    def _apply(self, message: Message) -> None:
        match message:
            case Presence(distance_mm):
                self._set(presence_mm=distance_mm)
            case Tamper(is_open):
                self._set(tamper_open=is_open)
            case Buttons(pressed):
                self._set(buttons=pressed)
            case PowerSource(on_battery):
                self._set(on_battery=on_battery)
            case BatteryLevel(percent):
                self._set(battery_percent=percent)
            case Headphones(connected):
                self._set(headphones=connected)
            case _:
                logger.debug("mcu.unexpected message=%s", message)
                return
        self._emit(message)

    def _set(self, **changes: object) -> None:
        with self._changed:
            old = self._status
            self._status = replace(old, **changes)  # type: ignore[arg-type]
            self._changed.notify_all()
        new_state = self._status.state
        if new_state is not old.state:
            logger.info("MCU link %s: %s", self.url, new_state.value)
            self._emit(LinkStateChanged(new_state))

    def _emit(self, event: McuEvent) -> None:
        if self.on_event is None:
            return
        try:
            self.on_event(event)
        except Exception:
            logger.exception("MCU event handler failed on %s", event)
