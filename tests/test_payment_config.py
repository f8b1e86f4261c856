from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, Settings, load_settings
from kiosk.hardware.factory import make_card_reader, make_payment_terminal
from kiosk.hardware.simulated_card_reader import SimulatedCardReader
from kiosk.hardware.simulated_terminal import SimulatedTerminal


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_demo_has_a_simulated_terminal_and_reader(settings: Settings) -> None:
    terminal = make_payment_terminal(settings)
    assert isinstance(terminal, SimulatedTerminal)
    assert terminal.state_file == settings.storage.data_dir / "payment-terminal.json"
    assert isinstance(make_card_reader(settings), SimulatedCardReader)


def test_payments_and_reader_can_be_switched_off(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[payment]\ndriver = "none"\n[card_reader]\ndriver = "none"\n'
    )
    settings = load_settings(path, tmp_path)

    assert make_payment_terminal(settings) is None
    assert make_card_reader(settings) is None


def test_the_pcsc_reader_is_built_with_its_name(tmp_path: Path) -> None:
    path = write(tmp_path, '[card_reader]\ndriver = "pcsc"\nreader = "ACS ACR122U"\n')

    reader = make_card_reader(load_settings(path, tmp_path))

    assert type(reader).__name__ == "PcscCardReader"
    assert reader.reader_prefix == "ACS ACR122U"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[payment]\ndriver = "ingenico"\n', "payment.driver"),
        ("[payment]\nsale_timeout_s = 0\n", "payment.sale_timeout_s"),
        ('[card_reader]\ndriver = "usb"\n', "card_reader.driver"),
        ("[card_reader]\ncolour = 1\n", "card_reader.colour"),
    ],
)
def test_bad_payment_settings_name_their_key(
    tmp_path: Path, text: str, key: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text), tmp_path)
    assert caught.value.key == key
