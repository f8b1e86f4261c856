"""Device reactions, LED choice, the outbox summary and ``technician set-pin``."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

from firmware_bridge.messages import (
    BatteryLevel,
    LedPattern,
    PowerSource,
    Presence,
    Tamper,
)
from kiosk.app import Core
from kiosk.config import McuSettings, Settings
from kiosk.devices import (
    DeviceReactions,
    LedChooser,
    PowerNotice,
    ShutdownWanted,
    SomeoneNear,
    SyncWanted,
    TamperAlarm,
    led_for_view,
)
from kiosk.hardware.camera_monitor import PresenceChanged
from kiosk.service import read_outbox_summary
from kiosk.session import Screen, View
from kiosk.store import NewRequest
from kiosk.technician import PinOutcome, PinStore
from kiosk.technician_cli import pin_path, run_set_pin


def _reactions() -> DeviceReactions:
    return DeviceReactions(
        McuSettings(presence_wake_mm=1000, shutdown_battery_percent=20)
    )


def test_presence_counts_once_from_sensor_or_camera() -> None:
    r = _reactions()
    assert r.on_event(Presence(1500)) == []
    assert r.on_event(Presence(800)) == [SomeoneNear(True)]
    assert r.on_event(Presence(700)) == []
    assert r.on_event(PresenceChanged(True)) == []
    assert r.on_event(Presence(None)) == []  # the camera still sees someone
    assert r.on_event(PresenceChanged(False)) == [SomeoneNear(False)]


def test_tamper_alarms_on_change_only() -> None:
    r = _reactions()
    assert r.on_event(Tamper(False)) == []
    assert r.on_event(Tamper(True)) == [TamperAlarm(True)]
    assert r.on_event(Tamper(True)) == []  # reported again after a reconnect
    assert r.on_event(Tamper(False)) == [TamperAlarm(False)]


def test_power_cut_syncs_and_a_low_battery_asks_for_one_shutdown() -> None:
    r = _reactions()
    assert r.on_event(BatteryLevel(100)) == []
    assert r.on_event(PowerSource(True)) == [PowerNotice(True, 100), SyncWanted()]
    assert r.on_event(BatteryLevel(21)) == [PowerNotice(True, 21)]
    assert r.on_event(BatteryLevel(20)) == [PowerNotice(True, 20), ShutdownWanted(20)]
    assert r.on_event(BatteryLevel(19)) == [PowerNotice(True, 19)]
    assert r.on_event(PowerSource(False)) == [PowerNotice(False, 19)]
    assert r.on_event(PowerSource(True)) == [
        PowerNotice(True, 19),
        SyncWanted(),
        ShutdownWanted(19),
    ]


def _view(screen: Screen) -> View:
    return View(screen, "ro", "")


def test_led_follows_the_session() -> None:
    assert led_for_view(_view(Screen.ATTRACT), None) is LedPattern.IDLE
    assert led_for_view(_view(Screen.DESCRIBE), Screen.LANGUAGE) is LedPattern.ATTENTION
    assert led_for_view(_view(Screen.FILING), Screen.SUMMARY) is LedPattern.BUSY
    assert led_for_view(_view(Screen.DONE), Screen.FILING) is LedPattern.SUCCESS
    assert led_for_view(_view(Screen.SUMMARY), Screen.FILING) is LedPattern.ERROR
    assert led_for_view(_view(Screen.SUMMARY), Screen.CONTACT) is LedPattern.ATTENTION


def test_led_chooser_puts_the_alarm_first_and_reports_changes_only() -> None:
    leds = LedChooser()
    assert leds.on_view(_view(Screen.ATTRACT)) is LedPattern.IDLE
    assert leds.on_presence(True) is LedPattern.ATTENTION
    assert leds.on_alarm(True) is LedPattern.OUT_OF_SERVICE
    assert leds.on_view(_view(Screen.ATTRACT)) is None
    assert leds.on_alarm(False) is LedPattern.ATTENTION
    assert leds.on_view(_view(Screen.LANGUAGE)) is None
    assert leds.on_view(_view(Screen.SUMMARY)) is None
    assert leds.on_view(_view(Screen.FILING)) is LedPattern.BUSY


def test_outbox_summary_holds_tickets_and_codes_but_no_personal_data(
    core: Core,
) -> None:
    assert read_outbox_summary(core.settings.storage.data_dir).counts == {}
    queued = core.outbox.enqueue(
        NewRequest("X1", "D1", "ro", "my secret words", "+40722123456", "a@b.ro", True)
    )
    summary = read_outbox_summary(core.settings.storage.data_dir)
    assert summary.counts == {"queued": 1}
    assert summary.oldest is not None
    assert summary.oldest.ticket == queued.ticket
    flat = repr(summary)
    for secret in ("secret", "722123456", "a@b.ro"):
        assert secret not in flat


def _args(settings: Settings) -> argparse.Namespace:
    return argparse.Namespace(config=None, data_dir=settings.storage.data_dir)


def test_set_pin_reads_it_twice_and_stores_only_the_hash(settings: Settings) -> None:
    out = io.StringIO()
    code = run_set_pin(_args(settings), io.StringIO("428613\n428613\n"), out)
    assert code == 0
    path = pin_path(settings)
    assert "428613" not in path.read_text()
    assert "428613" not in out.getvalue()
    assert PinStore(path).verify("428613").outcome is PinOutcome.ACCEPTED


def test_set_pin_refuses_two_different_pins_or_a_bad_one(settings: Settings) -> None:
    out = io.StringIO()
    assert run_set_pin(_args(settings), io.StringIO("1234\n4321\n"), out) == 1
    assert "differ" in out.getvalue()
    assert run_set_pin(_args(settings), io.StringIO("12\n12\n"), out) == 1
    assert "4 to 12 digits" in out.getvalue()
    assert not Path(pin_path(settings)).exists()
