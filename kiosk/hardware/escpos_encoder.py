"""Receipts to ESC/POS bytes and status bytes to PrinterStatus: pure, no I/O.

Text rules, applied in this order to everything printed on one receipt:

1. Compose decomposed letters (Unicode NFC), so "s" + U+0326 is one letter.
2. Map the Romanian comma-below letters ș ț Ș Ț to the cedilla forms
   ş ţ Ş Ţ: no ESC/POS code table holds the comma-below forms.
3. Pick ONE code table for the whole receipt: the first table of the
   printer's profile that holds every character; if none does, the table
   that holds the most of them (ties go to the profile's order).
4. Transliterate each character the chosen table lacks: strip its accents
   (NFKD without combining marks), else use a small table of look-alikes
   (ł→l, ß→ss, typographic quotes and dashes, €→EUR), else print the
   visible placeholder ``_``. A "?" is never substituted silently.
"""

from __future__ import annotations

import io
import logging
import textwrap
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import segno
from escpos.printer import Dummy
from PIL import Image

from kiosk.hardware.printer import PrinterStatus
from kiosk.hardware.printer_profiles import PrinterProfile
from kiosk.receipt import Receipt

logger = logging.getLogger(__name__)

PLACEHOLDER = "_"
"""Printed for a character that no table holds and no rule folds."""

COMMA_BELOW_TO_CEDILLA = str.maketrans(
    {"\u0219": "\u015f", "\u021b": "\u0163", "\u0218": "\u015e", "\u021a": "\u0162"}
)
"""ș ț Ș Ț to ş ţ Ş Ţ."""

LOOKALIKES: dict[str, str] = {
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    "ß": "ss",
    "ø": "o",
    "Ø": "O",
    "æ": "ae",
    "Æ": "AE",
    "œ": "oe",
    "Œ": "OE",
    "„": '"',
    "“": '"',
    "”": '"',
    "«": '"',
    "»": '"',
    "‘": "'",
    "’": "'",
    "‚": "'",
    "–": "-",
    "—": "-",
    "…": "...",
    "€": "EUR",
    "\u00a0": " ",
}
"""Step 3 of the transliteration: characters accent-stripping cannot fold."""

CODECS: dict[str, str] = {
    "CP437": "cp437",
    "CP850": "cp850",
    "CP852": "cp852",
    "CP858": "cp858",
    "CP1250": "cp1250",
    "ISO_8859-2": "iso8859_2",
}
"""Python codec of each code table a profile may list."""

DLE_EOT_PRINTER = b"\x10\x04\x01"
DLE_EOT_OFFLINE_CAUSE = b"\x10\x04\x02"
DLE_EOT_PAPER = b"\x10\x04\x04"
STATUS_QUERY = DLE_EOT_PRINTER + DLE_EOT_OFFLINE_CAUSE + DLE_EOT_PAPER
"""The three real-time status requests; the printer answers one byte each."""
PRINT_CONFIRM_REQUEST = b"\x1dr\x01"
"""GS r 1: answered only once everything sent before it is printed."""

_QR_MODULE_DOTS = 6


@dataclass(frozen=True)
class EncodedReceipt:
    """The bytes of one receipt and how its text was encoded."""

    data: bytes
    code_table: str
    substitutions: dict[str, str] = field(default_factory=dict)
    """Characters the table lacks, and what was printed instead."""


def prepare_text(text: str) -> str:
    """Steps 1 and 2 of the text rules: NFC, then comma-below to cedilla."""
    return unicodedata.normalize("NFC", text).translate(COMMA_BELOW_TO_CEDILLA)


def choose_code_table(text: str, tables: tuple[str, ...]) -> str:
    """Step 3: the one code table for this (prepared) text."""
    if not tables:
        raise ValueError("the printer profile lists no code tables")
    chars = set(text)
    missing = [len([c for c in chars if not _encodable(c, t)]) for t in tables]
    return tables[missing.index(min(missing))]


def transliterate(char: str, table: str) -> str:
    """Step 4: what to print for ``char``, which ``table`` does not hold."""
    stripped = "".join(
        c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
    )
    if stripped and all(_encodable(c, table) for c in stripped):
        return stripped
    lookalike = LOOKALIKES.get(char)
    if lookalike is not None and all(_encodable(c, table) for c in lookalike):
        return lookalike
    return PLACEHOLDER


