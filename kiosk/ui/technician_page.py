"""The hidden technician screen: PIN, live checks, outbox, log and service buttons.

It opens on five taps in the window's top-left corner within three seconds,
or on the service keypad's shortcut. Opening it drops the citizen's
session. Behind the PIN it shows the checks of ``kiosk diag`` (refreshed
every few seconds), the outbox by state with the oldest waiting ticket,
and the last log lines. It closes by itself after two idle minutes. The
PIN check, the checks and the service actions run on a worker thread.
The screen is for technicians and stays in English.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.diag.model import CheckResult, Finding, Level
from kiosk.service import LiveParts, OutboxSummary, read_outbox_summary
from kiosk.technician import PinCheck, PinOutcome, PinStore
from kiosk.ui.jobs import JobCrashed, JobRunner
from kiosk.ui.timer import NamedTimer
from kiosk.ui.widgets import TouchButton, wrapped_label

logger = logging.getLogger(__name__)

IDLE_CLOSE_MS = 120_000
REFRESH_MS = 5_000
LOG_LINES = 40
SET_PIN_HINT = (
    "No technician PIN is set on this kiosk. Set one over SSH:\n"
    "sudo -u antonia kiosk --config /etc/antonia/kiosk.toml technician set-pin"
)
_IDLE_EVENTS = (QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress)
_LEVEL_MARKS = {Level.OK: "ok", Level.WARNING: "WARNING", Level.FAILED: "FAILED"}


class TechnicianScreen(QWidget):
    """The service screen, laid over the whole window."""

    opened = Signal()
    closed = Signal()
    restart_requested = Signal()
    led_test_finished = Signal()
    refreshed = Signal(float)
    """The checks were refreshed; how long they took, ms."""

    def __init__(
        self,
        window: QWidget,
        pins: PinStore,
        live: LiveParts,
        log_lines: Callable[[], list[str]],
        idle_close_ms: int = IDLE_CLOSE_MS,
        refresh_ms: int = REFRESH_MS,
    ) -> None:
        super().__init__(window)
        self._covered = window
        self.pins = pins
        self.live = live
        self.log_lines = log_lines
        self.setObjectName("technician")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(
            "QWidget#technician { background: #e8edf2; }"
            "QWidget { font-size: 20px; }"
            "QTableWidget, QPlainTextEdit { font-size: 16px; background: #ffffff; }"
        )
        self.jobs = JobRunner("technician-jobs", self)
        self.jobs.finished.connect(self.on_jobs_finished)
        self._locked_until: float | None = None
        self._restart_armed = False
        self._diag_started = 0.0
        self.last_refresh_ms: float | None = None
        self._build()
        self.idle_timer = NamedTimer(
            "technician-idle", idle_close_ms, single_shot=True, parent=self
        )
        self.idle_timer.timeout.connect(self.on_idle_timer_timeout)
        self.refresh_timer = NamedTimer("technician-refresh", refresh_ms, parent=self)
        self.refresh_timer.timeout.connect(self.on_refresh_timer_timeout)
        self.lock_timer = NamedTimer("technician-lock", 1000, parent=self)
        self.lock_timer.timeout.connect(self.on_lock_timer_timeout)
        window.installEventFilter(self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.hide()

    # Layout ----------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        title = QLabel("Technician")
        title.setProperty("role", "prompt")
        top.addWidget(title)
        top.addStretch(1)
        self.leave_button = TouchButton("Leave")
        self.leave_button.clicked.connect(self.on_leave_button_clicked)
        top.addWidget(self.leave_button)
        outer.addLayout(top)
        self.pages = QStackedWidget()
        self.pin_page = self._build_pin_page()
        self.service_page = self._build_service_page()
        self.pages.addWidget(self.pin_page)
        self.pages.addWidget(self.service_page)
        outer.addWidget(self.pages, 1)

    def _build_pin_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.pin_message = wrapped_label(role="subtitle", object_name="pin-message")
        layout.addWidget(self.pin_message)
        self.pin_field = QLineEdit()
        self.pin_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_field.setMaxLength(12)
        self.pin_field.returnPressed.connect(self.on_pin_field_return_pressed)
        layout.addWidget(self.pin_field)
        grid = QGridLayout()
        self.digit_buttons: dict[str, TouchButton] = {}
        for index, digit in enumerate("1234567890"):
            button = TouchButton(digit, role="key")
            button.setMinimumSize(90, 70)
            button.setProperty("digit", digit)
            button.clicked.connect(self.on_digit_button_clicked)
            position = index if digit != "0" else 10
            grid.addWidget(button, position // 3, position % 3)
            self.digit_buttons[digit] = button
        self.clear_button = TouchButton("Clear")
        self.clear_button.clicked.connect(self.on_clear_button_clicked)
        grid.addWidget(self.clear_button, 3, 0)
        self.ok_button = TouchButton("OK", role="primary")
        self.ok_button.clicked.connect(self.on_ok_button_clicked)
        grid.addWidget(self.ok_button, 3, 2)
        layout.addLayout(grid)
        layout.addStretch(1)
        return page

    def _build_service_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.diag_table = QTableWidget(0, 4)
        self.diag_table.setHorizontalHeaderLabels(
            ["Check", "Status", "Detail", "Remedy"]
        )
        self.diag_table.verticalHeader().hide()
        header = self.diag_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.diag_table, 3)
        self.outbox_label = wrapped_label(object_name="outbox")
        layout.addWidget(self.outbox_label)
        self.log_view = QPlainTextEdit()
        self.log_view.setReadOnly(True)
        self.log_view.setObjectName("log")
        layout.addWidget(self.log_view, 2)
        self.action_label = wrapped_label(object_name="action-result")
        layout.addWidget(self.action_label)
        buttons = QHBoxLayout()
        self.receipt_button = TouchButton("Test receipt")
        self.receipt_button.clicked.connect(self.on_receipt_button_clicked)
        self.led_button = TouchButton("LED test pattern")
        self.led_button.clicked.connect(self.on_led_button_clicked)
        self.sync_button = TouchButton("Sync now")
        if self.live.sync_now is None:
            self.sync_button.setText("Sync now (not available)")
            self.sync_button.setEnabled(False)
        self.sync_button.clicked.connect(self.on_sync_button_clicked)
        self.restart_button = TouchButton("Restart kiosk")
        self.restart_button.clicked.connect(self.on_restart_button_clicked)
        for button in (
            self.receipt_button,
            self.led_button,
            self.sync_button,
            self.restart_button,
        ):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        return page

    # Opening and leaving -----------------------------------------------------

    @property
    def is_open(self) -> bool:
        """Whether the screen is up."""
        return self.isVisible()

    @property
    def unlocked(self) -> bool:
        """Whether the PIN was accepted and the service page shows."""
        return self.is_open and self.pages.currentWidget() is self.service_page

    def open(self) -> None:
        """Cover the window and ask for the PIN."""
        if self.is_open:
            return
        logger.info("Technician screen opened")
        self.opened.emit()
        self._show_pin_page("Enter the technician PIN.")
        self.setGeometry(self._covered.rect())
        self.raise_()
        self.show()
        self.idle_timer.start_named()
        if self._locked_until is not None:
            self._show_lock()  # the lock outlives leaving the screen
            return
        self.jobs.submit("pin-set", self.pins.is_set)

    def leave(self, reason: str) -> None:
        """Close the screen; the PIN is asked again next time."""
        if not self.is_open:
            return
        logger.info("Technician screen closed (%s)", reason)
        for timer in (self.idle_timer, self.refresh_timer, self.lock_timer):
            timer.stop()
        self.pin_field.clear()
        self.diag_table.setRowCount(0)
        self.outbox_label.clear()
        self.log_view.clear()
        self.action_label.clear()
        self._disarm_restart()
        self.pages.setCurrentWidget(self.pin_page)
        self.hide()
        self.closed.emit()

    def shutdown(self) -> None:
        """Stop the timers and the worker thread (at exit)."""
        for timer in (self.idle_timer, self.refresh_timer, self.lock_timer):
            timer.stop()
        self.jobs.stop()

    # PIN -------------------------------------------------------------------

    def _show_pin_page(self, message: str) -> None:
        self.pages.setCurrentWidget(self.pin_page)
        self.pin_field.clear()
        self.pin_message.setText(message)
        self._set_keypad_enabled(True)

    def _set_keypad_enabled(self, enabled: bool) -> None:
        for button in (*self.digit_buttons.values(), self.clear_button, self.ok_button):
            button.setEnabled(enabled)
        self.pin_field.setEnabled(enabled)

    def _submit_pin(self) -> None:
        pin = self.pin_field.text()
        self.pin_field.clear()
        if not pin or self._locked_until is not None:
            return
        self._set_keypad_enabled(False)
        self.pin_message.setText("Checking…")
        self.jobs.submit("pin", lambda: self.pins.verify(pin))

    def _on_pin_checked(self, check: PinCheck) -> None:
        if check.outcome is PinOutcome.ACCEPTED:
            self._enter_service()
        elif check.outcome is PinOutcome.WRONG:
            self._set_keypad_enabled(True)
            self.pin_message.setText(
                f"Wrong PIN. {check.attempts_left} attempt(s) left before the lock."
            )
        elif check.outcome is PinOutcome.LOCKED:
            self._locked_until = time.monotonic() + check.locked_for_s
            self.lock_timer.start_named()
            self._show_lock()
        else:
            self._show_not_set()

    def _show_lock(self) -> None:
        assert self._locked_until is not None
        left = max(0, int(self._locked_until - time.monotonic() + 0.999))
        self._set_keypad_enabled(False)
        self.pin_message.setText(
            f"Locked after {self.pins.max_attempts} wrong PINs. "
            f"Try again in {left // 60}:{left % 60:02d}."
        )

    def _show_not_set(self) -> None:
        self._set_keypad_enabled(False)
        self.pin_message.setText(SET_PIN_HINT)

    # Service page ----------------------------------------------------------

    def _enter_service(self) -> None:
        logger.info("Technician service page unlocked")
        self.pages.setCurrentWidget(self.service_page)
        self.refresh()
        self.refresh_timer.start_named()

    def refresh(self) -> None:
        """Run the checks and read the outbox and the log again."""
        if self.jobs.submit("diag", self.live.run_checks):
            self._diag_started = time.perf_counter()
        data_dir = self.live.settings.storage.data_dir
        self.jobs.submit("outbox", lambda: read_outbox_summary(data_dir))
        lines = self.log_lines()[-LOG_LINES:]
        self.log_view.setPlainText("\n".join(lines))
        self.log_view.verticalScrollBar().setValue(
            self.log_view.verticalScrollBar().maximum()
        )

    def _show_checks(self, results: list[CheckResult]) -> None:
        self.diag_table.setRowCount(len(results))
        for row, result in enumerate(results):
            finding = result.finding
            cells = (
                result.name,
                _LEVEL_MARKS[finding.level],
                finding.summary,
                finding.remedy,
            )
            for column, text in enumerate(cells):
                self.diag_table.setItem(row, column, QTableWidgetItem(text))
        self.last_refresh_ms = (time.perf_counter() - self._diag_started) * 1000
        self.refreshed.emit(self.last_refresh_ms)

    def _show_outbox(self, summary: OutboxSummary) -> None:
        if summary.problem:
            self.outbox_label.setText(f"Outbox: {summary.problem}")
            return
        counts = ", ".join(f"{n} {state}" for state, n in summary.counts.items())
        text = f"Outbox: {counts or 'empty'}."
        oldest = summary.oldest
        if oldest is not None:
            text += (
                f" Oldest waiting: {oldest.ticket} ({oldest.service_code}, "
                f"{oldest.state}) since {oldest.created_utc[:16]}Z."
            )
        self.outbox_label.setText(text)

    def _show_action(self, name: str, result: object) -> None:
        if isinstance(result, Finding):
            mark = _LEVEL_MARKS[result.level]
            text = f"{name}: {mark}, {result.summary}"
            if result.remedy:
                text += f" → {result.remedy}"
        else:
            text = f"{name}: {result}"
        self.action_label.setText(text)

    def _disarm_restart(self) -> None:
        self._restart_armed = False
        self.restart_button.setText("Restart kiosk")

    # Slots -----------------------------------------------------------------

    @Slot(str, object)
    def on_jobs_finished(self, key: str, result: object) -> None:
        """A worker job answered; show its result if the screen is still up."""
        if not self.is_open:
            return
        if isinstance(result, JobCrashed):
            if key in ("pin", "pin-set"):
                self._set_keypad_enabled(False)
                self.pin_message.setText(f"The PIN store failed: {result.error}")
            else:
                self.action_label.setText(f"{key} failed: {result.error}")
            return
        if key == "pin-set" and result is False:
            self._show_not_set()
        elif key == "pin" and isinstance(result, PinCheck):
            self._on_pin_checked(result)
        elif key == "diag" and isinstance(result, list):
            self._show_checks(result)
        elif key == "outbox" and isinstance(result, OutboxSummary):
            self._show_outbox(result)
        elif key in ("receipt", "led", "sync"):
            names = {"receipt": "Test receipt", "led": "LED test", "sync": "Sync"}
            self._show_action(names[key], result)
            if key == "led":
                self.led_test_finished.emit()

    @Slot()
    def on_digit_button_clicked(self) -> None:
        """Add the touched digit to the PIN."""
        button = self.sender()
        if isinstance(button, TouchButton):
            self.pin_field.insert(str(button.property("digit")))

    @Slot()
    def on_clear_button_clicked(self) -> None:
        """Start the PIN again."""
        self.pin_field.clear()

    @Slot()
    def on_ok_button_clicked(self) -> None:
        """Check the PIN."""
        self._submit_pin()

    @Slot()
    def on_pin_field_return_pressed(self) -> None:
        """Enter on the service keypad checks the PIN."""
        self._submit_pin()

    @Slot()
    def on_leave_button_clicked(self) -> None:
        """The technician is done."""
        self.leave("left by the technician")

    @Slot()
    def on_idle_timer_timeout(self) -> None:
        """Nobody touched the screen for a while: close it."""
        self.leave("idle")

    @Slot()
    def on_refresh_timer_timeout(self) -> None:
        """Refresh the checks while the service page shows."""
        if self.unlocked:
            self.refresh()

    @Slot()
    def on_lock_timer_timeout(self) -> None:
        """Count the lock down; ask for the PIN again when it ends."""
        if self._locked_until is None:
            self.lock_timer.stop()
            return
        if time.monotonic() >= self._locked_until:
            self._locked_until = None
            self.lock_timer.stop()
            self._show_pin_page("The lock has ended. Enter the technician PIN.")
            return
        self._show_lock()

    @Slot()
    def on_receipt_button_clicked(self) -> None:
        """Print a test receipt."""
        self.action_label.setText("Test receipt: printing…")
        self.jobs.submit("receipt", self.live.test_receipt)

    @Slot()
    def on_led_button_clicked(self) -> None:
        """Show the LED test pattern."""
        self.action_label.setText("LED test: waiting for the board…")
        self.jobs.submit("led", self.live.test_led)

    @Slot()
    def on_sync_button_clicked(self) -> None:
        """Send the outbox to the back-end now."""
        self.action_label.setText("Sync: running…")
        self.jobs.submit("sync", self.live.sync)

    @Slot()
    def on_restart_button_clicked(self) -> None:
        """Restart on the second press; the first one asks to confirm."""
        if not self._restart_armed:
            self._restart_armed = True
            self.restart_button.setText("Press again to restart")
            return
        logger.warning("Technician asked for a restart")
        self.restart_requested.emit()

    # Events ----------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Follow the window's size; any touch on the screen keeps it open."""
        if watched is self._covered and event.type() == QEvent.Type.Resize:
            self.setGeometry(self._covered.rect())
        elif (
            event.type() in _IDLE_EVENTS
            and self.is_open
            and isinstance(watched, QWidget)
            and (watched is self or self.isAncestorOf(watched))
        ):
            self.idle_timer.start_named()
        return False
