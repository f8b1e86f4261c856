"""A simulated receipt printer that saves each receipt as text and PNG.

The demo mode and the tests use it in place of a real printer. It can be put
in any status to rehearse faults (paper out, cover open, not answering).
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

from kiosk.hardware.printer import PrinterError, PrinterStatus
from kiosk.receipt import Receipt

logger = logging.getLogger(__name__)

_FONT_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
_FONT_SIZE_PX = 20
_PAPER_WIDTH_PX = 576
"""Printable width of an 80 mm receipt at 203 dpi."""
_MARGIN_PX = 12


class SimulatedPrinter:
    """Writes ``<ticket>.txt`` and ``<ticket>.png`` into an output folder."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.simulated_status = PrinterStatus.READY
        """Set this to rehearse a fault; the next status() reports it."""
        self.printed: list[str] = []
        """Tickets printed since start, oldest first."""

    def status(self) -> PrinterStatus:
        """The simulated status."""
        return self.simulated_status

    def print_receipt(self, receipt: Receipt) -> None:
        """Render the receipt to files, unless the simulated status forbids it."""
        if not self.simulated_status.can_print:
            raise PrinterError(self.simulated_status, "simulated fault")
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            text = receipt.as_text()
            (self.out_dir / f"{receipt.ticket}.txt").write_text(text, encoding="utf-8")
            render_png(text, receipt.qr_payload).save(
                self.out_dir / f"{receipt.ticket}.png"
            )
        except OSError as exc:
            raise PrinterError(PrinterStatus.OFFLINE, f"cannot save: {exc}") from exc
        self.printed.append(receipt.ticket)
        logger.info("Receipt printed (simulated): ticket=%s", receipt.ticket)

    def close(self) -> None:
        """Nothing to release."""


def render_png(text: str, qr_payload: str) -> Image.Image:
    """Draw receipt text and its QR code the way a thermal printer would."""
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    if _FONT_PATH.exists():
        font = ImageFont.truetype(str(_FONT_PATH), _FONT_SIZE_PX)
    else:
        font = ImageFont.load_default(size=_FONT_SIZE_PX)
    lines = text.splitlines()
    line_height = _FONT_SIZE_PX + 6
    qr_buffer = io.BytesIO()
    segno.make_qr(qr_payload, error="m").save(qr_buffer, kind="png", scale=6, border=2)
    qr_buffer.seek(0)
    qr = Image.open(qr_buffer).convert("L")
    height = 2 * _MARGIN_PX + line_height * len(lines) + qr.height + _MARGIN_PX
    image = Image.new("L", (_PAPER_WIDTH_PX, height), color=255)
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(lines):
        draw.text((_MARGIN_PX, _MARGIN_PX + row * line_height), line, font=font, fill=0)
    qr_top = _MARGIN_PX + line_height * len(lines) + _MARGIN_PX
    image.paste(qr, ((_PAPER_WIDTH_PX - qr.width) // 2, qr_top))
    return image
