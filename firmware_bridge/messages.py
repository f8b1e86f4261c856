"""The message set of the microcontroller link, both directions.

Host to microcontroller:

- ``Heartbeat``: "the kiosk software is alive". The microcontroller shows
  its out-of-service pattern when none arrives for ``timeout_ms``.
- ``SetLedPattern``: what the LED ring shows.
- ``RequestState``: send every sensor value now (after a reconnect).

Microcontroller to host, sent on change and after ``RequestState``:

- ``Presence``: distance to the nearest object in front of the kiosk.
- ``Tamper``: the service door switch.
- ``Buttons``: the physical buttons held down.
- ``PowerSource``: mains or the UPS battery.
- ``BatteryLevel``: the UPS charge.
- ``Headphones``: the headphone jack's switch (a plug is in or not).

``Ack`` goes both ways and confirms one sequence number. Payloads are
little-endian and fixed-size per type.
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Callable
from dataclasses import dataclass


class MessageType(enum.IntEnum):
    """Type byte of each message."""

    ACK = 0x7F
    HEARTBEAT = 0x01
    SET_LED = 0x02
    REQUEST_STATE = 0x03
    PRESENCE = 0x81
    TAMPER = 0x82
    BUTTONS = 0x83
    POWER_SOURCE = 0x84
    BATTERY_LEVEL = 0x85
    HEADPHONES = 0x86


class LedPattern(enum.IntEnum):
    """What the LED ring can show."""

    OFF = 0
    IDLE = 1
    """Slow breathing: the kiosk is free."""
    ATTENTION = 2
    """Someone is near: brighter, faster."""
    LISTENING = 3
    BUSY = 4
    SUCCESS = 5
    ERROR = 6
    OUT_OF_SERVICE = 7
    """Also what the microcontroller shows by itself when heartbeats stop."""
    TEST = 8
    """Every colour in turn; used by ``kiosk diag --active``."""


class MalformedMessageError(Exception):
    """A well-framed message whose type or payload makes no sense."""

    def __init__(self, type_code: int, payload: bytes, problem: str) -> None:
        self.type_code = type_code
        self.payload = payload
        super().__init__(
            f"bad message type 0x{type_code:02x} ({len(payload)} bytes): {problem}"
        )


@dataclass(frozen=True)
class Ack:
    """Confirms that the frame with ``seq`` arrived."""

    seq: int
    """Acknowledged sequence number, 0..255."""


@dataclass(frozen=True)
class Heartbeat:
    """The host is alive."""

    timeout_ms: int
    """How long the MCU waits for the next one, 1..65535 ms."""


@dataclass(frozen=True)
class SetLedPattern:
    """Show a pattern on the LED ring."""

    pattern: LedPattern
    red: int = 255
    """Red intensity, 0..255."""
    green: int = 255
    """Green intensity, 0..255."""
    blue: int = 255
    """Blue intensity, 0..255."""


@dataclass(frozen=True)
class RequestState:
    """Ask the microcontroller to report every sensor now."""


@dataclass(frozen=True)
class Presence:
    """Distance to the nearest object in front of the kiosk."""

    distance_mm: int | None
    """Millimetres, 0..65534; None when nothing is in range."""


@dataclass(frozen=True)
class Tamper:
    """State of the service door switch."""

    open: bool
    """True while the door is open (or the switch is cut)."""


@dataclass(frozen=True)
class Buttons:
    """The physical buttons held down right now."""

    pressed: int
    """Bit mask, bit 0 = button 1; 0 means none is held."""


@dataclass(frozen=True)
class PowerSource:
    """Whether the kiosk runs on mains or on the UPS battery."""

    on_battery: bool


@dataclass(frozen=True)
class BatteryLevel:
    """Charge of the UPS battery."""

    percent: int
    """0..100 %."""


@dataclass(frozen=True)
class Headphones:
    """State of the headphone jack's switch."""

    connected: bool
    """True while a plug is in the jack."""


