from dataclasses import fields
from pathlib import Path

import pytest

from kiosk.config import ConfigError, Settings, load_settings

EXAMPLE = Path(__file__).parent.parent / "kiosk.example.toml"


def test_no_file_gives_demo_settings_with_simulated_devices() -> None:
    settings = load_settings()
    assert settings.printer.driver == "simulated"
    assert settings.kiosk.timezone == "Europe/Bucharest"


def test_the_example_file_in_the_repository_loads() -> None:
    settings = load_settings(EXAMPLE)
    assert settings.kiosk.id


def test_data_dir_option_overrides_the_file(tmp_path: Path) -> None:
    assert load_settings(EXAMPLE, tmp_path).storage.data_dir == tmp_path


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[kiosk]\ndefault_language = 'de'\n", "kiosk.default_language"),
        ("[kiosk]\ntimezone = 'Mars/Olympus'\n", "kiosk.timezone"),
        ("[kiosk]\ntimezone = 'Europe'\n", "kiosk.timezone"),
        ("[kiosk]\nidle_warning_s = -1\n", "kiosk.idle_warning_s"),
        ("[kiosk]\nidle_warning_s = 'soon'\n", "kiosk.idle_warning_s"),
        ("[kiosk]\nfullscreen = 1\n", "kiosk.fullscreen"),
        ("[kiosk]\ncolour = 'red'\n", "kiosk.colour"),
        ("[monitor]\nx = 1\n", "monitor"),
        ("[screen]\nx = 1\n", "screen.x"),
        ("[screen]\nwidth_px = 0\n", "screen.width_px"),
        ("[screen]\ndiagonal_in = 0\n", "screen.diagonal_in"),
        ("[screen]\nbottom_mm = 3000\n", "screen.bottom_mm"),
        ("[printer]\ndriver = 'laser'\n", "printer.driver"),
        ("[printer]\ndriver = 'escpos'\n", "printer.port"),
        ("[printer]\ndriver = 'escpos'\nport = 'garbage://x'\n", "printer.port"),
        ("[printer]\ndriver = 'escpos'\nport = 'ttyUSB0'\n", "printer.port"),
        ("[printer]\ndriver = 'escpos'\nport = 'http://x'\n", "printer.port"),
        ("[printer]\nstatus_timeout_s = 0\n", "printer.status_timeout_s"),
        ("[printer]\nprint_timeout_s = -1.5\n", "printer.print_timeout_s"),
        ("[printer]\nprint_timeout_s = 'long'\n", "printer.print_timeout_s"),
        ("[printer]\nprofile = 'TM-X'\n", "printer.profile"),
        ("[sync]\ninterval_s = 1e-300\n", "sync.interval_s"),
        ("[sync]\ninterval_s = 0.5\n", "sync.interval_s"),
        ("[speech]\nrate_wpm = 40\n", "speech.rate_wpm"),
        ("[speech]\nrate_wpm = 451\n", "speech.rate_wpm"),
        ("[speech]\nrate_wpm = 175.5\n", "speech.rate_wpm"),
        ("[speech]\nslow_rate_wpm = 175\n", "speech.slow_rate_wpm"),
        ("[speech]\nslow_rate_wpm = 79\n", "speech.slow_rate_wpm"),
        ("kiosk = 3\n", "kiosk"),
        ("[kiosk\n", "--config"),
    ],
)
def test_a_bad_value_names_its_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert info.value.key == key
    assert (key if key != "--config" else "configuration file") in str(info.value)


@pytest.mark.parametrize(
    "port",
    [
        "/dev/ttyUSB0",
        "socket://127.0.0.1:9100",
        "rfc2217://127.0.0.1:2217",
        "LOOP://",
        "spy:///dev/ttyS0",
        "alt:///dev/ttyS0?class=PosixPollSerial",
        "hwgrep://0403:6001",
    ],
)
def test_printer_ports_pyserial_can_open_are_accepted(
    tmp_path: Path, port: str
) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f"[printer]\ndriver = 'escpos'\nport = '{port}'\n", encoding="utf-8"
    )
    assert load_settings(path).printer.port == port


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(tmp_path / "absent.toml")


