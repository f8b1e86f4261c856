import random

import pytest

from firmware_bridge.framing import (
    MAX_PAYLOAD,
    Frame,
    FrameDecoder,
    FrameFault,
    crc16,
    encode_frame,
)
from firmware_bridge.messages import (
    Ack,
    BatteryLevel,
    Buttons,
    Headphones,
    Heartbeat,
    LedPattern,
    MalformedMessageError,
    Message,
    PowerSource,
    Presence,
    RequestState,
    SetLedPattern,
    Tamper,
    decode_message,
    encode_message,
)
from firmware_bridge.reliable import Endpoint


def test_crc_is_crc16_ibm_3740():
    assert crc16(b"123456789") == 0x29B1


def test_heartbeat_frame_has_golden_bytes():
    type_code, payload = encode_message(Heartbeat(5000))
    data = encode_frame(Frame(7, type_code, payload))
    assert data == bytes.fromhex("00 09 01 07 01 02 88 13 84 d3 00".replace(" ", ""))


@pytest.mark.parametrize(
    "message",
    [
        Ack(9),
        Heartbeat(1500),
        SetLedPattern(LedPattern.ATTENTION, 10, 20, 0),
        RequestState(),
        Presence(850),
        Presence(None),
        Tamper(True),
        Buttons(0b101),
        PowerSource(True),
        BatteryLevel(42),
        Headphones(True),
        Headphones(False),
    ],
)
def test_every_message_survives_encoding_and_framing(message: Message):
    type_code, payload = encode_message(message)
    frames = FrameDecoder().feed(encode_frame(Frame(3, type_code, payload)))
    assert [decode_message(f.type, f.payload) for f in frames] == [message]


@pytest.mark.parametrize(
    ("type_code", "payload"),
    [
        (0x55, b""),
        (0x85, b"\x65"),
        (0x82, b"\x02"),
        (0x02, b"\x09\0\0\0"),
        (1, b""),
        (0x86, b"\x02"),  # a jack switch neither in nor out
        (0x86, b""),
    ],
)
def test_malformed_messages_raise_a_distinct_error(type_code: int, payload: bytes):
    with pytest.raises(MalformedMessageError):
        decode_message(type_code, payload)


def test_headphones_message_has_golden_payload():
    assert encode_message(Headphones(True)) == (0x86, b"\x01")
    assert decode_message(0x86, b"\x00") == Headphones(False)


def _frame(seq: int = 1) -> bytes:
    type_code, payload = encode_message(Presence(1000 + seq))
    return encode_frame(Frame(seq, type_code, payload))


def test_frames_split_across_reads_are_reassembled():
    decoder = FrameDecoder()
    data = _frame(1) + _frame(2)
    frames = [f for byte in data for f in decoder.feed(bytes([byte]))]
    assert [f.seq for f in frames] == [1, 2]


def test_bad_crc_is_counted_and_the_next_frame_still_arrives():
    bad = bytearray(_frame(1))
    bad[6] ^= 0x40  # a payload byte
    decoder = FrameDecoder()
    frames = decoder.feed(bytes(bad) + _frame(2))
    assert [f.seq for f in frames] == [2]
    assert decoder.stats.faults == {FrameFault.BAD_CRC: 1}


def test_truncated_frame_costs_only_itself():
    decoder = FrameDecoder()
    frames = decoder.feed(_frame(1)[:-4] + _frame(2))
    assert [f.seq for f in frames] == [2]
    assert decoder.stats.bad_frames == 1


def test_a_lying_length_byte_is_refused():
    from cobs import cobs

    body = bytes((1, 4, 0x81, 9, 1, 2))
    body += crc16(body).to_bytes(2, "big")
    decoder = FrameDecoder()
    assert decoder.feed(b"\0" + cobs.encode(body) + b"\0") == []
    assert decoder.stats.faults == {FrameFault.BAD_LENGTH: 1}


def test_another_protocol_version_is_refused():
    decoder = FrameDecoder()
    assert decoder.feed(encode_frame(Frame(1, 0x81, b"\1\2"), version=2)) == []
    assert decoder.stats.faults == {FrameFault.BAD_VERSION: 1}


