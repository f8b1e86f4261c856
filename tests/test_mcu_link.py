import io
import logging
import random
from argparse import Namespace
from pathlib import Path

import pytest

from firmware_bridge.cli import run_simulator
from firmware_bridge.framing import Frame, encode_frame
from firmware_bridge.link import LinkState, LinkStateChanged, McuLink
from firmware_bridge.messages import (
    Headphones,
    LedPattern,
    Presence,
    Tamper,
    encode_message,
)
from tests.mcu_fixtures import WAIT_S, running_link, running_simulator, wait


def _connected(status):
    return status.state is LinkState.CONNECTED and status.battery_percent is not None


def test_link_connects_and_learns_the_sensor_state(tmp_path: Path):
    with running_simulator(tmp_path) as mcu, running_link(mcu.link_path) as link:
        # The jack is the last value of the board's report.
        status = wait(link, lambda s: _connected(s) and s.headphones is not None)
        assert status.tamper_open is False
        assert status.on_battery is False
        assert status.headphones is False
        assert wait(link, lambda s: s.rtt_s is not None).rtt_s < 1.0


def test_sensor_changes_reach_the_host_as_events(tmp_path: Path):
    events: list[object] = []
    with (
        running_simulator(tmp_path) as mcu,
        running_link(mcu.link_path, events) as link,
    ):
        wait(link, _connected)
        mcu.set_presence(640)
        mcu.set_tamper(True)
        mcu.set_power(True, percent=35)
        mcu.press_buttons(0b10)
        mcu.set_headphones(True)
        status = wait(
            link,
            lambda s: s.buttons == 0b10 and s.battery_percent == 35 and s.headphones,
        )
        assert status.presence_mm == 640
        assert status.tamper_open is True
        assert status.on_battery is True
    assert Presence(640) in events
    assert Tamper(True) in events
    assert Headphones(True) in events
    assert LinkStateChanged(LinkState.CONNECTED) in events


def test_led_pattern_reaches_the_microcontroller(tmp_path: Path):
    with running_simulator(tmp_path) as mcu, running_link(mcu.link_path) as link:
        wait(link, _connected)
        link.set_led(LedPattern.SUCCESS, (0, 255, 0))
        assert mcu.wait_for_heartbeats(mcu.heartbeats + 3, WAIT_S)
        assert mcu.led.pattern is LedPattern.SUCCESS
        assert (mcu.led.red, mcu.led.green) == (0, 255)


def test_garbage_on_the_line_is_counted_and_the_link_carries_on(tmp_path: Path):
    rng = random.Random(7)
    with running_simulator(tmp_path) as mcu, running_link(mcu.link_path) as link:
        wait(link, _connected)
        for distance in range(100, 120):
            mcu.inject(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 60))))
            mcu.set_presence(distance)
        type_code, payload = encode_message(Presence(5))
        good = encode_frame(Frame(200, type_code, payload))
        mcu.inject(good[:-3])  # truncated
        bad = bytearray(good)
        bad[7] ^= 1
        mcu.inject(bytes(bad))  # bad CRC
        mcu.inject(b"\x02" * 300)  # no delimiter for far too long
        mcu.set_presence(999)
        status = wait(link, lambda s: s.presence_mm == 999)
        assert status.bad_frames >= 3
        assert status.state is LinkState.CONNECTED


def test_host_sees_silence_and_recovery(tmp_path: Path):
    with running_simulator(tmp_path) as mcu, running_link(mcu.link_path) as link:
        wait(link, _connected)
        mcu.go_silent()
        wait(link, lambda s: s.state is LinkState.SILENT)
        mcu.resume()
        wait(link, lambda s: s.state is LinkState.CONNECTED)


def test_device_that_disappears_and_comes_back_is_reconnected(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    with running_simulator(tmp_path) as mcu, running_link(mcu.link_path) as link:
        wait(link, _connected)
        link.set_led(LedPattern.IDLE)
        mcu.disappear()
        wait(link, lambda s: s.state is LinkState.DISCONNECTED)
        mcu.set_tamper(True)  # happens while unplugged
        mcu.come_back()
        status = wait(link, lambda s: _connected(s) and s.tamper_open is True)
        assert status.reconnects == 1
        assert mcu.wait_for_heartbeats(mcu.heartbeats + 2, WAIT_S)
        assert mcu.led.pattern is LedPattern.IDLE
    assert "lost" in caplog.text


def test_link_keeps_trying_a_port_that_is_not_there_yet(tmp_path: Path):
    path = tmp_path / "ttyMCU"
    with running_link(path) as link:
        wait(link, lambda s: s.state is LinkState.DISCONNECTED)
        with running_simulator(tmp_path):
            wait(link, _connected)


def test_simulator_shows_out_of_service_when_heartbeats_stop(tmp_path: Path):
    with running_simulator(tmp_path) as mcu:
        with running_link(mcu.link_path) as link:
            wait(link, _connected)
            assert mcu.in_service.wait(WAIT_S)
            assert not mcu.out_of_service.is_set()
        assert mcu.out_of_service.wait(WAIT_S)
        with running_link(mcu.link_path) as link:
            assert mcu.in_service.wait(WAIT_S)


def test_close_returns_promptly_and_state_is_closed(tmp_path: Path):
    with running_simulator(tmp_path) as mcu:
        link = McuLink(str(mcu.link_path), heartbeat_s=0.05)
        link.start()
        wait(link, lambda s: s.state is LinkState.CONNECTED)
        link.close()
        assert link.status().state is LinkState.CLOSED
        with pytest.raises(RuntimeError, match="already started"):
            link.start()


def test_mcu_sim_command_follows_a_script(tmp_path: Path, caplog):
    caplog.set_level(logging.INFO)
    script = io.StringIO(
        "presence 500\ntamper open\nheadphones in\nbogus\nbattery on 20\nquit\n"
    )
    out = io.StringIO()
    assert run_simulator(Namespace(link=tmp_path / "tty"), script, out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("simulated MCU on")
    assert "ok presence 500" in lines
    assert "ok headphones in" in lines
    assert "? bogus" in lines
    assert not (tmp_path / "tty").exists()
