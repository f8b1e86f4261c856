"""The ESC/POS receipt printer driver on a serial line (any pyserial URL).

One owner thread holds the port; the public methods hand their work to it
and wait. The port is opened on first use and reopened after an I/O error,
so the driver recovers by itself when a printer is unplugged and plugged
back in. Status comes from the real-time queries DLE EOT 1, 2 and 4, read
within a short total timeout: silence is NOT_ANSWERING, a port that cannot
be opened or fails is OFFLINE. A receipt counts as printed only when the
printer confirmed it (GS r 1, on models that answer it) and the status
read after it still allows printing.
"""

from __future__ import annotations

import enum
import logging
import termios
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import serial

from kiosk.hardware.escpos_encoder import (
    DLE_EOT_OFFLINE_CAUSE,
    PRINT_CONFIRM_REQUEST,
    STATUS_QUERY,
    EncodedReceipt,
    decode_status,
    encode_receipt,
    is_status_reply,
)
from kiosk.hardware.printer import PrinterError, PrinterStatus
from kiosk.hardware.printer_profiles import PrinterProfile
from kiosk.receipt import Receipt

logger = logging.getLogger(__name__)

STATUS_TIMEOUT_S = 0.3
"""Longest a status read waits for all three replies, in seconds; the
default of ``[printer] status_timeout_s``."""
PRINT_TIMEOUT_S = 8.0
"""Time allowed for the mechanism to print one receipt, on top of the time
the bytes need on the line, in seconds; the default of ``[printer]
print_timeout_s``."""
POLL_INTERVAL_S = 0.1
"""While waiting for a receipt, how often the offline cause is polled."""

_PORT_ERRORS = (serial.SerialException, OSError, termios.error)
_T = TypeVar("_T")


class PortState(enum.Enum):
    """Where the driver's serial port is in its life."""

    CLOSED = "closed"
    """Not open; the next operation opens it."""
    OPEN = "open"
    SHUT = "shut"
    """close() was called; the driver cannot be used any more."""


def open_serial(url: str, baudrate: int, timeout: float) -> Any:
    """Open the printer's port: the one place a serial port is built."""
    return serial.serial_for_url(url, baudrate=baudrate, timeout=timeout)


