"""The bridge between the session state machine and the Qt event loop."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Signal, Slot

from kiosk.app import Core
from kiosk.config import Settings
from kiosk.payment_flow import (
    PayCard,
    PaymentAnswered,
    Refused,
    StopCardPayment,
)
from kiosk.payments.service import RefusalReason
from kiosk.session import (
    Effect,
    Event,
    Filed,
    FileRequest,
    FilingFailed,
    MoreTime,
    Say,
    Screen,
    Session,
    Show,
    Tick,
    View,
)
from kiosk.speech.speaker import Speaker
from kiosk.ui.filing_worker import FilingThread
from kiosk.ui.payment_worker import PaymentThread
from kiosk.ui.timer import NamedTimer

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
"""Monotonic seconds; tests pass a fake one."""

TICK_INTERVAL_MS = 1000


class SessionController(QObject):
    """Feeds events to the session and carries out the effects it returns."""

    view_changed = Signal(object)
    """The session wants this View on screen."""
    filing_requested = Signal(object)
    """A NewRequest for the filing worker (crosses to its thread)."""
    payment_requested = Signal(object)
    """A PaymentOrder for the payment worker (crosses to its thread)."""
    qr_scan_changed = Signal(bool)
    """Whether the camera should look for QR codes (the reference screen)."""

    def __init__(
        self,
        core: Core,
        speaker: Speaker,
        clock: Clock = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._core = core
        self._speaker = speaker
        self._shown: Screen | None = None
        """The screen of the last view shown; None before the first."""
        self._clock = clock
        self.session: Session = core.new_session()
        self._qr_payload: tuple[str, str] | None = None
        self._filing = FilingThread(core.filing)
        self.filing_requested.connect(
            self._filing.worker.on_controller_filing_requested
        )
        self._filing.worker.finished.connect(self.on_worker_finished)
        self._payments: PaymentThread | None = None
        if core.payments is not None:
            self._payments = PaymentThread(core.payments)
            self.payment_requested.connect(
                self._payments.worker.on_controller_payment_requested
            )
            self._payments.worker.finished.connect(self.on_payment_worker_finished)
        self.qr_scanning = False
        self.tick_timer = NamedTimer("session-tick", TICK_INTERVAL_MS, parent=self)
        self.tick_timer.timeout.connect(self.on_tick_timer_timeout)

    @property
    def view(self) -> View:
        """What the session shows now."""
        return self.session.view

    @property
    def settings(self) -> Settings:
        """The kiosk's settings."""
        return self._core.settings

    @property
    def clock(self) -> Clock:
        """The monotonic clock the session's times come from."""
        return self._clock

    @property
    def speaker(self) -> Speaker:
        """Where spoken sentences go."""
        return self._speaker

    def start(self) -> None:
        """Start the worker and the clock, and put the first screen up."""
        self._filing.start()
        if self._payments is not None:
            self._payments.start()
        self.tick_timer.start_named()
        self._apply(self.session.start(self._clock()))

    def shutdown(self) -> None:
        """Stop the clock and the worker thread (waits for a running filing)."""
        self.tick_timer.stop()
        self._filing.stop()
        if self._payments is not None:
            self._payments.stop()

    def dispatch(self, event: Event) -> None:
        """Hand one event to the session at the current time."""
        if not isinstance(event, Tick):
            logger.debug("ui.event %s", type(event).__name__)
        self._apply(self.session.handle(event, self._clock()))

    def reset_session(self, reason: str) -> None:
        """Drop the citizen's session at once, whatever screen it is on."""
        logger.info("Session reset: %s", reason)
        if self.session.screen is Screen.PAYING and self._payments is not None:
            self._payments.cancel()
        self.session = self._core.new_session()
        self._apply(self.session.start(self._clock()))

    def note_activity(self) -> None:
        """The citizen touched something: keep the session from going idle."""
        # MoreTime is the session's "the citizen is still here" event; with no
        # warning up it only moves the idle deadline.
        if self.session.screen is not Screen.ATTRACT:
            self.dispatch(MoreTime())

    def qr_payload(self, ticket: str) -> str | None:
        """What the receipt's QR code holds for ``ticket``, if it was just filed."""
        if self._qr_payload and self._qr_payload[0] == ticket:
            return self._qr_payload[1]
        return None

    @Slot()
    def on_tick_timer_timeout(self) -> None:
        """Send the session its once-a-second Tick."""
        self.dispatch(Tick())

    @Slot(object)
    def on_worker_finished(self, event: Filed | FilingFailed) -> None:
        """The worker answered; pass its event to the session."""
        if isinstance(event, Filed):
            receipt = event.result.receipt
            self._qr_payload = (receipt.ticket, receipt.qr_payload)
        self.dispatch(event)

    @Slot(object)
    def on_payment_worker_finished(self, event: PaymentAnswered) -> None:
        """The payment worker answered; pass its event to the session."""
        self.dispatch(event)

    def _apply(self, effects: Sequence[Effect]) -> None:
        for effect in effects:
            if isinstance(effect, Show):
                ended = effect.view.screen is Screen.ATTRACT and self._shown not in (
                    None,
                    Screen.ATTRACT,
                )
                self._shown = effect.view.screen
                if effect.view.screen is Screen.ATTRACT:
                    self._qr_payload = None
                if ended:
                    # Nothing the session said may still play or be held by
                    # the Pause key, or the next citizen could resume the
                    # last one's ticket or payment.
                    self._speaker.stop()
                self._scan_qr(effect.view.screen is Screen.PAY_REFERENCE)
                self.view_changed.emit(effect.view)
            elif isinstance(effect, Say) and effect.more:
                self._speaker.say_parts(((effect.text, effect.language), *effect.more))
            elif isinstance(effect, Say):
                self._speaker.say(effect.text, effect.language)
            elif isinstance(effect, FileRequest):
                self.filing_requested.emit(effect.request)
            elif isinstance(effect, PayCard):
                self._pay(effect)
            elif isinstance(effect, StopCardPayment):
                if self._payments is not None:
                    self._payments.cancel()
            else:
                logger.error("Unknown effect from the session: %r", effect)

    def _pay(self, effect: PayCard) -> None:
        if self._payments is None:
            # The session offers payments only with a terminal; answer anyway.
            reason = RefusalReason.TERMINAL_UNAVAILABLE
            self.dispatch(PaymentAnswered(Refused(reason)))
            return
        self.payment_requested.emit(effect.order)

    def _scan_qr(self, on: bool) -> None:
        # Scanning costs CPU, so the camera looks for codes only while the
        # reference screen is up; a reset turns it off with the screen.
        if on is not self.qr_scanning:
            self.qr_scanning = on
            self.qr_scan_changed.emit(on)