Message = (
    Ack
    | Heartbeat
    | SetLedPattern
    | RequestState
    | Presence
    | Tamper
    | Buttons
    | PowerSource
    | BatteryLevel
    | Headphones
)
_NO_DISTANCE = 0xFFFF


def encode_message(message: Message) -> tuple[MessageType, bytes]:
    """The type byte and payload for ``message``."""
    match message:
        case Ack(seq):
            return MessageType.ACK, struct.pack("<B", seq)
        case Heartbeat(timeout_ms):
            return MessageType.HEARTBEAT, struct.pack("<H", timeout_ms)
        case SetLedPattern(pattern, red, green, blue):
            return MessageType.SET_LED, struct.pack("<BBBB", pattern, red, green, blue)
        case RequestState():
            return MessageType.REQUEST_STATE, b""
        case Presence(distance_mm):
            raw = _NO_DISTANCE if distance_mm is None else distance_mm
            return MessageType.PRESENCE, struct.pack("<H", raw)
        case Tamper(is_open):
            return MessageType.TAMPER, struct.pack("<?", is_open)
        case Buttons(pressed):
            return MessageType.BUTTONS, struct.pack("<B", pressed)
        case PowerSource(on_battery):
            return MessageType.POWER_SOURCE, struct.pack("<?", on_battery)
        case BatteryLevel(percent):
            return MessageType.BATTERY_LEVEL, struct.pack("<B", percent)
        case Headphones(connected):
            return MessageType.HEADPHONES, struct.pack("<?", connected)
    raise TypeError(f"not a link message: {message!r}")


_FORMATS = {
    MessageType.ACK: "<B",
    MessageType.HEARTBEAT: "<H",
    MessageType.SET_LED: "<BBBB",
    MessageType.REQUEST_STATE: "<",
    MessageType.PRESENCE: "<H",
    MessageType.TAMPER: "<B",
    MessageType.BUTTONS: "<B",
    MessageType.POWER_SOURCE: "<B",
    MessageType.BATTERY_LEVEL: "<B",
    MessageType.HEADPHONES: "<B",
}


def decode_message(type_code: int, payload: bytes) -> Message:
    """The message in a frame; raises MalformedMessageError if there is none."""
    try:
        kind = MessageType(type_code)
    except ValueError:
        raise MalformedMessageError(type_code, payload, "unknown type") from None
    try:
        values = struct.unpack(_FORMATS[kind], payload)
    except struct.error:
        raise MalformedMessageError(type_code, payload, "wrong length") from None
    return _build(kind, values, payload)


_SWITCHES: dict[MessageType, Callable[[bool], Message]] = {
    MessageType.TAMPER: Tamper,
    MessageType.POWER_SOURCE: PowerSource,
    MessageType.HEADPHONES: Headphones,
}
"""Messages that carry one on/off switch."""


def _build(kind: MessageType, v: tuple[int, ...], payload: bytes) -> Message:
    if (switch := _SWITCHES.get(kind)) is not None:
        return switch(_flag(kind, v[0], payload))
    match kind:
        case MessageType.ACK:
            return Ack(v[0])
        case MessageType.HEARTBEAT:
            return Heartbeat(v[0])
        case MessageType.SET_LED:
            try:
                pattern = LedPattern(v[0])
            except ValueError:
                raise MalformedMessageError(kind, payload, "unknown pattern") from None
            return SetLedPattern(pattern, v[1], v[2], v[3])
        case MessageType.REQUEST_STATE:
            return RequestState()
        case MessageType.PRESENCE:
            return Presence(None if v[0] == _NO_DISTANCE else v[0])
        case MessageType.BUTTONS:
            return Buttons(v[0])
        case MessageType.BATTERY_LEVEL:
            if v[0] > 100:
                raise MalformedMessageError(kind, payload, "level above 100 %")
            return BatteryLevel(v[0])
    raise AssertionError(kind)  # pragma: no cover - the enum is exhaustive


def _flag(kind: MessageType, value: int, payload: bytes) -> bool:
    if value > 1:
        raise MalformedMessageError(kind, payload, "flag is neither 0 nor 1")
    return value == 1
