"""Frames on the microcontroller link: bytes in, frames out, no I/O.

A frame before stuffing::

    version  seq  type  length  payload[length]  crc16 (big-endian)
    1 byte   1    1     1       0..MAX_PAYLOAD    2 bytes

The CRC is CRC-16/IBM-3740 (poly 0x1021, init 0xFFFF) over everything
before it. The frame is COBS-encoded so that it holds no zero byte, and a
zero byte is sent before and after it: the leading zero closes whatever
garbage sat on the line, so the first good frame after noise is never lost.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field

from cobs import cobs
from crc import Calculator, Crc16

logger = logging.getLogger(__name__)

PROTOCOL_VERSION = 1
"""Version byte of every frame; a frame with another version is dropped."""
MAX_PAYLOAD = 32
"""Largest payload in bytes; longer frames are refused on both ends."""
HEADER_SIZE = 4
CRC_SIZE = 2
MAX_FRAME = HEADER_SIZE + MAX_PAYLOAD + CRC_SIZE
MAX_STUFFED = MAX_FRAME + MAX_FRAME // 254 + 1
"""Longest COBS-encoded frame; more bytes without a delimiter is garbage."""
DELIMITER = b"\x00"

_crc16 = Calculator(Crc16.IBM_3740, optimized=True)  # type: ignore[arg-type]


def crc16(data: bytes) -> int:
    """CRC-16/IBM-3740 of ``data``."""
    return int(_crc16.checksum(data))


@dataclass(frozen=True)
class Frame:
    """One decoded frame: a message type and its payload."""

    seq: int
    """Sender's sequence number, 0..255, wrapping; 0 in acknowledgements."""
    type: int
    """Message type code, 0..255 (see ``messages.MessageType``)."""
    payload: bytes = b""
    """Message body, at most MAX_PAYLOAD bytes."""


class FrameFault(enum.Enum):
    """Why a run of bytes between two delimiters was not a frame."""

    OVERFLOW = "overflow"
    """Too many bytes without a delimiter."""
    BAD_STUFFING = "bad_stuffing"
    TOO_SHORT = "too_short"
    BAD_LENGTH = "bad_length"
    """The length byte disagrees with the bytes received."""
    BAD_CRC = "bad_crc"
    BAD_VERSION = "bad_version"


def encode_frame(frame: Frame, version: int = PROTOCOL_VERSION) -> bytes:
    """The bytes to write for ``frame``, delimiters included."""
    if not 0 <= frame.seq <= 255 or not 0 <= frame.type <= 255:
        raise ValueError(f"seq and type must fit a byte: {frame}")
    if len(frame.payload) > MAX_PAYLOAD:
        raise ValueError(f"payload of {len(frame.payload)} bytes > {MAX_PAYLOAD}")
    body = bytes((version, frame.seq, frame.type, len(frame.payload)))
    body += frame.payload
    body += crc16(body).to_bytes(2, "big")
    return DELIMITER + bytes(cobs.encode(body)) + DELIMITER


@dataclass
class DecoderStats:
    """Counts of what the decoder has seen since it was made."""

    frames: int = 0
    """Good frames delivered."""
    faults: dict[FrameFault, int] = field(default_factory=dict)
    """Bad frames, by cause."""

    @property
    def bad_frames(self) -> int:
        """All bad frames, whatever the cause."""
        return sum(self.faults.values())


class FrameDecoder:
    """Turns a byte stream into frames, skipping anything malformed.

    Malformed input is counted in ``stats`` and logged at DEBUG; it never
    ends the stream. Decoding starts again at the next delimiter, so a
    bad frame costs at most itself.
    """

    def __init__(self, version: int = PROTOCOL_VERSION) -> None:
        self.version = version
        self.stats = DecoderStats()
        self._buffer = bytearray()
        self._skipping = False

    def feed(self, data: bytes) -> list[Frame]:
        """Take the bytes read from the port; return the frames they end."""
        frames: list[Frame] = []
        for chunk in _split_keep(data):
            if chunk == DELIMITER:
                if self._skipping:
                    self._skipping = False
                elif self._buffer:
                    frame = self._decode(bytes(self._buffer))
                    if frame is not None:
                        frames.append(frame)
                self._buffer.clear()
                continue
            if self._skipping:
                continue
            self._buffer += chunk
            if len(self._buffer) > MAX_STUFFED:
                self._fault(FrameFault.OVERFLOW, len(self._buffer))
                self._buffer.clear()
                self._skipping = True
        return frames

    def reset(self) -> None:
        """Forget a partial frame (after the port was reopened)."""
        self._buffer.clear()
        self._skipping = False

    def _decode(self, stuffed: bytes) -> Frame | None:
        try:
            body = bytes(cobs.decode(stuffed))
        except cobs.DecodeError:
            self._fault(FrameFault.BAD_STUFFING, len(stuffed))
            return None
        if len(body) < HEADER_SIZE + CRC_SIZE:
            self._fault(FrameFault.TOO_SHORT, len(body))
            return None
        if body[3] != len(body) - HEADER_SIZE - CRC_SIZE:
            self._fault(FrameFault.BAD_LENGTH, len(body))
            return None
        if crc16(body[:-CRC_SIZE]) != int.from_bytes(body[-CRC_SIZE:], "big"):
            self._fault(FrameFault.BAD_CRC, len(body))
            return None
        if body[0] != self.version:
            self._fault(FrameFault.BAD_VERSION, body[0])
            return None
        self.stats.frames += 1
        return Frame(seq=body[1], type=body[2], payload=body[HEADER_SIZE:-CRC_SIZE])

    def _fault(self, fault: FrameFault, detail: int) -> None:
        self.stats.faults[fault] = self.stats.faults.get(fault, 0) + 1
        logger.debug("frame.failed cause=%s detail=%d", fault.value, detail)


def _split_keep(data: bytes) -> list[bytes]:
    """Split on the delimiter, keeping each delimiter as its own item."""
    parts: list[bytes] = []
    start = 0
    while True:
        end = data.find(DELIMITER, start)
        if end < 0:
            if start < len(data):
                parts.append(data[start:])
            return parts
        if end > start:
            parts.append(data[start:end])
        parts.append(DELIMITER)
        start = end + 1