def test_every_setting_has_a_docstring() -> None:
    import ast

    package = Path(__file__).parent.parent / "kiosk" / "config"
    modules = [ast.parse(path.read_text()) for path in sorted(package.glob("*.py"))]
    for node in [node for tree in modules for node in tree.body]:
        if isinstance(node, ast.ClassDef) and node.name.endswith("Settings"):
            body = node.body
            for i, stmt in enumerate(body):
                if isinstance(stmt, ast.AnnAssign) and node.name != "Settings":
                    following = body[i + 1] if i + 1 < len(body) else None
                    assert isinstance(following, ast.Expr), (
                        f"{node.name}.{ast.unparse(stmt.target)} has no docstring"
                    )


@pytest.mark.parametrize(
    "text",
    [
        "[kiosk]\nnightly_restart_local = '03:30'\n",  # skipped/repeated in Bucharest
        "[kiosk]\nnightly_restart_local = '4:30'\n",
        "[kiosk]\nnightly_restart_local = '25:00'\n",
        "[kiosk]\nnightly_restart_local = 'dawn'\n",
    ],
)
def test_a_nightly_restart_time_must_exist_once_every_day(
    tmp_path: Path, text: str
) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert info.value.key == "kiosk.nightly_restart_local"


def test_the_nightly_restart_is_off_by_default_and_on_in_the_example() -> None:
    assert load_settings().kiosk.nightly_restart_local == ""
    assert load_settings(EXAMPLE).kiosk.nightly_restart_local == "04:30"


def test_the_dim_delay_has_a_floor(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("[kiosk]\ndim_after_s = 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="kiosk.dim_after_s"):
        load_settings(path)


def test_the_example_file_lists_every_setting() -> None:
    import dataclasses
    import re
    import typing

    from kiosk.config import Settings

    text = EXAMPLE.read_text(encoding="utf-8")
    missing = []
    sections = typing.get_type_hints(Settings)
    for name, cls in sections.items():
        for key in dataclasses.fields(cls):
            if not re.search(rf"^(# )?{key.name} = ", text, re.MULTILINE):
                missing.append(f"{name}.{key.name}")
    assert missing == []


def _float_keys() -> list[str]:
    """Every setting whose default is a float, as "section.key"."""
    keys = []
    for section in fields(Settings):
        defaults = getattr(Settings(), section.name)
        for item in fields(defaults):
            if isinstance(getattr(defaults, item.name), float):
                keys.append(f"{section.name}.{item.name}")
    return keys


FLOAT_KEYS = _float_keys()


def test_the_float_settings_include_the_ones_nan_slipped_through() -> None:
    expected = {
        "kiosk.idle_warning_s",
        "kiosk.idle_reset_s",
        "kiosk.done_screen_s",
        "printer.status_timeout_s",
        "printer.print_timeout_s",
        "payment.sale_timeout_s",
        "payment.busy_retry_s",
        "card_reader.check_interval_s",
    }
    assert expected <= set(FLOAT_KEYS)
    assert any(k.startswith("speech.") for k in FLOAT_KEYS)
    assert any(k.startswith("mcu.") for k in FLOAT_KEYS)
    assert any(k.startswith("camera.") for k in FLOAT_KEYS)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "+nan", "1e999", "1" * 400])
@pytest.mark.parametrize("key", FLOAT_KEYS)
def test_a_non_finite_number_is_refused_for_every_float_setting(
    tmp_path: Path, key: str, value: str
) -> None:
    section, name = key.split(".")
    path = tmp_path / "kiosk.toml"
    path.write_text(f"[{section}]\n{name} = {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path, tmp_path)
    assert info.value.key == key
    assert "finite" in str(info.value)


def test_a_config_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_bytes(b'[kiosk]\nid = "\xff"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert info.value.key == "--config"
    assert "c.toml is not UTF-8 text" in str(info.value)
