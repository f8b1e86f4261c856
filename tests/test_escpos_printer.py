from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_settings
from kiosk.hardware.escpos_interpreter import EscPosInterpreter
from kiosk.hardware.escpos_printer import STATUS_TIMEOUT_S, EscposPrinter, PortState
from kiosk.hardware.factory import make_printer
from kiosk.hardware.printer import PrinterError, PrinterStatus
from kiosk.hardware.printer_emulator import PrinterEmulator, add_parser
from kiosk.hardware.printer_profiles import get_profile
from kiosk.receipt import Receipt
from tests import printer_fixtures

# The shared fixtures, made visible to pytest in this module.
emulator = printer_fixtures.emulator
escpos_printer = printer_fixtures.escpos_printer
receipt = printer_fixtures.receipt


def test_a_ready_printer_reports_ready(escpos_printer: EscposPrinter) -> None:
    assert escpos_printer.status() is PrinterStatus.READY


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("paper_low", PrinterStatus.PAPER_LOW),
        ("paper_out", PrinterStatus.PAPER_OUT),
        ("cover_open", PrinterStatus.COVER_OPEN),
    ],
)
def test_each_fault_of_the_emulator_is_read_as_its_status(
    emulator: PrinterEmulator,
    escpos_printer: EscposPrinter,
    fault: str,
    expected: PrinterStatus,
) -> None:
    setattr(emulator.faults, fault, True)
    assert escpos_printer.status() is expected


def test_silence_is_not_answering_within_the_bounded_time(
    emulator: PrinterEmulator, escpos_printer: EscposPrinter
) -> None:
    emulator.faults.answering = False
    started = time.monotonic()
    status = escpos_printer.status()
    elapsed = time.monotonic() - started
    assert status is PrinterStatus.NOT_ANSWERING
    assert STATUS_TIMEOUT_S <= elapsed < STATUS_TIMEOUT_S + 0.2


def test_a_full_receipt_arrives_with_romanian_and_hungarian_letters(
    emulator: PrinterEmulator, escpos_printer: EscposPrinter, receipt: Receipt
) -> None:
    escpos_printer.print_receipt(receipt)
    [printed] = emulator.receipts
    text = printed.text(emulator.profile.chars_per_line)
    assert printed.complete
    assert "Înregistrare ştampilă, ţară" in text
    assert "Păstraţi această chitanţă." in text
    assert "Ődön Győző ű" in text
    assert "Număr tichet:" in text
    assert "[QR antonia:ticket:demo-kiosk:A017]" in text
    assert not set("șțȘȚ?") & set(text)
    assert emulator.interpreter.unknown_commands == 0


def test_the_emulator_writes_text_and_png_for_each_receipt(
    emulator: PrinterEmulator, escpos_printer: EscposPrinter, receipt: Receipt
) -> None:
    escpos_printer.print_receipt(receipt)
    assert emulator.out_dir is not None
    png = emulator.out_dir / "receipt-0001.png"
    assert png.read_bytes().startswith(b"\x89PNG")
    txt = (emulator.out_dir / "receipt-0001.txt").read_text(encoding="utf-8")
    assert "ţară" in txt


def test_printing_logs_one_info_line(
    escpos_printer: EscposPrinter, receipt: Receipt, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="kiosk.hardware.escpos_printer"):
        escpos_printer.print_receipt(receipt)
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        "Printer port open",
        "Receipt printed",
    ]


def test_paper_out_before_printing_prints_nothing(
    emulator: PrinterEmulator, escpos_printer: EscposPrinter, receipt: Receipt
) -> None:
    emulator.faults.paper_out = True
    with pytest.raises(PrinterError) as caught:
        escpos_printer.print_receipt(receipt)
    assert caught.value.status is PrinterStatus.PAPER_OUT
    assert emulator.receipts == []
    assert emulator.interpreter.dropped_bytes == 0


