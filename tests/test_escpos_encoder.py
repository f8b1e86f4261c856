from __future__ import annotations

import pytest

from kiosk.hardware.escpos_encoder import (
    PLACEHOLDER,
    choose_code_table,
    decode_status,
    encode_receipt,
    encode_text,
    is_status_reply,
    prepare_text,
)
from kiosk.hardware.printer import PrinterStatus
from kiosk.hardware.printer_profiles import get_profile
from kiosk.receipt import Receipt

TINY = Receipt(
    ticket="A017",
    title="Ştampilă",
    lines=(("Név", "Ődön"),),
    footer="Mulţumim!",
    qr_payload="A017",
)


def test_decomposed_letters_are_composed_and_comma_below_becomes_cedilla() -> None:
    decomposed = "s\u0326tampila\u0306 t\u0326ara\u0306 S\u0326 T\u0326"
    assert prepare_text(decomposed) == "ştampilă ţară Ş Ţ"
    assert prepare_text("ș ț Ș Ț") == "ş ţ Ş Ţ"


def test_cp852_is_chosen_for_romanian_and_hungarian_text() -> None:
    text = prepare_text("Înregistrare ștampilă, Győző ű")
    tables = get_profile("TM-T20II").code_tables
    assert choose_code_table(text, tables) == "CP852"


def test_the_first_table_of_the_profile_wins_for_plain_ascii() -> None:
    assert choose_code_table("A017", ("CP858", "CP852")) == "CP858"


def test_romanian_and_hungarian_letters_in_cp852_golden_bytes() -> None:
    data, substitutions = encode_text(prepare_text("ștampilă, țară; Ődön ű"), "CP852")
    assert data == b"\xadtampil\xc7, \xeear\xc7; \x8ad\x94n \xfb"
    assert substitutions == {}


def test_a_character_no_table_holds_is_transliterated_never_a_question_mark() -> None:
    data, substitutions = encode_text("Łódź 王 € “ok” ő", "CP437")
    assert data == b'L\xa2dz _ EUR "ok" o'
    assert substitutions == {
        "Ł": "L",
        "ź": "z",
        "王": PLACEHOLDER,
        "€": "EUR",
        "“": '"',
        "”": '"',
        "ő": "o",
    }
    assert b"?" not in data


def test_receipt_starts_with_init_and_one_code_table_selection() -> None:
    data = encode_receipt(TINY, get_profile("TM-T20II")).data
    assert data.startswith(b"\x1b@\x1bt\x12")
    assert data.count(b"\x1bt") == 1
    assert b"\xb8tampil\xc7" in data
    assert b"\x8ad\x94n" in data
    assert b"Mul\xeeumim!" in data


def test_native_qr_commands_golden_bytes() -> None:
    data = encode_receipt(TINY, get_profile("TM-T20II")).data
    qr = (
        b"\x1d(k\x04\x001A2\x00"  # model 2
        b"\x1d(k\x03\x001C\x06"  # module 6 dots
        b"\x1d(k\x03\x001E0"  # error correction L
        b"\x1d(k\x07\x001P0A017"  # store "A017"
        b"\x1d(k\x03\x001Q0"  # print
    )
    assert qr in data


def test_receipt_ends_with_feed_and_full_cut() -> None:
    data = encode_receipt(TINY, get_profile("TM-T20II")).data
    assert data.endswith(b"\x1bd\x06\x1dV\x00")


def test_a_model_without_native_qr_gets_a_raster_image() -> None:
    encoded = encode_receipt(TINY, get_profile("TM-T88III"))
    assert b"\x1d(k" not in encoded.data
    assert b"\x1dv0\x00\x40\x00" in encoded.data  # 64 bytes = 512 dots a row
    assert encoded.code_table == "CP858"
    assert encoded.substitutions == {"Ş": "S", "ă": "a", "Ő": "O", "ţ": "t"}


@pytest.mark.parametrize(
    ("printer", "cause", "paper", "expected"),
    [
        (0x12, 0x12, 0x12, PrinterStatus.READY),
        (0x12, 0x12, 0x1E, PrinterStatus.PAPER_LOW),
        (0x1A, 0x32, 0x72, PrinterStatus.PAPER_OUT),
        (0x1A, 0x12, 0x72, PrinterStatus.PAPER_OUT),
        (0x1A, 0x16, 0x12, PrinterStatus.COVER_OPEN),
        (0x1A, 0x36, 0x7E, PrinterStatus.COVER_OPEN),
        (0x1A, 0x12, 0x12, PrinterStatus.OFFLINE),
        (0x12, 0x52, 0x12, PrinterStatus.OFFLINE),
    ],
)
def test_status_bytes_map_to_every_state(
    printer: int, cause: int, paper: int, expected: PrinterStatus
) -> None:
    assert decode_status(printer, cause, paper) is expected


def test_status_replies_are_told_apart_from_other_bytes() -> None:
    assert is_status_reply(0x12)
    assert is_status_reply(0x7E)
    assert not is_status_reply(0x00)  # a GS r 1 reply: bit 4 is clear
    assert not is_status_reply(ord("?"))
