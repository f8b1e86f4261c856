"""Sequence numbers, acknowledgements and retransmission, without I/O.

Both ends of the link use one ``Endpoint``: the host's link thread and the
simulated microcontroller. Every message but an ``Ack`` gets the next
sequence number (1..255, then 1 again; 0 is left to acknowledgements) and
the receiver answers with an ``Ack`` of that number. Unacknowledged
messages are sent again after ``retry_s``, up to ``max_tries`` sends in
all; a message the receiver has already seen is acknowledged again but
delivered only once.

Either end may restart and count from 1 again while the other keeps
running, so "seen" is forgotten in two ways: a number counts as seen only
for as long as its sender could still be retrying it, and a
``RequestState`` (what the host sends first on every new connection)
wipes the memory of the previous connection.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from firmware_bridge.framing import Frame, encode_frame
from firmware_bridge.messages import (
    Ack,
    MalformedMessageError,
    Message,
    RequestState,
    decode_message,
    encode_message,
)

logger = logging.getLogger(__name__)


@dataclass
class EndpointStats:
    """Counters of one end of the link."""

    sent: int = 0
    """Messages sent for the first time (acknowledgements not counted)."""
    retransmissions: int = 0
    duplicates: int = 0
    """Messages the peer sent again because our ack was lost."""
    gave_up: int = 0
    """Messages never acknowledged after every retry."""
    bad_messages: int = 0
    """Well-framed messages with an unknown type or a bad payload."""


@dataclass
class _Pending:
    message: Message
    data: bytes
    first_sent_s: float
    last_sent_s: float
    tries: int
    retransmit: bool


@dataclass(frozen=True)
class Received:
    """What one incoming frame meant."""

    message: Message | None = None
    """A new message for the application; None for acks and duplicates."""
    replies: list[bytes] = field(default_factory=list)
    """Bytes to write back (the acknowledgement)."""
    acked: Message | None = None
    """Our message that this frame acknowledged."""
    rtt_s: float | None = None
    """Round-trip time of ``acked``, when it was sent only once."""


class Endpoint:
    """Reliability for one end of the link; feed it frames, write its bytes."""

    def __init__(
        self,
        retry_s: float = 0.25,
        max_tries: int = 4,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.retry_s = retry_s
        self.max_tries = max_tries
        self.clock = clock
        self.stats = EndpointStats()
        self._next_seq = 1
        self._pending: dict[int, _Pending] = {}
        self._seen: dict[int, float] = {}
        """Peer's sequence numbers and when each first arrived."""

    def reset(self) -> None:
        """Start afresh, as after a reconnect: nothing pending, nothing seen."""
        self._next_seq = 1
        self._pending.clear()
        self._seen.clear()

    def send(self, message: Message, retransmit: bool = True) -> bytes:
        """Number ``message`` and return its bytes; keep it until acknowledged.

        With ``retransmit`` False the message is sent once and only its
        acknowledgement is awaited (for heartbeats, which a newer one
        replaces anyway).
        """
        seq = self._next_seq
        self._next_seq = seq % 255 + 1
        type_code, payload = encode_message(message)
        data = encode_frame(Frame(seq, type_code, payload))
        now = self.clock()
        self._pending[seq] = _Pending(message, data, now, now, 1, retransmit)
        self.stats.sent += 1
        return data

    def receive(self, frame: Frame) -> Received:
        """Handle a frame from the peer."""
        try:
            message = decode_message(frame.type, frame.payload)
        except MalformedMessageError as exc:
            self.stats.bad_messages += 1
            logger.debug("message.failed seq=%d cause=%s", frame.seq, exc)
            # Acknowledged all the same: sending it again would not mend it.
            return Received(replies=[_ack_bytes(frame.seq)])
        if isinstance(message, Ack):
            return self._on_ack(message.seq)

        replies = [_ack_bytes(frame.seq)]
        now = self.clock()
        if isinstance(message, RequestState):
            self._seen.clear()
        first_seen = self._seen.get(frame.seq)
        if first_seen is not None and now - first_seen < self._retry_horizon_s:
            self.stats.duplicates += 1
            return Received(replies=replies)
        self._seen[frame.seq] = now
        return Received(message=message, replies=replies)

    @property
    def _retry_horizon_s(self) -> float:
        # The longest a sender keeps retrying one message, with slack for a
        # slow reader; after that the same number is a new message.
        return self.retry_s * (self.max_tries + 1)

    def _on_ack(self, seq: int) -> Received:
        pending = self._pending.pop(seq, None)
        if pending is None:
            return Received()
        # Karn's rule: a retransmitted message has no trustworthy round trip.
        rtt = self.clock() - pending.first_sent_s if pending.tries == 1 else None
        return Received(acked=pending.message, rtt_s=rtt)

    def due(self) -> list[bytes]:
        """Bytes to send again now; forgets messages out of tries."""
        now = self.clock()
        out: list[bytes] = []
        for seq, pending in list(self._pending.items()):
            if now - pending.last_sent_s < self.retry_s:
                continue
            if not pending.retransmit:
                del self._pending[seq]
            elif pending.tries >= self.max_tries:
                del self._pending[seq]
                self.stats.gave_up += 1
                logger.debug("message.gave_up seq=%d message=%s", seq, pending.message)
            else:
                pending.tries += 1
                pending.last_sent_s = now
                self.stats.retransmissions += 1
                out.append(pending.data)
        return out

    @property
    def unacknowledged(self) -> int:
        """Messages sent and not yet acknowledged."""
        return len(self._pending)


def _ack_bytes(seq: int) -> bytes:
    type_code, payload = encode_message(Ack(seq))
    return encode_frame(Frame(0, type_code, payload))