def test_paper_running_out_mid_receipt_raises_printer_error(
    emulator: PrinterEmulator, escpos_printer: EscposPrinter, receipt: Receipt
) -> None:
    emulator.faults.lines_left = 5
    started = time.monotonic()
    with pytest.raises(PrinterError) as caught:
        escpos_printer.print_receipt(receipt)
    assert time.monotonic() - started < 1.0
    assert caught.value.status is PrinterStatus.PAPER_OUT
    [stub] = emulator.receipts
    assert not stub.complete
    assert escpos_printer.status() is PrinterStatus.PAPER_OUT


def test_an_unplugged_printer_is_offline_and_recovers_when_plugged_back(
    emulator: PrinterEmulator, escpos_printer: EscposPrinter, receipt: Receipt
) -> None:
    assert escpos_printer.status() is PrinterStatus.READY
    emulator.unplug()
    assert escpos_printer.status() is PrinterStatus.OFFLINE
    assert escpos_printer.state is PortState.CLOSED
    assert escpos_printer.status() is PrinterStatus.OFFLINE
    with pytest.raises(PrinterError) as caught:
        escpos_printer.print_receipt(receipt)
    assert caught.value.status is PrinterStatus.OFFLINE

    emulator.plug()
    assert escpos_printer.status() is PrinterStatus.READY
    escpos_printer.print_receipt(receipt)
    assert len(emulator.receipts) == 1


def test_a_closed_driver_refuses_work_with_a_sentence(
    escpos_printer: EscposPrinter,
) -> None:
    escpos_printer.close()
    with pytest.raises(RuntimeError, match="was closed"):
        escpos_printer.status()


def test_the_interpreter_skips_and_counts_unknown_commands() -> None:
    interpreter = EscPosInterpreter(get_profile("TM-T20II"))
    reply = interpreter.feed(b"\x1b\xfeAB\n\x10\x04\x01")
    assert reply == b"\x12"
    assert interpreter.unknown_commands == 1


def test_the_factory_builds_the_escpos_driver_from_settings(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        '[printer]\ndriver = "escpos"\nport = "loop://"\nprofile = "TM-T88V"\n',
        encoding="utf-8",
    )
    printer = make_printer(load_settings(config, tmp_path))
    try:
        assert isinstance(printer, EscposPrinter)
        assert printer.profile.name == "TM-T88V"
    finally:
        printer.close()


def test_the_factory_names_the_key_of_an_unknown_profile(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        '[printer]\ndriver = "escpos"\nport = "loop://"\nprofile = "TM-X1"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="printer.profile"):
        make_printer(load_settings(config, tmp_path))


def test_the_emulator_command_parses_its_options() -> None:
    parser = argparse.ArgumentParser(prog="kiosk")
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        ["printer-emulator", "--link", "/tmp/ttyP", "--run-out-after", "12"]
    )
    assert args.link == Path("/tmp/ttyP")
    assert args.run_out_after == 12
    assert args.profile == "TM-T20II"


def test_a_garbage_port_is_offline_with_one_warning_and_no_traceback(
    receipt: Receipt, caplog: pytest.LogCaptureFixture
) -> None:
    printer = EscposPrinter("garbage://x", 19200, get_profile("TM-T88V"))
    try:
        assert printer.status() is PrinterStatus.OFFLINE
        with pytest.raises(PrinterError) as info:
            printer.print_receipt(receipt)
        assert printer.status() is PrinterStatus.OFFLINE
    finally:
        printer.close()
    assert info.value.status is PrinterStatus.OFFLINE
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "garbage://x" in warnings[0].getMessage()
    assert "\n" not in warnings[0].getMessage()
    assert all(r.exc_info is None for r in caplog.records)


def test_the_settings_refuse_a_garbage_printer_port(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        '[printer]\ndriver = "escpos"\nport = "garbage://x"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="printer.port") as info:
        load_settings(config, tmp_path)
    assert "garbage://x" in str(info.value) and "socket://" in str(info.value)
