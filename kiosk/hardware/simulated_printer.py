"""A simulated receipt printer that saves each receipt as text and PNG.

The demo mode and the tests use it in place of a real printer. It can be put
in any status to rehearse faults (paper out, cover open, not answering).
A demo kiosk runs for months: only the latest receipts are kept on disk and
in memory, as a real roll only holds so much paper.
"""

from __future__ import annotations

import io
import logging
import os
from collections import deque
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

from kiosk.hardware.printer import PrinterError, PrinterStatus
from kiosk.hardware.printer_profiles import DEFAULT_PROFILE, PrinterProfile, get_profile
from kiosk.receipt import Receipt

logger = logging.getLogger(__name__)

_FONT_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
_FONT_SIZE_PX = 20
"""Largest font size tried; DejaVu Sans Mono at 20 px advances 12 px."""
_MARGIN_PX = 12
KEEP_RECEIPTS = 200
"""Receipts kept in the output folder; older ones are deleted."""


class SimulatedPrinter:
    """Writes ``<ticket>.txt`` and ``<ticket>.png`` into an output folder."""

    def __init__(
        self,
        out_dir: Path,
        profile: PrinterProfile | None = None,
        keep: int = KEEP_RECEIPTS,
    ) -> None:
        if keep < 1:
            raise ValueError(f"keep must be at least 1, not {keep}")
        self.out_dir = out_dir
        self.keep = keep
        self.profile = profile or get_profile(DEFAULT_PROFILE)
        """The model whose line width and paper width the receipts take."""
        self.simulated_status = PrinterStatus.READY
        """Set this to rehearse a fault; the next status() reports it."""
        self.printed: deque[str] = deque(maxlen=keep)
        """The latest tickets printed since start, oldest first."""
        self.printed_count = 0
        """Receipts printed since start."""

    def status(self) -> PrinterStatus:
        """The simulated status."""
        return self.simulated_status

    def print_receipt(self, receipt: Receipt) -> None:
        """Render the receipt to files, unless the simulated status forbids it."""
        if not self.simulated_status.can_print:
            raise PrinterError(self.simulated_status, "simulated fault")
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            text = receipt.as_text(self.profile.chars_per_line)
            image = io.BytesIO()
            render_png(text, receipt.qr_payload, self.profile).save(image, "PNG")
            _write_whole(self.out_dir / f"{receipt.ticket}.txt", text.encode("utf-8"))
            _write_whole(self.out_dir / f"{receipt.ticket}.png", image.getvalue())
        except OSError as exc:
            raise PrinterError(PrinterStatus.OFFLINE, f"cannot save: {exc}") from exc
        self.printed.append(receipt.ticket)
        self.printed_count += 1
        logger.info("Receipt printed (simulated): ticket=%s", receipt.ticket)
        self._prune()

    def _prune(self) -> None:
        # By modification time, so receipts of earlier runs count too; the
        # ticket breaks ties on file systems with coarse timestamps.
        receipts = sorted(
            self.out_dir.glob("*.txt"),
            key=lambda path: (path.stat().st_mtime_ns, path.name),
        )
        for old in receipts[: max(0, len(receipts) - self.keep)]:
            for path in (old, old.with_suffix(".png")):
                try:
                    path.unlink(missing_ok=True)
                except OSError as exc:
                    logger.warning("Cannot delete old receipt %s: %s", path.name, exc)

    def close(self) -> None:
        """Nothing to release."""


def render_png(text: str, qr_payload: str, profile: PrinterProfile) -> Image.Image:
    """Draw receipt text and its QR code the way a thermal printer would."""
    paper_px = profile.width_px
    font, size = _font_for(profile.chars_per_line, paper_px)
    # A full line fills the paper like font A does; centre what is left over.
    left = max(0, (paper_px - int(font.getlength("M" * profile.chars_per_line))) // 2)
    lines = text.splitlines()
    line_height = size + 6
    qr_buffer = io.BytesIO()
    segno.make_qr(qr_payload, error="m").save(qr_buffer, kind="png", scale=6, border=2)
    qr_buffer.seek(0)
    qr = Image.open(qr_buffer).convert("L")
    height = 2 * _MARGIN_PX + line_height * len(lines) + qr.height + _MARGIN_PX
    image = Image.new("L", (paper_px, height), color=255)
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(lines):
        draw.text((left, _MARGIN_PX + row * line_height), line, font=font, fill=0)
    qr_top = _MARGIN_PX + line_height * len(lines) + _MARGIN_PX
    image.paste(qr, ((paper_px - qr.width) // 2, qr_top))
    return image


def _font_for(
    columns: int, paper_px: int
) -> tuple[ImageFont.FreeTypeFont | ImageFont.ImageFont, int]:
    """The largest font, up to _FONT_SIZE_PX, that fits ``columns`` on paper."""
    size = _FONT_SIZE_PX
    while True:
        font: ImageFont.FreeTypeFont | ImageFont.ImageFont
        if _FONT_PATH.exists():
            font = ImageFont.truetype(str(_FONT_PATH), size)
        else:
            font = ImageFont.load_default(size=size)
        if size <= 8 or font.getlength("M" * columns) <= paper_px:
            return font, size
        size -= 1


def _write_whole(path: Path, data: bytes) -> None:
    # A killed process must leave the old file or the new one, never half
    # of one: write beside it, then rename over it.
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)
