"""The driver and the emulator on the two ends of a real socat pty pair."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image, ImageOps

from kiosk.hardware.escpos_encoder import PRINT_CONFIRM_REQUEST, STATUS_QUERY
from kiosk.hardware.escpos_interpreter import (
    EscPosInterpreter,
    PrintedImage,
    PrintedReceipt,
)
from kiosk.hardware.escpos_printer import EscposPrinter
from kiosk.hardware.printer import PrinterError, PrinterStatus
from kiosk.hardware.printer_emulator import PrinterEmulator, add_parser
from kiosk.hardware.printer_profiles import get_profile
from tests import printer_fixtures
from tests.printer_fixtures import (
    GOLDEN_LANGUAGES,
    GOLDEN_PROFILE,
    SocatPair,
    golden_bytes,
    golden_path,
    golden_receipt,
)

# The shared fixtures, made visible to pytest in this module.
emulator = printer_fixtures.emulator
socat_pair = printer_fixtures.socat_pair
socat_emulator = printer_fixtures.socat_emulator
socat_printer = printer_fixtures.socat_printer

QR_PAYLOAD = b"antonia:ticket:cj-primarie-01:A-00017"
QR_STORE = b"\x1d(k(\x001P0" + QR_PAYLOAD  # pL 0x28 = 37 payload bytes + 3
QR_PRINT = b"\x1d(k\x03\x001Q0"
FULL_CUT = b"\x1bd\x06\x1dV\x00"
SLOW_BAUD = 9600
"""A line slow enough that a receipt is still on the wire when it is cut."""


def _printed(data: bytes) -> PrintedReceipt:
    receipts: list[PrintedReceipt] = []
    EscPosInterpreter(get_profile(GOLDEN_PROFILE), receipts.append).feed(data)
    [receipt] = receipts
    return receipt


@pytest.mark.parametrize("language", GOLDEN_LANGUAGES)
def test_the_encoder_matches_the_committed_golden_bytes(language: str) -> None:
    # A difference here is either a bug or an intended change: in the second
    # case rewrite the files with scripts/regen_printer_golden.py --write.
    assert golden_bytes(language) == golden_path(language).read_bytes()


@pytest.mark.parametrize("language", GOLDEN_LANGUAGES)
def test_a_golden_receipt_has_one_table_switch_a_qr_code_and_a_cut(
    language: str,
) -> None:
    data = golden_path(language).read_bytes()
    assert data.startswith(b"\x1b@\x1bt\x12")  # one switch, to CP852
    assert data.count(b"\x1bt") == 1
    assert b"?" not in data
    assert data.count(QR_STORE) == 1
    assert data.index(QR_STORE) < data.index(QR_PRINT)
    assert data.endswith(FULL_CUT)
    text = _printed(data).text(48)
    assert "?" not in text and "\ufffd" not in text
    assert "A-00017" in text and "14.03.2026 10:05" in text


def test_the_romanian_receipt_keeps_its_letters_with_cedillas() -> None:
    text = _printed(golden_path("ro").read_bytes()).text(48)
    assert "Direcţia Impozite şi Taxe Locale" in text
    assert "cumpărat din ţară, străinătate" in text
    assert not set("șțȘȚ") & set(text)


def test_the_hungarian_receipt_keeps_its_double_acute_letters() -> None:
    text = _printed(golden_path("hu").read_bytes()).text(48)
    # Lines wrap at the paper's width; compare the words, not the breaks.
    words = " ".join(text.split())
    assert "Gépjármű bejelentése" in words
    assert "Őrizze meg ezt a szelvényt" in words


@pytest.mark.parametrize("language", GOLDEN_LANGUAGES)
def test_a_golden_receipt_crosses_socat_byte_for_byte_and_is_drawn(
    socat_emulator: PrinterEmulator, socat_printer: EscposPrinter, language: str
) -> None:
    socat_printer.print_receipt(golden_receipt(language))

    golden = golden_path(language).read_bytes()
    assert socat_emulator.wire is not None
    wire = bytes(socat_emulator.wire)
    assert wire.startswith(STATUS_QUERY + golden + PRINT_CONFIRM_REQUEST)
    assert wire.count(golden) == 1
    [printed] = socat_emulator.receipts
    assert printed.complete
    assert socat_emulator.out_dir is not None
    with Image.open(socat_emulator.out_dir / "receipt-0001.png") as image:
        assert image.width == get_profile(GOLDEN_PROFILE).width_px
        assert 700 <= image.height <= 1400
        dark = sum(
            image.convert("L").point(lambda v: 255 if v < 128 else 0).histogram()[255:]
        )
        assert 0.02 < dark / (image.width * image.height) < 0.5


def test_paper_near_end_over_socat_prints_and_warns(
    socat_emulator: PrinterEmulator,
    socat_printer: EscposPrinter,
    caplog: pytest.LogCaptureFixture,
) -> None:
    socat_emulator.faults.paper_low = True
    with caplog.at_level(logging.WARNING, logger="kiosk.hardware.escpos_printer"):
        socat_printer.print_receipt(golden_receipt("ro"))
    assert [r.getMessage() for r in caplog.records] == [
        f"Printer on {socat_printer.url} is near the end of its paper roll: "
        "refill it soon"
    ]
    assert socat_emulator.receipts[0].complete


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("paper_out", PrinterStatus.PAPER_OUT),
        ("cover_open", PrinterStatus.COVER_OPEN),
        ("silent", PrinterStatus.NOT_ANSWERING),
    ],
)
def test_a_fault_before_printing_over_socat_prints_nothing(
    socat_emulator: PrinterEmulator,
    socat_printer: EscposPrinter,
    fault: str,
    expected: PrinterStatus,
) -> None:
    if fault == "silent":
        socat_emulator.faults.answering = False
    else:
        setattr(socat_emulator.faults, fault, True)
    with pytest.raises(PrinterError) as caught:
        socat_printer.print_receipt(golden_receipt("ro"))
    assert caught.value.status is expected
    assert socat_emulator.receipts == []
    socat_emulator.wait_for_bytes(len(STATUS_QUERY), timeout=2.0)
    assert bytes(socat_emulator.wire or b"") == STATUS_QUERY  # none of the receipt


def test_paper_out_mid_receipt_over_socat_raises_printer_error(
    socat_emulator: PrinterEmulator, socat_printer: EscposPrinter
) -> None:
    socat_emulator.faults.lines_left = 6
    with pytest.raises(PrinterError) as caught:
        socat_printer.print_receipt(golden_receipt("hu"))
    assert caught.value.status is PrinterStatus.PAPER_OUT
    [stub] = socat_emulator.receipts
    assert not stub.complete


def _print_while_unplugging(
    printer: EscposPrinter, emulator: PrinterEmulator, unplug: Callable[[], None]
) -> PrinterError:
    with ThreadPoolExecutor(1) as pool:
        printing = pool.submit(printer.print_receipt, golden_receipt("ro"))
        # The status query and a first part of the receipt have arrived; the
        # rest is still on the slow line.
        assert emulator.wait_for_bytes(200, timeout=5.0) >= 200
        unplug()
        with pytest.raises(PrinterError) as caught:
            printing.result(timeout=10.0)
    return caught.value


def test_killing_socat_mid_print_fails_it_and_a_new_pair_prints_again(
    socat_pair: SocatPair, socat_emulator: PrinterEmulator, socat_printer: EscposPrinter
) -> None:
    socat_emulator.baud_limit = SLOW_BAUD
    error = _print_while_unplugging(socat_printer, socat_emulator, socat_pair.stop)
    assert error.status is PrinterStatus.OFFLINE
    # socat had already carried the whole receipt into the printer end's
    # buffer, so the emulator may still print it, as a printer prints what
    # reached it before the cable came out; the kiosk rightly does not count
    # it as printed, since it never heard the confirmation.
    socat_emulator.unplug()
    printed_before = len(socat_emulator.receipts)

    socat_pair.start()  # a new pair on the same link paths
    socat_emulator.baud_limit = None
    socat_emulator.plug()
    socat_printer.print_receipt(golden_receipt("ro"))  # the same driver object
    assert len(socat_emulator.receipts) == printed_before + 1
    assert socat_emulator.receipts[-1].complete


def test_unplugging_the_emulator_mid_print_fails_it_and_replugging_prints_again(
    emulator: PrinterEmulator,
) -> None:
    printer = EscposPrinter(emulator.port, SLOW_BAUD, emulator.profile)
    try:
        emulator.baud_limit = SLOW_BAUD
        error = _print_while_unplugging(printer, emulator, emulator.unplug)
        assert error.status is PrinterStatus.OFFLINE
        assert emulator.receipts == []

        emulator.baud_limit = None
        emulator.plug()
        printer.print_receipt(golden_receipt("hu"))
        assert [r.complete for r in emulator.receipts] == [True]
    finally:
        printer.close()


def test_a_pair_restarted_while_idle_prints_at_the_first_try(
    socat_pair: SocatPair, socat_emulator: PrinterEmulator, socat_printer: EscposPrinter
) -> None:
    assert socat_printer.status() is PrinterStatus.READY
    socat_pair.stop()
    socat_pair.start()
    socat_emulator.plug()
    socat_printer.print_receipt(golden_receipt("hu"))
    assert [r.complete for r in socat_emulator.receipts] == [True]


def test_the_emulated_qr_code_scans_back_to_its_payload() -> None:
    cv2 = pytest.importorskip("cv2")
    np = pytest.importorskip("numpy")
    [qr] = [
        item.image
        for item in _printed(golden_path("ro").read_bytes()).items
        if isinstance(item, PrintedImage)
    ]
    page = ImageOps.expand(qr.convert("L"), border=24, fill=255)
    decoded, _, _ = cv2.QRCodeDetector().detectAndDecode(np.asarray(page))
    assert decoded.encode() == QR_PAYLOAD


def test_the_emulator_command_can_serve_an_existing_tty() -> None:
    parser = argparse.ArgumentParser(prog="kiosk")
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        ["printer-emulator", "--device", "/tmp/ttyPRINTER", "--baud-limit", "9600"]
    )
    assert args.device == Path("/tmp/ttyPRINTER")
    assert args.link is None
    assert args.baud_limit == 9600
    with pytest.raises(SystemExit):
        parser.parse_args(["printer-emulator", "--device", "/a", "--link", "/b"])
