"""The technician screen: hidden gesture, PIN and lock, checks, leaving."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from kiosk.app import Core
from kiosk.devices import EXIT_RESTART
from kiosk.session import (
    ChooseLanguage,
    ChooseService,
    ConfirmProposal,
    ConfirmSummary,
    Screen,
    SubmitContact,
    SubmitText,
    Wake,
)
from kiosk.ui.technician_page import SET_PIN_HINT
from tests.helpers.service import (
    PIN,
    WAIT_MS,
    ServicedKiosk,
    enter_pin,
    every_text,
    open_by_gesture,
    start_serviced_kiosk,
)
from tests.helpers.ui import OFFSCREEN_NOISE, tap

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

TEXT = "vreau să plătesc impozitul pe casă"
PHONE = "0722 123 456"
EMAIL = "ana.pop@example.com"


@pytest.fixture
def serviced(qtbot: QtBot, core: Core) -> Iterator[ServicedKiosk]:
    running = start_serviced_kiosk(qtbot, core)
    yield running
    running.wiring.close()


def _unlock(qtbot: QtBot, serviced: ServicedKiosk) -> None:
    open_by_gesture(qtbot, serviced)
    enter_pin(qtbot, serviced, PIN)
    screen = serviced.wiring.technician
    qtbot.waitUntil(lambda: screen.unlocked, timeout=WAIT_MS)


def test_five_wrong_pins_lock_the_screen_and_show_the_time_left(
    qtbot: QtBot, serviced: ServicedKiosk
) -> None:
    open_by_gesture(qtbot, serviced)
    screen = serviced.wiring.technician
    for left in (4, 3, 2, 1):
        enter_pin(qtbot, serviced, "0000")
        qtbot.waitUntil(
            lambda left=left: f"{left} attempt(s) left" in screen.pin_message.text(),
            timeout=WAIT_MS,
        )
    enter_pin(qtbot, serviced, "0000")
    qtbot.waitUntil(lambda: "Locked" in screen.pin_message.text(), timeout=WAIT_MS)
    assert re.search(r"Try again in [45]:\d\d\.", screen.pin_message.text())
    assert not screen.ok_button.isEnabled()
    assert not screen.unlocked

    # Leaving and coming back does not lift the lock.
    tap(qtbot, screen.leave_button)
    open_by_gesture(qtbot, serviced)
    assert "Locked" in screen.pin_message.text()


def test_right_pin_opens_the_live_checks_the_outbox_and_the_log(
    qtbot: QtBot, serviced: ServicedKiosk
) -> None:
    started = time.perf_counter()
    _unlock(qtbot, serviced)
    unlocked_ms = (time.perf_counter() - started) * 1000
    screen = serviced.wiring.technician
    with qtbot.waitSignal(screen.refreshed, timeout=WAIT_MS) as refreshed:
        pass
    names = [
        screen.diag_table.item(row, 0).text()
        for row in range(screen.diag_table.rowCount())
    ]
    assert {"printer", "mcu", "camera", "outbox", "storage", "clock"} <= set(names)
    mcu_row = names.index("mcu")
    assert screen.diag_table.item(mcu_row, 1).text() == "ok"
    assert "answers in" in screen.diag_table.item(mcu_row, 2).text()
    # The outbox summary is read by a job of its own, alongside the checks.
    qtbot.waitUntil(
        lambda: screen.outbox_label.text().startswith("Outbox:"), timeout=WAIT_MS
    )
    assert screen.log_view.toPlainText()
    assert screen.sync_button.text() == "Sync now (not available)"
    assert not screen.sync_button.isEnabled()
    print(f"unlock_ms={unlocked_ms:.0f} diag_refresh_ms={refreshed.args[0]:.0f}")


def test_test_receipt_and_led_pattern_report_back(
    qtbot: QtBot, serviced: ServicedKiosk
) -> None:
    _unlock(qtbot, serviced)
    screen = serviced.wiring.technician
    tap(qtbot, screen.receipt_button)
    qtbot.waitUntil(
        lambda: screen.action_label.text().startswith("Test receipt: ok"),
        timeout=WAIT_MS,
    )
    receipts = serviced.kiosk.core.settings.storage.data_dir / "receipts"
    assert any("TEST" in p.name or p.suffix == ".txt" for p in receipts.iterdir())
    tap(qtbot, screen.led_button)
    qtbot.waitUntil(
        lambda: screen.action_label.text().startswith("LED test: ok"),
        timeout=WAIT_MS,
    )
    simulator = serviced.simulator
    qtbot.waitUntil(lambda: simulator.led.pattern.name == "IDLE", timeout=WAIT_MS)


def test_restart_needs_a_second_press_and_exits_with_the_restart_status(
    qtbot: QtBot, serviced: ServicedKiosk
) -> None:
    _unlock(qtbot, serviced)
    screen = serviced.wiring.technician
    tap(qtbot, screen.restart_button)
    assert serviced.quits == []
    tap(qtbot, screen.restart_button)
    assert serviced.quits == [EXIT_RESTART]


def test_opening_drops_the_citizen_session_and_leaving_asks_the_pin_again(
    qtbot: QtBot, serviced: ServicedKiosk
) -> None:
    controller = serviced.kiosk.controller
    controller.dispatch(Wake())
    controller.dispatch(ChooseLanguage("ro"))
    assert controller.view.screen is Screen.DESCRIBE
    _unlock(qtbot, serviced)
    assert controller.view.screen is Screen.ATTRACT
    screen = serviced.wiring.technician

    tap(qtbot, screen.leave_button)
    assert not screen.is_open
    open_by_gesture(qtbot, serviced)
    assert not screen.unlocked
    assert screen.pin_field.text() == ""


def test_the_screen_leaves_by_itself_when_idle(qtbot: QtBot, core: Core) -> None:
    serviced = start_serviced_kiosk(qtbot, core, idle_close_ms=300)
    try:
        _unlock(qtbot, serviced)
        screen = serviced.wiring.technician
        with qtbot.waitSignal(screen.closed, timeout=WAIT_MS):
            pass
        assert not screen.is_open
    finally:
        serviced.wiring.close()


def test_without_a_pin_the_screen_says_how_to_set_one(qtbot: QtBot, core: Core) -> None:
    serviced = start_serviced_kiosk(qtbot, core, pin=None)
    try:
        open_by_gesture(qtbot, serviced)
        screen = serviced.wiring.technician
        qtbot.waitUntil(
            lambda: screen.pin_message.text() == SET_PIN_HINT, timeout=WAIT_MS
        )
        assert "technician set-pin" in screen.pin_message.text()
        assert not screen.ok_button.isEnabled()
    finally:
        serviced.wiring.close()


def test_the_service_keypad_shortcut_opens_the_screen(
    qtbot: QtBot, serviced: ServicedKiosk
) -> None:
    serviced.wiring.gesture.shortcut.activated.emit()
    assert serviced.wiring.technician.is_open


def test_four_taps_or_taps_elsewhere_do_not_open_it(
    qtbot: QtBot, serviced: ServicedKiosk
) -> None:
    from PySide6.QtCore import QPoint, Qt

    window = serviced.kiosk.window
    for _ in range(4):
        qtbot.mouseClick(window, Qt.MouseButton.LeftButton, pos=QPoint(6, 6))
    qtbot.mouseClick(window, Qt.MouseButton.LeftButton, pos=QPoint(600, 6))
    qtbot.mouseClick(window, Qt.MouseButton.LeftButton, pos=QPoint(6, 6))
    assert not serviced.wiring.technician.is_open


def test_the_technician_never_sees_a_citizens_words_or_contact(
    qtbot: QtBot, serviced: ServicedKiosk
) -> None:
    controller = serviced.kiosk.controller
    controller.dispatch(Wake())
    controller.dispatch(ChooseLanguage("ro"))
    controller.dispatch(SubmitText(TEXT))
    if controller.view.screen is Screen.PROPOSAL:
        controller.dispatch(ConfirmProposal())
    else:
        assert controller.view.screen is Screen.CHOICES
        controller.dispatch(ChooseService(controller.view.choices[0].key))
    controller.dispatch(SubmitContact(PHONE, EMAIL, True))
    controller.dispatch(ConfirmSummary())
    qtbot.waitUntil(lambda: controller.view.screen is Screen.DONE, timeout=WAIT_MS)
    ticket = controller.view.ticket
    assert ticket

    _unlock(qtbot, serviced)
    screen = serviced.wiring.technician
    qtbot.waitUntil(lambda: ticket in screen.outbox_label.text(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: screen.diag_table.rowCount() > 0, timeout=WAIT_MS)

    shown = "\n".join(every_text(serviced.kiosk.window))
    assert ticket in shown
    for secret in (TEXT, "impozitul", "0722", "722123456", "123 456", EMAIL, "ana."):
        assert secret not in shown, secret


def test_opening_the_service_door_keeps_the_technician_screen_in_front(
    qtbot: QtBot, serviced: ServicedKiosk
) -> None:
    _unlock(qtbot, serviced)
    overlay = serviced.wiring.reactor.overlay
    serviced.simulator.set_tamper(True)
    qtbot.waitUntil(overlay.isVisible, timeout=WAIT_MS)
    screen = serviced.wiring.technician
    assert screen.unlocked
    window = serviced.kiosk.window
    on_top = window.childAt(window.rect().center())
    assert on_top is screen or screen.isAncestorOf(on_top)

    tap(qtbot, screen.leave_button)
    on_top = window.childAt(window.rect().center())
    assert on_top is overlay or overlay.isAncestorOf(on_top)