def test_endless_bytes_without_delimiter_overflow_and_resynchronise():
    decoder = FrameDecoder()
    assert decoder.feed(b"\x01" * 500) == []
    assert decoder.stats.faults == {FrameFault.OVERFLOW: 1}
    assert [f.seq for f in decoder.feed(b"\x07" * 10 + _frame(3))] == [3]


def test_random_garbage_never_wedges_the_decoder():
    rng = random.Random(1234)
    decoder = FrameDecoder()
    delivered = []
    for i in range(1, 201):
        noise = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 80)))
        data = noise + _frame(i % 250 + 1)
        cut = rng.randrange(len(data) + 1)
        delivered += decoder.feed(data[:cut])
        delivered += decoder.feed(data[cut:])
    # A frame can only be lost to noise that ends in its own bytes; none of
    # the noise here holds a valid frame, so at least nearly all arrive.
    assert len(delivered) >= 195
    assert decoder.stats.frames == len(delivered)


def test_oversized_payload_is_refused_by_the_encoder():
    with pytest.raises(ValueError, match="payload"):
        encode_frame(Frame(1, 0x81, bytes(MAX_PAYLOAD + 1)))


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _decode_all(data: bytes) -> list[Frame]:
    return FrameDecoder().feed(data)


def test_unacknowledged_message_is_retransmitted_then_given_up():
    clock = FakeClock()
    end = Endpoint(retry_s=0.25, max_tries=3, clock=clock)
    first = end.send(Tamper(True))
    assert end.due() == []
    clock.now += 0.3
    assert end.due() == [first]
    clock.now += 0.3
    assert end.due() == [first]
    clock.now += 0.3
    assert end.due() == []
    assert (end.stats.retransmissions, end.stats.gave_up) == (2, 1)
    assert end.unacknowledged == 0


def test_ack_ends_retransmission_and_measures_round_trip():
    clock = FakeClock()
    host, mcu = Endpoint(clock=clock), Endpoint(clock=clock)
    (frame,) = _decode_all(host.send(Heartbeat(1000), retransmit=False))
    received = mcu.receive(frame)
    assert received.message == Heartbeat(1000)
    clock.now += 0.004
    (ack,) = _decode_all(received.replies[0])
    back = host.receive(ack)
    assert back.acked == Heartbeat(1000)
    assert back.rtt_s == pytest.approx(0.004)
    assert host.unacknowledged == 0


def test_duplicate_is_acknowledged_but_delivered_once():
    host, mcu = Endpoint(), Endpoint()
    (frame,) = _decode_all(mcu.send(Buttons(1)))
    assert host.receive(frame).message == Buttons(1)
    again = host.receive(frame)
    assert again.message is None and again.replies
    assert host.stats.duplicates == 1


def test_sequence_numbers_wrap_and_skip_zero():
    end = Endpoint()
    seqs = [_decode_all(end.send(Buttons(0)))[0].seq for _ in range(300)]
    assert 0 not in seqs
    assert seqs[254:256] == [255, 1]


def test_a_restarted_sender_is_not_taken_for_a_duplicate():
    clock = FakeClock()
    mcu = Endpoint(retry_s=0.25, max_tries=4, clock=clock)
    old_host, new_host = Endpoint(clock=clock), Endpoint(clock=clock)
    (first,) = _decode_all(old_host.send(Buttons(1)))
    assert mcu.receive(first).message == Buttons(1)
    # A new connection starts with RequestState under sequence number 1 again.
    (hello,) = _decode_all(new_host.send(RequestState()))
    assert hello.seq == first.seq
    assert mcu.receive(hello).message == RequestState()


def test_a_number_seen_long_ago_is_a_new_message():
    clock = FakeClock()
    host = Endpoint(retry_s=0.25, max_tries=4, clock=clock)
    (frame,) = _decode_all(Endpoint(clock=clock).send(Tamper(True)))
    assert host.receive(frame).message == Tamper(True)
    clock.now += 0.5
    assert host.receive(frame).message is None  # still a retransmission
    clock.now += 5.0
    assert host.receive(frame).message == Tamper(True)  # the MCU rebooted
