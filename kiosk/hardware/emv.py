"""EMV contactless reading as pure functions over a ``transmit`` callable.

No I/O happens here: the PC/SC driver passes its transmit function in, and
the tests pass a scripted card. This module builds the APDUs, handles the
ISO 7816 status words that ask for another exchange (61XX: fetch the rest
with GET RESPONSE; 6CXX: send again with the exact length), parses BER-TLV,
and reads a payment card's public records. The card number is masked to its
last four digits inside :func:`read_payment_application`, the function that
reads it; only the masked form is returned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

Transmit = Callable[[bytes], tuple[bytes, int]]
"""Sends one APDU; returns the response data and the status word (0x9000)."""

SW_OK = 0x9000
PPSE_NAME = b"2PAY.SYS.DDF01"
"""Proximity Payment System Environment: the directory of a contactless card."""
_MAX_EXCHANGES = 16
"""GET RESPONSE rounds allowed for one command; a card asking for more is broken."""


class EmvError(Exception):
    """The card's answers do not make sense as EMV."""


@dataclass(frozen=True)
class PaymentApplication:
    """What the kiosk may know about a payment card: never its full number."""

    aid: str
    """Application identifier in hex, e.g. A0000000031010."""
    label: str
    """The application label the card announces, e.g. "VISA DEBIT"."""
    masked_pan: str
    """``**** 1234``, or empty if the card did not show its number."""


def select(name: bytes) -> bytes:
    """SELECT by DF name (first or only occurrence), asking for the FCI."""
    return bytes([0x00, 0xA4, 0x04, 0x00, len(name)]) + name + b"\x00"


def get_processing_options() -> bytes:
    """GET PROCESSING OPTIONS with an empty PDOL."""
    return bytes.fromhex("80A8000002830000")


def read_record(sfi: int, record: int) -> bytes:
    """READ RECORD ``record`` of short file ``sfi``, any length."""
    return bytes([0x00, 0xB2, record, (sfi << 3) | 0x04, 0x00])


def exchange(transmit: Transmit, apdu: bytes) -> tuple[bytes, int]:
    """Send ``apdu`` and follow 61XX and 6CXX until the card gives a final answer."""
    data, sw = transmit(apdu)
    if sw >> 8 == 0x6C:
        data, sw = transmit(apdu[:-1] + bytes([sw & 0xFF]))
    collected = data
    for _ in range(_MAX_EXCHANGES):
        if sw >> 8 != 0x61:
            return collected, sw
        data, sw = transmit(bytes([0x00, 0xC0, 0x00, 0x00, sw & 0xFF]))
        collected += data
    raise EmvError("the card keeps answering 61XX")


def parse_tlv(data: bytes) -> list[tuple[int, bytes]]:
    """The top-level BER-TLV objects of ``data`` as (tag, value) pairs."""
    items: list[tuple[int, bytes]] = []
    pos = 0
    while pos < len(data):
        if data[pos] in (0x00, 0xFF):  # padding between objects
            pos += 1
            continue
        tag = data[pos]
        pos += 1
        if tag & 0x1F == 0x1F:
            while True:
                if pos >= len(data):
                    raise EmvError("truncated tag")
                tag = (tag << 8) | data[pos]
                pos += 1
                if not data[pos - 1] & 0x80:
                    break
        if pos >= len(data):
            raise EmvError("truncated length")
        length = data[pos]
        pos += 1
        if length & 0x80:
            count = length & 0x7F
            if not 0 < count <= 3 or pos + count > len(data):
                raise EmvError("bad length")
            length = int.from_bytes(data[pos : pos + count], "big")
            pos += count
        if pos + length > len(data):
            raise EmvError(f"value of tag {tag:X} runs past the end")
        items.append((tag, data[pos : pos + length]))
        pos += length
    return items


def walk_tlv(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Every TLV object in ``data``, descending into constructed ones."""
    for tag, value in parse_tlv(data):
        yield tag, value
        first_byte = tag >> (8 * ((tag.bit_length() - 1) // 8))
        if first_byte & 0x20:
            yield from walk_tlv(value)


def find(data: bytes, wanted: int) -> bytes | None:
    """The value of the first ``wanted`` tag anywhere in ``data``."""
    return next((value for tag, value in walk_tlv(data) if tag == wanted), None)


def mask_pan(digits: str) -> str:
    """``**** 1234`` from a card number; empty when there is none."""
    return f"**** {digits[-4:]}" if len(digits) >= 4 else ""


def select_ppse(transmit: Transmit) -> bytes | None:
    """The PPSE directory (FCI), or None if the card is not a payment card."""
    data, sw = exchange(transmit, select(PPSE_NAME))
    return data if sw == SW_OK else None


def read_payment_application(transmit: Transmit, ppse: bytes) -> PaymentApplication:
    """Select the card's first payment application and read its public records.

    The card number is masked here, in the function that read it; the full
    number only ever lives in this call's local buffers.

    Raises:
        EmvError: the card's answers are not valid EMV.
    """
    aid = find(ppse, 0x4F)
    if aid is None:
        raise EmvError("the PPSE lists no application")
    fci, sw = exchange(transmit, select(aid))
    if sw != SW_OK:
        raise EmvError(f"SELECT AID answered {sw:04X}")
    label = (find(fci, 0x50) or find(ppse, 0x50) or b"").decode("ascii", "replace")
    gpo, sw = exchange(transmit, get_processing_options())
    if sw != SW_OK:
        raise EmvError(f"GET PROCESSING OPTIONS answered {sw:04X}")

    last_four = ""
    for sfi, record in _records(gpo):
        data, sw = exchange(transmit, read_record(sfi, record))
        if sw != SW_OK:
            continue
        pan = find(data, 0x5A)
        track2 = find(data, 0x57)
        digits = pan.hex() if pan else (track2.hex().split("d")[0] if track2 else "")
        last_four = digits.rstrip("f")[-4:]
        del pan, track2, digits, data
        if last_four:
            break
    return PaymentApplication(aid.hex().upper(), label, mask_pan(last_four))


def _records(gpo: bytes) -> Iterator[tuple[int, int]]:
    if gpo[:1] == b"\x80":  # format 1: AIP (2 bytes) then the AFL
        afl = parse_tlv(gpo)[0][1][2:]
    else:
        afl = find(gpo, 0x94) or b""
    for pos in range(0, len(afl) - 3, 4):
        sfi, first, last = afl[pos] >> 3, afl[pos + 1], afl[pos + 2]
        for record in range(first, last + 1):
            yield sfi, record


def trim_atr(atr: bytes) -> bytes:
    """The ATR without the zero padding some reader drivers add after it.

    pcscd with the virtual reader sometimes hands over the ATR in its full
    33-byte buffer, zero-padded. Trailing zeros are dropped, but never below
    the length the ATR's own structure gives (ISO/IEC 7816-3: T0's low nibble
    counts the historical bytes, each TDi announces the interface bytes that
    follow, and a TCK closes it unless only T=0 is offered), since a real
    ATR may end in a zero byte.
    """
    return atr[: max(_structural_length(atr), len(atr.rstrip(b"\0")))]


def _structural_length(atr: bytes) -> int:
    if len(atr) < 2:
        return len(atr)
    position = 1
    indicator = atr[1]
    historical = indicator & 0x0F
    protocols: set[int] = set()
    while True:
        position += bin(indicator >> 4).count("1")
        if not indicator & 0x80 or position >= len(atr):
            break
        indicator = atr[position]
        protocols.add(indicator & 0x0F)
    tck = 1 if protocols - {0} else 0
    return min(position + 1 + historical + tck, len(atr))