class EscposPrinter:
    """A receipt printer that speaks ESC/POS on a serial port."""

    def __init__(
        self,
        url: str,
        baudrate: int,
        profile: PrinterProfile,
        status_timeout_s: float = STATUS_TIMEOUT_S,
        print_timeout_s: float = PRINT_TIMEOUT_S,
    ) -> None:
        self.url = url
        self.baudrate = baudrate
        self.profile = profile
        self.status_timeout_s = status_timeout_s
        self.print_timeout_s = print_timeout_s
        self.state = PortState.CLOSED
        self._port: Any = None
        self._unusable_reported = False
        self._owner = ThreadPoolExecutor(1, thread_name_prefix="printer")

    def status(self) -> PrinterStatus:
        """The printer's state, read within ``status_timeout_s``."""
        return self._on_owner(self._read_status)

    def print_receipt(self, receipt: Receipt) -> None:
        """Print and cut one receipt; raise PrinterError unless it surely was."""
        self._on_owner(self._print, receipt)

    def close(self) -> None:
        """Close the port and stop the owner thread."""
        if self.state is PortState.SHUT:
            return
        self._owner.submit(self._close_port).result()
        self._owner.shutdown(wait=True)
        self.state = PortState.SHUT

    def _on_owner(self, work: Callable[..., _T], *args: Any) -> _T:
        if self.state is PortState.SHUT:
            raise RuntimeError(f"the printer on {self.url} was closed; make a new one")
        return self._owner.submit(work, *args).result()

    # -- on the owner thread ----------------------------------------------

    def _read_status(
        self, meanwhile: Callable[[], None] | None = None
    ) -> PrinterStatus:
        was_open = self._port is not None
        try:
            replies = self._query_status(meanwhile)
        except _PORT_ERRORS as exc:
            self._drop_port(exc)
            if not was_open:
                return PrinterStatus.OFFLINE
            # The port may be a stale handle from before the printer was
            # unplugged and plugged back: one fresh open tells a printer that
            # is back from one that is still gone, so the kiosk's next print
            # works without restarting anything.
            try:
                replies = self._query_status(meanwhile)
            except _PORT_ERRORS as retry_exc:
                self._drop_port(retry_exc)
                return PrinterStatus.OFFLINE
        if len(replies) < 3:
            logger.debug("printer.status silent url=%s got=%s", self.url, replies.hex())
            return PrinterStatus.NOT_ANSWERING
        if not all(is_status_reply(b) for b in replies):
            logger.warning(
                "Printer on %s sent a malformed status reply: %s",
                self.url,
                replies.hex(" "),
            )
            return PrinterStatus.NOT_ANSWERING
        return decode_status(replies[0], replies[1], replies[2])

    def _print(self, receipt: Receipt) -> None:
        encoded: list[EncodedReceipt] = []

        def encode() -> None:
            if not encoded:
                encoded.append(encode_receipt(receipt, self.profile))

        # The receipt is encoded while the status query is on the line, so
        # the encoding costs no time of its own on a slow line.
        before = self._read_status(meanwhile=encode)
        if not before.can_print:
            raise PrinterError(before, f"printer on {self.url} not ready")
        encode()
        data = encoded[0].data
        if self.profile.confirms_print:
            data += PRINT_CONFIRM_REQUEST
        started = time.monotonic()
        try:
            port = self._open()
            port.reset_input_buffer()
            port.write(data)
            port.flush()
            if self.profile.confirms_print:
                self._await_printed(port, len(data))
        except _PORT_ERRORS as exc:
            self._drop_port(exc)
            raise PrinterError(
                PrinterStatus.OFFLINE, f"lost the port {self.url} while printing"
            ) from exc
        after = self._read_status()
        if not after.can_print:
            raise PrinterError(after, "the printer stopped while printing")
        logger.info(
            "Receipt printed: ticket=%s bytes=%d table=%s seconds=%.2f",
            receipt.ticket,
            len(data),
            encoded[0].code_table,
            time.monotonic() - started,
        )
        if after is PrinterStatus.PAPER_LOW:
            logger.warning(
                "Printer on %s is near the end of its paper roll: refill it soon",
                self.url,
            )

    def _await_printed(self, port: Any, size: int) -> None:
        line_s = size * 10 / max(1, self.baudrate)
        deadline = time.monotonic() + line_s + self.print_timeout_s
        # A poll written earlier would only queue behind the receipt in the
        # line's buffers: it cannot reach the printer before the receipt does,
        # and on a slow line each one costs the receipt four byte times.
        next_poll = time.monotonic() + line_s + POLL_INTERVAL_S
        polls = 0
        while True:
            now = time.monotonic()
            if now >= deadline:
                raise PrinterError(
                    self._status_or(PrinterStatus.NOT_ANSWERING),
                    "the printer did not confirm the receipt",
                )
            if now >= next_poll:
                port.write(DLE_EOT_OFFLINE_CAUSE)
                polls += 1
                next_poll = now + POLL_INTERVAL_S
            port.timeout = max(0.0, min(deadline, next_poll) - now)
            reply = port.read(1)
            if not reply:
                continue
            if not reply[0] & 0x10:
                # GS r 1 answered: everything before it is printed. A printer
                # that takes DLE EOT in order (the emulator) still owes the
                # replies to later polls; read them so that the status read
                # next does not take them for its own.
                self._read(port, polls, time.monotonic() + self.status_timeout_s)
                return
            polls -= 1
            if is_status_reply(reply[0]) and reply[0] & 0x64:
                raise PrinterError(
                    self._status_or(PrinterStatus.OFFLINE),
                    "the printer stopped in the middle of the receipt",
                )

    def _query_status(self, meanwhile: Callable[[], None] | None) -> bytes:
        port = self._open()
        port.reset_input_buffer()
        port.write(STATUS_QUERY)
        port.flush()
        deadline = time.monotonic() + self.status_timeout_s
        if meanwhile is not None:
            meanwhile()
        return self._read(port, 3, deadline)

    def _status_or(self, fallback: PrinterStatus) -> PrinterStatus:
        status = self._read_status()
        return fallback if status.can_print else status

    def _read(self, port: Any, count: int, deadline: float) -> bytes:
        got = b""
        while len(got) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            port.timeout = remaining
            got += port.read(count - len(got))
        return got

    def _open(self) -> Any:
        if self._port is None:
            try:
                self._port = open_serial(self.url, self.baudrate, self.status_timeout_s)
            except ValueError as exc:
                # pyserial's answer to a URL it cannot parse (unknown scheme,
                # unknown option): a configuration fault, reported once, and
                # then handled like any port that does not open.
                if not self._unusable_reported:
                    self._unusable_reported = True
                    logger.warning("Printer port %r is unusable: %s", self.url, exc)
                raise serial.SerialException(
                    f"unusable port {self.url!r}: {exc}"
                ) from exc
            self.state = PortState.OPEN
            logger.info("Printer port open: %s", self.url)
        return self._port

    def _drop_port(self, exc: BaseException) -> None:
        if self.state is PortState.OPEN:
            logger.warning("Printer on %s unavailable: %s", self.url, exc)
        else:
            logger.debug("printer.open failed url=%s: %s", self.url, exc)
        self._close_port()

    def _close_port(self) -> None:
        if self._port is not None:
            try:
                self._port.close()
            except _PORT_ERRORS as exc:
                logger.debug("printer.close failed url=%s: %s", self.url, exc)
            self._port = None
        self.state = PortState.CLOSED
