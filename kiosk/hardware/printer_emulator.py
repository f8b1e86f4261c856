"""A receipt printer emulator behind a pseudo-terminal, for demos and tests.

The kiosk opens the pty's slave side as if it were the printer's serial
port; the emulator reads the master side in one thread, interprets the
ESC/POS it receives, answers status queries, and writes every receipt it
"prints" as text and PNG. Technicians use it through
``kiosk printer-emulator --link PATH`` on a machine without a printer.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import select
import sys
import threading
import time
import tty
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from kiosk.hardware.escpos_interpreter import (
    EscPosInterpreter,
    PrintedImage,
    PrintedLine,
    PrintedReceipt,
    PrinterFaults,
)
from kiosk.hardware.printer_profiles import PROFILES, PrinterProfile, get_profile

logger = logging.getLogger(__name__)

_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_FONT_PX = 20
"""DejaVu Sans Mono at 20 px advances 12 px: 48 columns on 576 dots."""
_LINE_PX = 26
_MARGIN_PX = 8


class PrinterEmulator:
    """An emulated printer on a pty: its own pair, or a tty made by someone else."""

    def __init__(
        self,
        profile: PrinterProfile,
        out_dir: Path | None = None,
        link: Path | None = None,
        *,
        device: Path | None = None,
        baud_limit: int | None = None,
        keep_wire: bool = False,
    ) -> None:
        if link is not None and device is not None:
            raise ValueError("give the emulator a link for its own pty or a device")
        if baud_limit is not None and baud_limit <= 0:
            raise ValueError(f"baud_limit must be above zero, not {baud_limit}")
        self.profile = profile
        self.out_dir = out_dir
        """Where receipts are written as ``receipt-NNNN.txt`` and ``.png``."""
        self.link = link
        """A symlink kept pointing at the current slave device, if set."""
        self.device = device
        """An existing tty to serve (say the printer end of a socat pair);
        None: the emulator makes its own pty pair on plug()."""
        self.baud_limit = baud_limit
        """Line speed to play in bit/s (10 bits a byte); None: as fast as the
        pty goes, since a pty ignores the baud rate the kiosk sets. Replies
        share the clock of the incoming bytes: a few byte times too slow for
        a full-duplex line, which only makes the figures more cautious."""
        self.interpreter = EscPosInterpreter(profile, on_receipt=self._keep)
        self.receipts: list[PrintedReceipt] = []
        """Everything printed since start, oldest first."""
        self.received_bytes = 0
        """Bytes read from the kiosk since start."""
        self.wire: bytearray | None = bytearray() if keep_wire else None
        """Every byte read from the kiosk since start, if ``keep_wire``."""
        self._changed = threading.Condition()
        self._fd = -1
        self._slave = -1
        self._slave_name = ""
        self._stop_r, self._stop_w = -1, -1
        self._thread: threading.Thread | None = None
        self._line_free_at = 0.0
        self._line_idle_until = 0.0

    @property
    def faults(self) -> PrinterFaults:
        """The faults the printer plays; set their fields at any time."""
        return self.interpreter.faults

    @property
    def port(self) -> str:
        """The device the kiosk opens: the link if set, else the slave path."""
        if self.device is not None:
            raise RuntimeError(
                f"the printer emulator serves {self.device}; the kiosk's end "
                "belongs to whoever made that tty pair"
            )
        if not self._slave_name:
            raise RuntimeError("the printer emulator is not plugged in")
        return str(self.link) if self.link is not None else self._slave_name

    @property
    def plugged(self) -> bool:
        """True while the emulator serves its line."""
        return self._thread is not None and self._thread.is_alive()

    def plug(self) -> None:
        """Open the line and start answering (the cable is plugged in).

        Raises:
            OSError: ``device`` is set and cannot be opened.
        """
        if self._thread is not None and not self._thread.is_alive():
            self.unplug()  # the far end closed the line; clean up first
        if self._thread is not None:
            raise RuntimeError("the printer emulator is already plugged in")
        if self.device is not None:
            self._fd = os.open(self.device, os.O_RDWR | os.O_NOCTTY)
            where = str(self.device)
        else:
            self._fd, self._slave = os.openpty()
            self._slave_name = os.ttyname(self._slave)
            self._link_slave()
            where = self.port
        tty.setraw(self._slave if self._slave >= 0 else self._fd)
        self._stop_r, self._stop_w = os.pipe()
        self._line_idle_until = time.monotonic()
        self._thread = threading.Thread(
            target=self._serve, name="printer-emulator", daemon=True
        )
        self._thread.start()
        logger.info("Printer emulator plugged in at %s", where)

    def unplug(self) -> None:
        """Stop and close the line, as if the cable were pulled."""
        if self._thread is None:
            return
        os.write(self._stop_w, b"x")
        self._thread.join()
        self._thread = None
        for fd in (self._fd, self._slave, self._stop_r, self._stop_w):
            if fd >= 0:
                os.close(fd)
        self._fd = self._slave = self._stop_r = self._stop_w = -1
        if self.link is not None:
            with contextlib.suppress(FileNotFoundError):
                self.link.unlink()
        self._slave_name = ""
        logger.info("Printer emulator unplugged")

    def wait_for_receipts(self, count: int, timeout: float) -> list[PrintedReceipt]:
        """Block until ``count`` receipts came out or ``timeout`` seconds passed."""
        with self._changed:
            self._changed.wait_for(lambda: len(self.receipts) >= count, timeout)
            return list(self.receipts)

    def wait_for_bytes(self, count: int, timeout: float) -> int:
        """Block until ``count`` bytes came in or ``timeout`` passed; the count."""
        with self._changed:
            self._changed.wait_for(lambda: self.received_bytes >= count, timeout)
            return self.received_bytes

    def __enter__(self) -> PrinterEmulator:
        self.plug()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.unplug()

    def _link_slave(self) -> None:
        if self.link is None:
            return
        tmp = self.link.with_name(self.link.name + ".new")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        tmp.symlink_to(self._slave_name)
        tmp.replace(self.link)

    def _serve(self) -> None:
        while True:
            ready, _, _ = select.select([self._fd, self._stop_r], [], [], 0)
            if not ready:
                ready, _, _ = select.select([self._fd, self._stop_r], [], [])
                # The line was idle until now: the bytes just came.
                self._line_idle_until = time.monotonic()
            if self._stop_r in ready:
                return
            # With a baud limit, read about 10 ms of line at a time so the
            # pace stays smooth; without one, take whatever the pty holds.
            limit = self.baud_limit
            chunk = 4096 if limit is None else max(1, limit // 1000)
            try:
                data = os.read(self._fd, chunk)
            except OSError as exc:
                logger.warning("Printer emulator: the line closed: %s", exc)
                return
            if not data:
                # The far end of a tty pair went away (socat ended).
                logger.warning("Printer emulator: the line closed at the far end")
                return
            if not self._carry(len(data)):
                return
            self._count(data)
            reply = self.interpreter.feed(data)
            if not reply or not self._carry(len(reply)):
                continue
            try:
                os.write(self._fd, reply)
            except OSError as exc:
                logger.warning("Printer emulator: cannot answer, line closed: %s", exc)
                return

    def _carry(self, size: int) -> bool:
        """Hold ``size`` bytes for their time on the line; False if unplugged."""
        limit = self.baud_limit
        if limit is None:
            return True
        now = time.monotonic()
        # Bytes that were already waiting follow straight on from the ones
        # before them, even if this thread woke up late; but a line that was
        # idle banks no time for a later burst.
        start = max(self._line_free_at, self._line_idle_until)
        self._line_free_at = start + size * 10 / limit
        if self._line_free_at <= now:
            return True
        ready, _, _ = select.select([self._stop_r], [], [], self._line_free_at - now)
        return not ready

    def _count(self, data: bytes) -> None:
        with self._changed:
            self.received_bytes += len(data)
            if self.wire is not None:
                self.wire += data
            self._changed.notify_all()

    def _keep(self, receipt: PrintedReceipt) -> None:
        with self._changed:
            self.receipts.append(receipt)
            number = len(self.receipts)
            self._changed.notify_all()
        if self.out_dir is not None:
            save_receipt(receipt, self.profile, self.out_dir / f"receipt-{number:04d}")


def save_receipt(receipt: PrintedReceipt, profile: PrinterProfile, stem: Path) -> None:
    """Write ``stem``.txt and ``stem``.png for one printed receipt."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    text = receipt.text(profile.chars_per_line)
    if not receipt.complete:
        text += "[paper ran out here]\n"
    stem.with_suffix(".txt").write_text(text, encoding="utf-8")
    render_png(receipt, profile).save(stem.with_suffix(".png"))
    logger.info("Emulated receipt written: %s", stem.with_suffix(".png"))


