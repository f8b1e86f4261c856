"""The printer's settings reach the drivers; receipts take the model's width."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from PIL import Image

from kiosk.config import PrinterSettings, load_settings
from kiosk.hardware.escpos_printer import (
    PRINT_TIMEOUT_S,
    STATUS_TIMEOUT_S,
    EscposPrinter,
)
from kiosk.hardware.factory import make_printer
from kiosk.hardware.printer_profiles import DEFAULT_PROFILE, get_profile
from kiosk.hardware.simulated_printer import SimulatedPrinter
from kiosk.receipt import RECEIPT_WIDTH_CHARS
from tests.printer_fixtures import golden_receipt


def test_the_timeout_defaults_of_the_settings_are_the_drivers() -> None:
    defaults = PrinterSettings()
    assert defaults.status_timeout_s == STATUS_TIMEOUT_S
    assert defaults.print_timeout_s == PRINT_TIMEOUT_S


def test_the_factory_hands_the_timeouts_to_the_escpos_driver(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        '[printer]\ndriver = "escpos"\nport = "loop://"\n'
        "status_timeout_s = 0.5\nprint_timeout_s = 12\n",
        encoding="utf-8",
    )
    printer = make_printer(load_settings(config, tmp_path))
    try:
        assert isinstance(printer, EscposPrinter)
        assert printer.status_timeout_s == 0.5
        assert printer.print_timeout_s == 12.0
    finally:
        printer.close()


def test_plain_text_receipts_are_as_wide_as_the_default_model_prints() -> None:
    assert RECEIPT_WIDTH_CHARS == get_profile(DEFAULT_PROFILE).chars_per_line == 48


def test_the_simulated_printer_lays_out_at_the_configured_models_width(
    tmp_path: Path,
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('[printer]\nprofile = "TM-T88V"\n', encoding="utf-8")
    printer = make_printer(load_settings(config, tmp_path))
    assert isinstance(printer, SimulatedPrinter)
    receipt = golden_receipt("ro")

    printer.print_receipt(receipt)

    folder = tmp_path / "receipts"
    lines = (folder / f"{receipt.ticket}.txt").read_text(encoding="utf-8")
    assert max(len(line) for line in lines.splitlines()) == 42
    with Image.open(folder / f"{receipt.ticket}.png") as image:
        assert image.width == get_profile("TM-T88V").width_px


def test_a_full_line_of_the_default_model_stays_on_the_paper(tmp_path: Path) -> None:
    printer = SimulatedPrinter(tmp_path)
    receipt = golden_receipt("hu")

    printer.print_receipt(receipt)

    with Image.open(tmp_path / f"{receipt.ticket}.png") as image:
        dark = image.convert("L").point(lambda v: 255 if v < 128 else 0)
    assert dark.width == 576
    # The second text line is the "=" rule, 48 characters: it spans nearly
    # all the paper, and the margins left and right are even.
    rule = dark.crop((0, 12 + 26, dark.width, 12 + 2 * 26)).getbbox()
    assert rule is not None
    left, right = rule[0], dark.width - rule[2]
    assert rule[2] - rule[0] >= 0.9 * dark.width
    assert abs(left - right) <= 4


def test_the_simulated_printer_keeps_only_the_latest_receipts(tmp_path: Path) -> None:
    # A receipt left by an earlier run counts too: it is the oldest.
    (tmp_path / "OLD-1.txt").write_text("earlier run\n", encoding="utf-8")
    (tmp_path / "OLD-1.png").write_bytes(b"png")
    os.utime(tmp_path / "OLD-1.txt", ns=(0, 0))
    printer = SimulatedPrinter(tmp_path, keep=3)
    template = golden_receipt("en")

    tickets = [f"A-{n:05d}" for n in range(1, 6)]
    for ticket in tickets:
        printer.print_receipt(replace(template, ticket=ticket))

    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        f"{ticket}.{ext}" for ticket in tickets[-3:] for ext in ("txt", "png")
    )
    assert list(printer.printed) == tickets[-3:]
    assert printer.printed_count == 5
