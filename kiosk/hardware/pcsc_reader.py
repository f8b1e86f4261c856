"""The PC/SC card reader driver, through pyscard and pcscd.

This is the only module that imports pyscard. Every pyscard error is
translated here into :mod:`kiosk.hardware.card_reader` errors. Each read
opens its own PC/SC context, so a restarted pcscd or a re-plugged reader is
picked up by the next read without restarting the kiosk; event monitoring
(pyscard's CardMonitor) is revived by :meth:`PcscCardReader.check`.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from typing import Any

from smartcard.CardMonitoring import CardMonitor, CardMonitoringThread, CardObserver
from smartcard.Exceptions import SmartcardException
from smartcard.pcsc.PCSCExceptions import BaseSCardException
from smartcard.scard import (
    SCARD_E_NO_READERS_AVAILABLE,
    SCARD_E_NO_SERVICE,
    SCARD_E_NO_SMARTCARD,
    SCARD_E_NOT_TRANSACTED,
    SCARD_E_READER_UNAVAILABLE,
    SCARD_E_SERVICE_STOPPED,
    SCARD_E_UNKNOWN_READER,
    SCARD_F_COMM_ERROR,
    SCARD_LEAVE_CARD,
    SCARD_W_REMOVED_CARD,
    SCARD_W_RESET_CARD,
    SCARD_W_UNPOWERED_CARD,
    SCARD_W_UNRESPONSIVE_CARD,
)
from smartcard.System import readers as pcsc_readers

from kiosk.hardware import emv
from kiosk.hardware.card_reader import (
    CardEvent,
    CardEventCallback,
    CardEventKind,
    CardInfo,
    CardProtocolError,
    CardReaderError,
    CardRemovedError,
    CardType,
    NoReaderError,
    ReaderServiceError,
    ReaderState,
)

logger = logging.getLogger(__name__)


def _codes(*codes: int) -> frozenset[int]:
    return frozenset(code & 0xFFFFFFFF for code in codes)


_SERVICE_GONE = _codes(SCARD_E_NO_SERVICE, SCARD_E_SERVICE_STOPPED)
_READER_GONE = _codes(
    SCARD_E_NO_READERS_AVAILABLE, SCARD_E_UNKNOWN_READER, SCARD_E_READER_UNAVAILABLE
)
# A contactless card that leaves the field mid-command surfaces as any of
# these, including pyscard's "no valid response" with hresult 0.
_CARD_GONE = _codes(
    0,
    SCARD_E_NO_SMARTCARD,
    SCARD_E_NOT_TRANSACTED,
    SCARD_F_COMM_ERROR,
    SCARD_W_REMOVED_CARD,
    SCARD_W_RESET_CARD,
    SCARD_W_UNPOWERED_CARD,
    SCARD_W_UNRESPONSIVE_CARD,
)


# pyscard has two unrelated exception trees: one for card and reader calls,
# one for context and reader-list calls.
_PYSCARD_ERRORS = (SmartcardException, BaseSCardException)


class PcscCardReader:
    """A PC/SC reader chosen by name prefix (empty: the first reader)."""

    def __init__(self, reader_prefix: str = "") -> None:
        self.reader_prefix = reader_prefix
        self.state = ReaderState.READY
        self._callback: CardEventCallback | None = None
        self._observer: _Observer | None = None
        self._lock = threading.Lock()

    def readers(self) -> list[str]:
        """Names of the readers pcscd offers now."""
        with self._translated("list readers"):
            return [str(reader) for reader in pcsc_readers()]

    def read_card(self) -> CardInfo:
        """Connect, identify the card by SELECT, read the public EMV records."""
        self._ensure_open()
        reader = self._find_reader()
        name = str(reader)
        with self._translated("connect", name):
            connection = reader.createConnection()
        try:
            with self._translated("connect", name):
                # LEAVE_CARD: a contactless card loses power when it leaves
                # the field anyway, and every read starts with a SELECT. Asking
                # to unpower a card that just left mid-command made vpcd
                # (vsmartcard 3.3 under pcscd 1.9.9) miss the next card.
                connection.connect(disposition=SCARD_LEAVE_CARD)
                atr = emv.trim_atr(bytes(connection.getATR())).hex().upper()
            info = self._identify(connection, name, atr)
        finally:
            _dispose(connection)
        self.state = ReaderState.READY
        logger.info(
            "Card read: reader=%s type=%s pan=%s",
            name,
            info.card_type.value,
            info.masked_pan or "-",
        )
        return info

    def _identify(self, connection: Any, name: str, atr: str) -> CardInfo:
        def transmit(apdu: bytes) -> tuple[bytes, int]:
            with self._translated(f"APDU {apdu[:4].hex().upper()}", name):
                data, sw1, sw2 = connection.transmit(list(apdu))
            return bytes(data), (sw1 << 8) | sw2

        try:
            ppse = emv.select_ppse(transmit)
            if ppse is None:
                return CardInfo(name, atr, CardType.UNKNOWN)
            app = emv.read_payment_application(transmit, ppse)
        except emv.EmvError as exc:
            raise CardProtocolError(name, "read card", str(exc)) from exc
        return CardInfo(name, atr, CardType.PAYMENT, app.masked_pan, app.label)

    def watch(self, callback: CardEventCallback) -> None:
        """Report insertions and removals through pyscard's CardMonitor."""
        self._ensure_open()
        with self._lock:
            self._callback = callback
            self._start_monitor()

    def _start_monitor(self) -> None:
        if self._callback is None or self._observer is not None:
            return
        self._observer = _Observer(self._callback, self.reader_prefix)
        CardMonitor().addObserver(self._observer)
        logger.debug("card_monitor.started prefix=%r", self.reader_prefix)

    def _stop_monitor(self) -> None:
        # pyscard runs one monitor thread per process for good; leaving it
        # running costs one idle thread and avoids its 60 s join.
        observer, self._observer = self._observer, None
        if observer is not None:
            CardMonitor().deleteObserver(observer)
            logger.debug("card_monitor.stopped")

    def check(self) -> ReaderState:
        """Look for the reader; restart event monitoring if pcscd killed it."""
        self._ensure_open()
        try:
            self._find_reader()
        except CardReaderError as exc:
            logger.warning("Card reader not ready: %s", exc)
            return self.state
        with self._lock:
            if self._observer is not None and not monitor_alive():
                logger.warning("Card monitor stopped with pcscd; restarting it")
                _revive_monitor()
        self.state = ReaderState.READY
        return self.state

    def close(self) -> None:
        """Stop the monitor; reads after this raise RuntimeError."""
        with self._lock:
            self._stop_monitor()
            self._callback = None
        self.state = ReaderState.CLOSED

    def _ensure_open(self) -> None:
        if self.state is ReaderState.CLOSED:
            raise RuntimeError("the card reader was closed; build a new one")

    def _find_reader(self) -> Any:
        with self._translated("find reader"):
            for reader in pcsc_readers():
                if str(reader).startswith(self.reader_prefix):
                    return reader
        self.state = ReaderState.FAULTED
        raise NoReaderError(
            self.reader_prefix, "find reader", "no such reader connected"
        )

    @contextlib.contextmanager
    def _translated(self, operation: str, reader: str = "") -> Iterator[None]:
        try:
            yield
        except _PYSCARD_ERRORS as exc:
            self.state = ReaderState.FAULTED
            raise _translate(exc, reader or self.reader_prefix, operation) from exc