def render_png(receipt: PrintedReceipt, profile: PrinterProfile) -> Image.Image:
    """Draw a printed receipt at the printer's resolution."""
    pieces = [_render_item(item, profile) for item in receipt.items]
    height = 2 * _MARGIN_PX + sum(p.height for p in pieces)
    page = Image.new("L", (profile.width_px, height), color=255)
    top = _MARGIN_PX
    for piece, item in zip(pieces, receipt.items, strict=True):
        align = 1 if isinstance(item, PrintedImage) else item.align
        left = [
            0,
            (profile.width_px - piece.width) // 2,
            profile.width_px - piece.width,
        ]
        page.paste(piece, (max(0, left[min(align, 2)]), top))
        top += piece.height
    return page


def _render_item(
    item: PrintedLine | PrintedImage, profile: PrinterProfile
) -> Image.Image:
    if isinstance(item, PrintedImage):
        return item.image.convert("L")
    cell = profile.width_px // profile.chars_per_line
    piece = Image.new("L", (max(1, cell * len(item.text)), _LINE_PX), color=255)
    ImageDraw.Draw(piece).text((0, 1), item.text, font=_font(item.bold), fill=0)
    if (item.width, item.height) != (1, 1):
        piece = piece.resize((piece.width * item.width, piece.height * item.height))
    return piece


