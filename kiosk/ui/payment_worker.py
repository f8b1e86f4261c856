"""The payment worker: the one thread that talks to the card terminal.

A sale blocks until the citizen taps a card or the terminal gives up, so the
controller hands each order to a :class:`PaymentWorker` on its own QThread
and gets a ``PaymentAnswered`` event back by signal. The first job the
thread runs is the start-up recovery, so a payment a crash left in flight is
settled before any new one is tried. Cancelling is the one call made from
the Qt thread: it only tells the terminal to stop waiting.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QThread, Signal, Slot

from kiosk.payment_flow import PaymentAnswered, PaymentDesk, PaymentOrder

logger = logging.getLogger(__name__)


class PaymentWorker(QObject):
    """Runs payment orders on its own thread and reports back by signal."""

    finished = Signal(object)
    """A PaymentAnswered event for the session."""
    recovered = Signal(int)
    """The start-up recovery ran; how many payments it settled."""

    def __init__(self, desk: PaymentDesk) -> None:
        super().__init__()
        self._desk = desk

    @Slot()
    def on_thread_started(self) -> None:
        """Settle what a crash left in flight, before the first payment."""
        self.recovered.emit(len(self._desk.recover()))

    @Slot(object)
    def on_controller_payment_requested(self, order: PaymentOrder) -> None:
        """Pay ``order``; always answers with exactly one event."""
        logger.debug("payment.started purpose=%s", order.quote.purpose)
        outcome = self._desk.pay(order)
        logger.debug("payment.complete outcome=%s", type(outcome).__name__)
        self.finished.emit(PaymentAnswered(outcome))


class PaymentThread:
    """Owns the payment worker's QThread: start it, stop it, wait for it."""

    def __init__(self, desk: PaymentDesk) -> None:
        self.desk = desk
        self.thread = QThread()
        self.thread.setObjectName("payment-worker")
        self.worker = PaymentWorker(desk)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.on_thread_started)

    def start(self) -> None:
        """Start the thread; it recovers the journal first."""
        self.thread.start()

    def cancel(self) -> None:
        """Ask the terminal to stop the sale in progress (from any thread)."""
        self.desk.cancel()

    def stop(self, timeout_ms: int = 10_000) -> bool:
        """Stop a waiting sale, then end the thread; False on timeout."""
        if not self.thread.isRunning():
            return True
        self.desk.cancel()
        self.thread.quit()
        stopped = self.thread.wait(timeout_ms)
        if not stopped:
            logger.error("Payment thread did not stop within %d ms", timeout_ms)
        return bool(stopped)