def _translate(exc: Exception, reader: str, operation: str) -> CardReaderError:
    code = (getattr(exc, "hresult", 0) or 0) & 0xFFFFFFFF
    text = str(exc)
    if code in _SERVICE_GONE:
        return ReaderServiceError(reader, operation, "pcscd is not running")
    if code in _READER_GONE:
        return NoReaderError(reader, operation, "the reader is not connected")
    if code in _CARD_GONE:
        return CardRemovedError(reader, operation, "no card, or it was taken away")
    return CardReaderError(reader, operation, text)


def _dispose(connection: Any) -> None:
    # pyscard releases in __del__ too, and raises there when pcscd is gone,
    # so the connection is released here and its dead context forgotten.
    for _ in range(2):
        try:
            connection.release()
            return
        except _PYSCARD_ERRORS as exc:
            logger.debug("pcsc.release.failed cause=%s", exc)
    connection.hcontext = None


def monitor_alive() -> bool:
    """True while pyscard's card monitoring thread runs."""
    thread = CardMonitoringThread.instance
    return thread is not None and bool(thread.is_alive())


def _revive_monitor() -> None:
    # pyscard's monitor thread ends for good when pcscd goes away, and its
    # singletons never start another one; join() clears the dead one so a
    # new thread can serve the same observers.
    monitor = CardMonitor.instance
    dead = CardMonitoringThread.instance
    CardMonitoringThread(monitor).join()
    if dead is not None:
        _release_request(dead)
    monitor.rmthread = CardMonitoringThread(monitor)


def _release_request(thread: Any) -> None:
    # The dead monitor's request holds a PC/SC context that pyscard releases
    # in __del__, which raises once pcscd has restarted; release it here.
    request = getattr(getattr(thread, "cardrequest", None), "pcsccardrequest", None)
    if request is None:
        return
    try:
        request.release()
    except _PYSCARD_ERRORS as exc:
        logger.debug("pcsc.release.failed cause=%s", exc)
        request.hcontext = None


class _Observer(CardObserver):  # type: ignore[misc]
    def __init__(self, callback: CardEventCallback, prefix: str) -> None:
        super().__init__()
        self.callback = callback
        self.prefix = prefix

    def update(self, observable: object, handlers: tuple[list[Any], list[Any]]) -> None:
        added, removed = handlers
        for kind, cards in (
            (CardEventKind.INSERTED, added),
            (CardEventKind.REMOVED, removed),
        ):
            for card in cards:
                if str(card.reader).startswith(self.prefix):
                    atr = emv.trim_atr(bytes(card.atr)).hex().upper()
                    self.callback(CardEvent(kind, str(card.reader), atr))