def _font(bold: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = _FONT_DIR / ("DejaVuSansMono-Bold.ttf" if bold else "DejaVuSansMono.ttf")
    if path.exists():
        return ImageFont.truetype(str(path), _FONT_PX)
    return ImageFont.load_default(size=_FONT_PX)


# -- the ``kiosk printer-emulator`` command ----------------------------------

_HELP_COMMANDS = """\
commands on standard input, one per line:
  ready | paper-low | paper-out | cover-open | cover-closed
  silent | answer | run-out N | unplug | plug | quit
"""


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: Sequence[argparse.ArgumentParser] = (),
) -> argparse.ArgumentParser:
    """Add ``printer-emulator`` to the ``kiosk`` command's subcommands."""
    parser = subparsers.add_parser(
        "printer-emulator",
        parents=list(parents),
        help="emulate a receipt printer on a pseudo-terminal",
        epilog=_HELP_COMMANDS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--link", type=Path, help="make a pty pair and this symlink for the kiosk"
    )
    where.add_argument(
        "--device",
        type=Path,
        help="serve an existing tty, e.g. the printer end of a socat pair",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("emulated-receipts"), help="receipt folder"
    )
    parser.add_argument("--profile", choices=sorted(PROFILES), default="TM-T20II")
    parser.add_argument(
        "--run-out-after", type=int, metavar="N", help="paper runs out after N lines"
    )
    parser.add_argument(
        "--baud-limit", type=int, metavar="BPS", help="read no faster than BPS bit/s"
    )
    parser.set_defaults(handler=run_emulator)
    return parser


def run_emulator(args: argparse.Namespace) -> int:
    """Run the emulator until ``quit`` or end of input; returns an exit code."""
    emulator = PrinterEmulator(
        get_profile(args.profile),
        args.out,
        args.link,
        device=args.device,
        baud_limit=args.baud_limit,
    )
    emulator.faults.lines_left = args.run_out_after
    emulator.plug()
    where = args.device if args.device is not None else emulator.port
    print(f"printer emulator on {where}; receipts go to {args.out}")
    print(_HELP_COMMANDS, end="")
    try:
        for line in sys.stdin:
            if not _apply_command(emulator, line.split()):
                break
    except KeyboardInterrupt:
        pass
    finally:
        emulator.unplug()
    return 0


def _apply_command(emulator: PrinterEmulator, words: list[str]) -> bool:
    faults = emulator.faults
    command = words[0] if words else ""
    if command == "quit":
        return False
    if command == "ready":
        faults.paper_low = faults.paper_out = faults.cover_open = False
        faults.answering = True
        faults.lines_left = None
    elif command in ("paper-low", "paper-out", "cover-open", "cover-closed"):
        faults.paper_low = command == "paper-low" or faults.paper_low
        faults.paper_out = command == "paper-out" or faults.paper_out
        faults.cover_open = command == "cover-open"
    elif command in ("silent", "answer"):
        faults.answering = command == "answer"
    elif command == "run-out" and len(words) == 2 and words[1].isdigit():
        faults.lines_left = int(words[1])
    elif command == "unplug":
        emulator.unplug()
    elif command == "plug":
        emulator.plug()
    elif command:
        print(f"unknown command: {' '.join(words)}")
        return True
    print(f"ok: {faults} at {time.strftime('%H:%M:%S')}")
    return True
