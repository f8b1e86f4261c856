"""The window's reactions to the simulated MCU and camera."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from firmware_bridge.messages import LedPattern
from kiosk.app import Core
from kiosk.devices import EXIT_POWER_LOW, ShutdownWanted
from kiosk.hardware.camera_monitor import PresenceChanged
from kiosk.session import ChooseLanguage, Screen, StartOver, SubmitText, Wake
from tests.helpers.service import WAIT_MS, ServicedKiosk, start_serviced_kiosk
from tests.helpers.ui import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


@pytest.fixture
def serviced(qtbot: QtBot, core: Core) -> Iterator[ServicedKiosk]:
    running = start_serviced_kiosk(qtbot, core)
    link = running.wiring.devices.link
    assert link is not None
    # The link has heard the board's first report before a test scripts it.
    assert link.wait_until(lambda s: s.battery_percent is not None, WAIT_MS / 1000)
    yield running
    running.wiring.close()


def _screen(serviced: ServicedKiosk) -> Screen:
    return serviced.kiosk.controller.view.screen


def _led(serviced: ServicedKiosk) -> LedPattern:
    return serviced.simulator.led.pattern


def test_someone_near_the_sensor_wakes_the_attract_screen(
    qtbot: QtBot, serviced: ServicedKiosk
) -> None:
    qtbot.waitUntil(lambda: _led(serviced) is LedPattern.IDLE, timeout=WAIT_MS)
    link = serviced.wiring.devices.link
    assert link is not None
    serviced.simulator.set_presence(2500)  # passing by, too far to wake it
    assert link.wait_until(lambda s: s.presence_mm == 2500, WAIT_MS / 1000)
    qtbot.wait(50)
    assert _screen(serviced) is Screen.ATTRACT

    serviced.simulator.set_presence(600)
    qtbot.waitUntil(lambda: _screen(serviced) is Screen.LANGUAGE, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: _led(serviced) is LedPattern.ATTENTION, timeout=WAIT_MS)


def test_the_camera_seeing_someone_wakes_the_attract_screen(
    qtbot: QtBot, serviced: ServicedKiosk
) -> None:
    # The camera monitor calls back on its own thread, like this one.
    poster = threading.Thread(
        target=serviced.wiring.reactor.post, args=(PresenceChanged(True),)
    )
    poster.start()
    poster.join()
    qtbot.waitUntil(lambda: _screen(serviced) is Screen.LANGUAGE, timeout=WAIT_MS)


def test_presence_does_not_interrupt_a_citizen(
    qtbot: QtBot, serviced: ServicedKiosk
) -> None:
    controller = serviced.kiosk.controller
    controller.dispatch(Wake())
    controller.dispatch(ChooseLanguage("en"))
    with qtbot.waitSignal(serviced.wiring.reactor.reaction_done, timeout=WAIT_MS):
        serviced.simulator.set_presence(400)
    assert _screen(serviced) is Screen.DESCRIBE


def test_an_open_service_door_puts_the_kiosk_out_of_service_until_closed(
    qtbot: QtBot, serviced: ServicedKiosk
) -> None:
    controller = serviced.kiosk.controller
    controller.dispatch(Wake())
    controller.dispatch(ChooseLanguage("ro"))
    controller.dispatch(SubmitText("certificat de urbanism pentru garaj"))
    overlay = serviced.wiring.reactor.overlay

    serviced.simulator.set_tamper(True)
    qtbot.waitUntil(overlay.isVisible, timeout=WAIT_MS)
    assert _screen(serviced) is Screen.ATTRACT
    assert controller.session._draft.text == ""
    qtbot.waitUntil(
        lambda: _led(serviced) is LedPattern.OUT_OF_SERVICE, timeout=WAIT_MS
    )
    # Nobody is invited in while the door is open.
    with qtbot.waitSignal(serviced.wiring.reactor.reaction_done, timeout=WAIT_MS):
        serviced.simulator.set_presence(300)
    assert _screen(serviced) is Screen.ATTRACT

    serviced.simulator.set_tamper(False)
    qtbot.waitUntil(lambda: not overlay.isVisible(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: _led(serviced) is LedPattern.ATTENTION, timeout=WAIT_MS)


def test_a_flat_ups_battery_closes_the_kiosk_after_the_current_session(
    qtbot: QtBot, serviced: ServicedKiosk
) -> None:
    controller = serviced.kiosk.controller
    controller.dispatch(Wake())
    controller.dispatch(ChooseLanguage("en"))
    banner = serviced.wiring.reactor.banner

    serviced.simulator.set_power(True, 60)
    qtbot.waitUntil(banner.isVisible, timeout=WAIT_MS)
    assert "battery" in banner.label.text()
    with qtbot.waitSignal(
        serviced.wiring.reactor.reaction_done,
        check_params_cb=lambda r: isinstance(r, ShutdownWanted),
        timeout=WAIT_MS,
    ):
        serviced.simulator.set_battery(15)
    assert "close after this request" in banner.label.text()
    assert serviced.quits == []  # the citizen finishes first

    controller.dispatch(StartOver())
    assert serviced.quits == [EXIT_POWER_LOW]


def test_mains_coming_back_calls_the_shutdown_off(
    qtbot: QtBot, serviced: ServicedKiosk
) -> None:
    controller = serviced.kiosk.controller
    controller.dispatch(Wake())
    banner = serviced.wiring.reactor.banner
    with qtbot.waitSignal(
        serviced.wiring.reactor.reaction_done,
        check_params_cb=lambda r: isinstance(r, ShutdownWanted),
        timeout=WAIT_MS,
    ):
        serviced.simulator.set_power(True, 10)
    serviced.simulator.set_power(False)
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=WAIT_MS)
    controller.dispatch(StartOver())
    assert serviced.quits == []


def test_a_flat_battery_on_the_attract_screen_closes_at_once(
    qtbot: QtBot, serviced: ServicedKiosk
) -> None:
    serviced.simulator.set_power(True, 5)
    qtbot.waitUntil(lambda: serviced.quits == [EXIT_POWER_LOW], timeout=WAIT_MS)


def test_demo_keys_play_the_simulated_board(
    qtbot: QtBot, serviced: ServicedKiosk
) -> None:
    keys = serviced.wiring.demo_keys
    assert keys is not None
    keys.on_door_key_activated()
    overlay = serviced.wiring.reactor.overlay
    qtbot.waitUntil(overlay.isVisible, timeout=WAIT_MS)
    keys.on_door_key_activated()
    qtbot.waitUntil(lambda: not overlay.isVisible(), timeout=WAIT_MS)
    keys.on_presence_key_activated()
    qtbot.waitUntil(lambda: _screen(serviced) is Screen.LANGUAGE, timeout=WAIT_MS)
