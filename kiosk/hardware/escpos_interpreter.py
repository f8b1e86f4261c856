"""An ESC/POS interpreter: the logic of the printer emulator, without any port.

It takes the bytes a host sends, prints what a thermal receipt printer would
print (text lines and images, collected into receipts at each cut), answers
the status queries and can play the faults a kiosk meets: paper near end,
paper out, cover open, a printer that does not answer, and a roll that runs
out after a number of lines.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import segno
from escpos.capabilities import get_profile as get_escpos_profile
from PIL import Image

from kiosk.hardware.escpos_encoder import CODECS
from kiosk.hardware.printer_profiles import PrinterProfile

logger = logging.getLogger(__name__)

ESC = 0x1B
GS = 0x1D
DLE = 0x10
LF = 0x0A

_ESC_ONE_ARG = frozenset(b"-3EGJMSTVadtU{")
"""ESC commands followed by exactly one parameter byte (ESC 2 takes none)."""
_GS_ONE_ARG = frozenset(b"!BbHfhwaLWr")
"""GS commands followed by one parameter byte (GS L and GS W take two)."""
_QR_EC_LEVELS = {48: "l", 49: "m", 50: "q", 51: "h"}


@dataclass(frozen=True)
class PrintedLine:
    """One line of text as it came out of the printer."""

    text: str
    align: int
    """0 left, 1 centre, 2 right."""
    bold: bool
    width: int
    """Character width multiplier, 1 to 8."""
    height: int
    """Character height multiplier, 1 to 8."""


@dataclass(frozen=True)
class PrintedImage:
    """A raster image or a QR code as it came out of the printer."""

    image: Image.Image
    label: str
    """How the text rendering shows it, e.g. "[QR antonia:ticket:...]"."""


@dataclass
class PrintedReceipt:
    """What came out between two cuts."""

    items: list[PrintedLine | PrintedImage] = field(default_factory=list)
    complete: bool = False
    """True if it ended with a cut; False if the paper ran out before."""

    def text(self, columns: int) -> str:
        """The receipt as plain text, aligned in ``columns`` columns."""
        out: list[str] = []
        for item in self.items:
            if isinstance(item, PrintedImage):
                out.append(item.label.center(columns).rstrip())
                continue
            cols = max(1, columns // item.width)
            aligners = (str.ljust, str.center, str.rjust)
            out.append(aligners[min(item.align, 2)](item.text, cols).rstrip())
        return "\n".join(out) + "\n"


@dataclass
class PrinterFaults:
    """The faults the emulated printer plays; change them at any time."""

    paper_low: bool = False
    paper_out: bool = False
    cover_open: bool = False
    answering: bool = True
    """False: the printer ignores everything, as if switched off."""
    lines_left: int | None = None
    """Lines of paper left on the roll; None means plenty."""


class EscPosInterpreter:
    """Feeds on host bytes, returns the printer's replies, collects receipts."""

    def __init__(
        self,
        profile: PrinterProfile,
        on_receipt: Callable[[PrintedReceipt], None] | None = None,
    ) -> None:
        self.profile = profile
        self.faults = PrinterFaults()
        self.unknown_commands = 0
        """Bytes skipped because they started no command known here."""
        self.dropped_bytes = 0
        """Bytes ignored while switched off or out of paper."""
        self._on_receipt = on_receipt
        self._lock = threading.Lock()
        self._buffer = bytearray()
        self._tables = {
            int(number): name
            for name, number in get_escpos_profile(profile.escpos_profile)
            .get_code_pages()
            .items()
        }
        self._qr_data = b""
        self._qr_module = 3
        self._qr_ec = "l"
        self._receipt = PrintedReceipt()
        self._reset()

    def feed(self, data: bytes) -> bytes:
        """Process bytes from the host; returns the bytes the printer sends back."""
        with self._lock:
            if not self.faults.answering:
                self.dropped_bytes += len(data)
                return b""
            self._buffer += data
            replies = bytearray()
            while self._buffer:
                used = self._step(replies)
                if used == 0:
                    break
                del self._buffer[:used]
            return bytes(replies)

    def status_byte(self, n: int) -> int:
        """The reply to DLE EOT ``n``."""
        faults = self.faults
        offline = faults.paper_out or faults.cover_open
        if n == 1:
            return 0x12 | (0x08 if offline else 0)
        if n == 2:
            value = 0x12
            value |= 0x04 if faults.cover_open else 0
            value |= 0x20 if faults.paper_out else 0
            return value
        if n == 4:
            value = 0x12
            value |= 0x0C if faults.paper_low else 0
            value |= 0x60 if faults.paper_out else 0
            return value
        return 0x12

    # -- parsing ----------------------------------------------------------

    def _step(self, replies: bytearray) -> int:
        buf = self._buffer
        first = buf[0]
        if first == DLE:
            return self._dle(replies)
        if first == ESC:
            return self._esc()
        if first == GS:
            return self._gs(replies)
        if first == LF:
            self._print_line()
            return 1
        if first < 0x20:
            return 1
        end = 1
        while end < len(buf) and buf[end] >= 0x20:
            end += 1
        self._add_text(bytes(buf[:end]))
        return end

    def _dle(self, replies: bytearray) -> int:
        if len(self._buffer) < 3:
            return 0
        if self._buffer[1] == 0x04:
            replies.append(self.status_byte(self._buffer[2]))
            return 3
        return self._unknown()

    def _esc(self) -> int:
        buf = self._buffer
        if len(buf) < 2:
            return 0
        command = buf[1]
        if command == ord("@"):
            self._reset()
            return 2
        if command == ord("2"):
            return 2
        if command not in _ESC_ONE_ARG and command != ord("!"):
            return self._unknown()
        if len(buf) < 3:
            return 0
        self._esc_arg(command, buf[2])
        return 3

    def _esc_arg(self, command: int, arg: int) -> None:
        if command == ord("!"):
            self._bold = bool(arg & 0x08)
            self._height = 2 if arg & 0x10 else 1
            self._width = 2 if arg & 0x20 else 1
        elif command == ord("E"):
            self._bold = bool(arg & 0x01)
        elif command == ord("a"):
            self._align = arg - 48 if arg >= 48 else arg
        elif command == ord("t"):
            self._table = arg
        elif command == ord("d"):
            self._print_line()
            for _ in range(arg - 1):
                self._print_line()

    def _gs(self, replies: bytearray) -> int:
        buf = self._buffer
        if len(buf) < 2:
            return 0
        command = buf[1]
        if command == ord("V"):
            return self._cut()
        if command == ord("("):
            return self._gs_paren()
        if command == ord("v"):
            return self._raster()
        if command in b"LW":
            return 4 if len(buf) >= 4 else 0
        if command not in _GS_ONE_ARG:
            return self._unknown()
        if len(buf) < 3:
            return 0
        arg = buf[2]
        if command == ord("!"):
            self._width = min(8, (arg >> 4) + 1)
            self._height = min(8, (arg & 0x0F) + 1)
        elif command == ord("r") and not self._offline():
            replies.append(self._paper_sensor())
        return 3

    def _gs_paren(self) -> int:
        buf = self._buffer
        if len(buf) < 5:
            return 0
        size = buf[3] | buf[4] << 8
        if len(buf) < 5 + size:
            return 0
        if buf[2] == ord("k") and size >= 2 and buf[5] == 0x31:
            self._qr(buf[6], bytes(buf[7 : 5 + size]))
        return 5 + size

    def _qr(self, function: int, params: bytes) -> None:
        if function == 0x43 and params:
            self._qr_module = max(1, params[0])
        elif function == 0x45 and params:
            self._qr_ec = _QR_EC_LEVELS.get(params[0], "l")
        elif function == 0x50:
            self._qr_data = params[1:]
        elif function == 0x51 and self._qr_data:
            payload = self._qr_data.decode("utf-8", errors="replace")
            self._add_image(self._qr_image(), f"[QR {payload}]")

    def _qr_image(self) -> Image.Image:
        # Any of the eight masks gives a valid code; fixing one spares the
        # search for the best, most of the time spent here, which would
        # otherwise delay the reply to GS r 1 like a slow mechanism.
        qr = segno.make_qr(self._qr_data, error=self._qr_ec, mask=0)
        rows = [bytes(0 if dark else 255 for dark in row) for row in qr.matrix]
        side = len(rows)
        image = Image.frombytes("L", (side, side), b"".join(rows))
        scaled = side * self._qr_module
        return image.resize((scaled, scaled), Image.Resampling.NEAREST).convert("1")

    def _raster(self) -> int:
        buf = self._buffer
        if len(buf) < 8:
            return 0
        row_bytes = buf[4] | buf[5] << 8
        rows = buf[6] | buf[7] << 8
        end = 8 + row_bytes * rows
        if len(buf) < end:
            return 0
        if buf[2] in (0x30, 0x00) and row_bytes and rows:
            data = bytes(b ^ 0xFF for b in buf[8:end])
            image = Image.frombytes("1", (row_bytes * 8, rows), data)
            self._add_image(image, f"[image {row_bytes * 8}x{rows}]")
        return end

    def _cut(self) -> int:
        buf = self._buffer
        if len(buf) < 3:
            return 0
        used = 4 if buf[2] in (65, 66) else 3
        if len(buf) < used:
            return 0
        if not self._offline():
            self._finish(complete=True)
        return used

    def _unknown(self) -> int:
        self.unknown_commands += 1
        logger.debug("emulator.unknown byte=0x%02x", self._buffer[0])
        return 1

    # -- printing ---------------------------------------------------------

    def _reset(self) -> None:
        self._bold = False
        self._width = 1
        self._height = 1
        self._align = 0
        self._table = 0
        self._line: list[str] = []

    def _offline(self) -> bool:
        return self.faults.paper_out or self.faults.cover_open

    def _paper_sensor(self) -> int:
        # GS r 1: bits 0-1 near end, bits 2-3 paper end; bit 4 is always 0,
        # which keeps the reply apart from a DLE EOT reply.
        value = 0x03 if self.faults.paper_low else 0
        return value | (0x0C if self.faults.paper_out else 0)

    def _add_text(self, data: bytes) -> None:
        if self._offline():
            self.dropped_bytes += len(data)
            return
        name = self._tables.get(self._table, "CP437")
        self._line.append(data.decode(CODECS.get(name, "cp437"), errors="replace"))

    def _print_line(self) -> None:
        if self._offline():
            return
        line = PrintedLine(
            "".join(self._line), self._align, self._bold, self._width, self._height
        )
        self._line = []
        self._receipt.items.append(line)
        self._use_paper(line.height)

    def _add_image(self, image: Image.Image, label: str) -> None:
        if self._offline():
            return
        self._receipt.items.append(PrintedImage(image, label))
        self._use_paper(max(1, image.height // 30))

    def _use_paper(self, lines: int) -> None:
        faults = self.faults
        if faults.lines_left is None:
            return
        faults.lines_left = max(0, faults.lines_left - lines)
        if faults.lines_left == 0:
            logger.info("Emulated printer ran out of paper mid-receipt")
            faults.paper_out = True
            self._finish(complete=False)

    def _finish(self, complete: bool) -> None:
        if self._line:
            self._print_line()
        receipt, self._receipt = self._receipt, PrintedReceipt()
        receipt.complete = complete
        if self._on_receipt is not None:
            self._on_receipt(receipt)
