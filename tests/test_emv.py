from __future__ import annotations

import pytest

from kiosk.hardware import emv
from tests.virtual_card import TEST_PAN, VirtualPaymentCard


def transmit_to(card: VirtualPaymentCard, log: list[str]) -> emv.Transmit:
    def transmit(apdu: bytes) -> tuple[bytes, int]:
        answer = card.execute(apdu)
        log.append(f"{apdu.hex().upper()} -> {answer[-2:].hex().upper()}")
        return answer[:-2], int.from_bytes(answer[-2:], "big")

    return transmit


@pytest.mark.parametrize("t0_style", [True, False])
@pytest.mark.parametrize("exact_le", [True, False])
def test_a_payment_card_is_read_and_masked(t0_style: bool, exact_le: bool) -> None:
    log: list[str] = []
    transmit = transmit_to(
        VirtualPaymentCard(t0_style=t0_style, exact_le=exact_le), log
    )

    ppse = emv.select_ppse(transmit)
    assert ppse is not None
    app = emv.read_payment_application(transmit, ppse)

    assert app == emv.PaymentApplication("A0000000031010", "VISA DEBIT", "**** 0119")
    assert TEST_PAN not in repr(app)


def test_61xx_is_followed_by_get_response() -> None:
    log: list[str] = []
    transmit = transmit_to(VirtualPaymentCard(t0_style=True), log)

    data, sw = emv.exchange(transmit, emv.select(emv.PPSE_NAME))

    assert sw == 0x9000
    assert data.startswith(b"\x6f")
    assert log[0].endswith("-> 6131")
    assert log[1] == "00C0000031 -> 9000"


def test_6cxx_is_followed_by_a_resend_with_the_exact_length() -> None:
    log: list[str] = []
    transmit = transmit_to(VirtualPaymentCard(exact_le=True), log)

    data, sw = emv.exchange(transmit, emv.read_record(1, 1))

    assert sw == 0x9000
    assert [line[:10] for line in log] == ["00B2010C00", "00B2010C25"]
    assert log[0].endswith("-> 6C25")


def test_a_card_without_ppse_is_not_a_payment_card() -> None:
    transmit = transmit_to(VirtualPaymentCard(payment=False), [])

    assert emv.select_ppse(transmit) is None


def test_tlv_parses_two_byte_tags_and_long_lengths() -> None:
    data = bytes.fromhex("5F2403291231") + b"\x70\x81\x80" + b"\x5a\x7e" + b"1" * 126

    tags = [tag for tag, _ in emv.walk_tlv(data)]

    assert tags == [0x5F24, 0x70, 0x5A]


@pytest.mark.parametrize("bad", ["5A05 0102", "5F", "5A", "5A83FFFFFF"])
def test_malformed_tlv_is_an_error_not_silence(bad: str) -> None:
    with pytest.raises(emv.EmvError):
        emv.parse_tlv(bytes.fromhex(bad.replace(" ", "")))


def test_a_card_that_keeps_answering_61xx_is_an_error() -> None:
    with pytest.raises(emv.EmvError):
        emv.exchange(lambda apdu: (b"", 0x6110), emv.select(emv.PPSE_NAME))


def test_masking_keeps_only_the_last_four_digits() -> None:
    assert emv.mask_pan(TEST_PAN) == "**** 0119"
    assert emv.mask_pan("12") == ""


def test_an_atr_padded_with_zeros_by_the_driver_is_trimmed() -> None:
    atr = bytes.fromhex("3B8A80018031807386E0FF009C9000FA")
    assert emv.trim_atr(atr + bytes(17)) == atr
    assert emv.trim_atr(atr) == atr


def test_an_atr_that_really_ends_in_zero_keeps_it() -> None:
    # T0 = 0x02: no interface bytes, two historical bytes, the last one zero.
    atr = bytes.fromhex("3B024100")
    assert emv.trim_atr(atr + bytes(29)) == atr
