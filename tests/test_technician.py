import json
from pathlib import Path

import pytest
from argon2 import PasswordHasher, Type

from kiosk.technician import PinError, PinOutcome, PinStore


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


# Cheap argon2id parameters: the tests check the logic, not the hash cost.
_FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)


@pytest.fixture
def pins(tmp_path: Path, clock: FakeClock) -> PinStore:
    store = PinStore(tmp_path / "pin.json", clock=clock, hasher=_FAST)
    store.set_pin("428613")
    return store


def test_right_pin_is_accepted_and_stored_only_as_argon2id(pins: PinStore):
    assert pins.verify("428613").outcome is PinOutcome.ACCEPTED
    raw = pins.path.read_text()
    assert "428613" not in raw
    assert json.loads(raw)["hash"].startswith("$argon2id$")
    assert pins.path.stat().st_mode & 0o777 == 0o600


def test_five_wrong_pins_lock_for_five_minutes(pins: PinStore, clock: FakeClock):
    left = [pins.verify("000000").attempts_left for _ in range(4)]
    assert left == [4, 3, 2, 1]
    locked = pins.verify("000000")
    assert locked.outcome is PinOutcome.LOCKED
    assert locked.locked_for_s == 300
    clock.now += 299
    still = pins.verify("428613")
    assert still.outcome is PinOutcome.LOCKED  # even the right PIN
    assert still.locked_for_s == pytest.approx(1)
    clock.now += 2
    assert pins.verify("428613").outcome is PinOutcome.ACCEPTED


def test_lock_survives_a_restart(pins: PinStore, clock: FakeClock, tmp_path: Path):
    for _ in range(5):
        pins.verify("1111")
    again = PinStore(pins.path, clock=clock, hasher=_FAST)
    assert again.verify("428613").outcome is PinOutcome.LOCKED


def test_after_the_lock_a_wrong_pin_starts_a_new_count(
    pins: PinStore, clock: FakeClock
):
    for _ in range(5):
        pins.verify("1111")
    clock.now += 301
    assert pins.verify("1111").attempts_left == 4


def test_right_pin_resets_the_count(pins: PinStore):
    for _ in range(3):
        pins.verify("9999")
    pins.verify("428613")
    assert pins.verify("9999").attempts_left == 4


def test_no_pin_set_keeps_the_screen_closed(tmp_path: Path, clock: FakeClock):
    store = PinStore(tmp_path / "none.json", clock=clock, hasher=_FAST)
    assert not store.is_set()
    assert store.verify("1234").outcome is PinOutcome.NOT_SET


@pytest.mark.parametrize("bad", ["123", "abcd", "1234567890123", "١٢٣٤"])
def test_pins_must_be_4_to_12_digits(pins: PinStore, bad: str):
    with pytest.raises(PinError, match="4 to 12 digits"):
        pins.set_pin(bad)


def test_damaged_file_is_reported(pins: PinStore):
    pins.path.write_text("{not json")
    with pytest.raises(PinError, match="damaged"):
        pins.verify("428613")