def encode_text(text: str, table: str) -> tuple[bytes, dict[str, str]]:
    """Prepared text in ``table``, with the substitutions that were made."""
    codec = CODECS[table]
    out = bytearray()
    substitutions: dict[str, str] = {}
    for char in text:
        try:
            out += char.encode(codec)
        except UnicodeEncodeError:
            replacement = transliterate(char, table)
            substitutions[char] = replacement
            out += replacement.encode(codec)
    return bytes(out), substitutions


def encode_receipt(receipt: Receipt, profile: PrinterProfile) -> EncodedReceipt:
    """The whole receipt as ESC/POS bytes for a printer of ``profile``."""
    width = profile.chars_per_line
    blocks = _layout(receipt, width)
    table = choose_code_table("".join(t for _, t in blocks), profile.code_tables)
    printer = _vocabulary(profile)
    printer.hw("INIT")
    printer._raw(b"\x1bt" + bytes([_table_number(printer, table)]))
    substitutions: dict[str, str] = {}
    for style, text in blocks:
        printer.set(**_STYLES[style])
        data, subs = encode_text(text, table)
        substitutions.update(subs)
        printer._raw(data)
    printer.set(align="center", normal_textsize=True, bold=False)
    if profile.native_qr:
        printer.qr(receipt.qr_payload, size=_QR_MODULE_DOTS, native=True)
    else:
        printer.image(_qr_image(receipt.qr_payload, profile.width_px))
    printer.set(align="left")
    if profile.cutter:
        printer.cut()
    else:
        printer._raw(b"\n" * 6)
    if substitutions:
        logger.info(
            "Receipt text transliterated: ticket=%s table=%s chars=%s",
            receipt.ticket,
            table,
            "".join(sorted(substitutions)),
        )
    return EncodedReceipt(bytes(printer.output), table, substitutions)


def is_status_reply(byte: int) -> bool:
    """True if ``byte`` has the fixed bits of a DLE EOT reply (0xx1xx10)."""
    return byte & 0x93 == 0x12


def decode_status(printer: int, offline_cause: int, paper: int) -> PrinterStatus:
    """The status from the replies to DLE EOT 1, 2 and 4."""
    if offline_cause & 0x04:
        return PrinterStatus.COVER_OPEN
    if paper & 0x60 or offline_cause & 0x20:
        return PrinterStatus.PAPER_OUT
    if printer & 0x08 or offline_cause & 0x40:
        return PrinterStatus.OFFLINE
    if paper & 0x0C:
        return PrinterStatus.PAPER_LOW
    return PrinterStatus.READY


_STYLES: dict[str, dict[str, Any]] = {
    "title": {"align": "center", "bold": True, "double_height": True},
    "ticket": {
        "align": "center",
        "bold": True,
        "double_height": True,
        "double_width": True,
    },
    "label": {"align": "left", "bold": True, "normal_textsize": True},
    "body": {"align": "left", "bold": False, "normal_textsize": True},
}


def _layout(receipt: Receipt, width: int) -> list[tuple[str, str]]:
    def wrap(text: str, cols: int, indent: str = "") -> str:
        lines = textwrap.wrap(
            prepare_text(text),
            cols,
            initial_indent=indent,
            subsequent_indent=indent,
            break_on_hyphens=False,
        )
        return "".join(line + "\n" for line in lines)

    blocks = [
        ("title", wrap(receipt.title, width)),
        ("body", "=" * width + "\n"),
        ("ticket", wrap(receipt.ticket, width // 2)),
    ]
    for label, value in receipt.lines:
        blocks.append(("label", wrap(f"{label}:", width)))
        blocks.append(("body", wrap(value, width, indent="  ")))
    blocks.append(("body", "-" * width + "\n"))
    blocks.append(("body", wrap(receipt.footer, width) + "\n"))
    return blocks


def _vocabulary(profile: PrinterProfile) -> Any:
    # python-escpos's Dummy printer only collects bytes: it is the ESC/POS
    # vocabulary here, never a device.
    return Dummy(profile=profile.escpos_profile)


def _table_number(printer: Any, table: str) -> int:
    return int(printer.profile.get_code_pages()[table])


def _encodable(char: str, table: str) -> bool:
    try:
        char.encode(CODECS[table])
    except UnicodeEncodeError:
        return False
    return True


def _qr_image(payload: str, width_px: int) -> Image.Image:
    buffer = io.BytesIO()
    segno.make_qr(payload, error="l").save(
        buffer, kind="png", scale=_QR_MODULE_DOTS, border=2
    )
    buffer.seek(0)
    qr = Image.open(buffer).convert("1")
    # Centred by hand: not every model applies ESC a to raster images.
    line = Image.new("1", (width_px, qr.height), color=1)
    line.paste(qr, ((width_px - qr.width) // 2, 0))
    return line
