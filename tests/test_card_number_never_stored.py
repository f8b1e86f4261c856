"""A real read of the virtual card, a paid filing, then a search for its number.

The virtual card's full number must not be found in the outbox database (with
its WAL), in any log (caplog, a DEBUG log file, pcscd's own log), in the
receipt text or image, nor in what the reader hands to the session.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from kiosk.app import build_core
from kiosk.config import Settings
from kiosk.hardware.card_reader import CardType
from kiosk.hardware.simulated_printer import SimulatedPrinter
from kiosk.hardware.simulated_terminal import SimulatedTerminal
from kiosk.payments.journal import PaymentJournal
from kiosk.payments.receipt import payment_receipt_lines
from kiosk.payments.service import PaymentService
from kiosk.store import NewRequest
from tests.virtual_card import READER_NAME, TEST_PAN, wait_until

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.virtual_card import CardSlot, Pcscd

pytest_plugins = ("tests.card_fixtures",)

FORMS = {
    "digits": TEST_PAN.encode(),
    "grouped": " ".join(TEST_PAN[i : i + 4] for i in range(0, 16, 4)).encode(),
    "bcd": bytes.fromhex(TEST_PAN),
    "utf-16": TEST_PAN.encode("utf-16-le"),
}


@pytest.fixture
def debug_log_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "kiosk-debug.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield path
    root.removeHandler(handler)
    root.setLevel(old_level)
    handler.close()


def leaks_in(blob: bytes) -> list[str]:
    return [name for name, form in FORMS.items() if form in blob]


def test_the_full_card_number_is_nowhere_after_a_paid_filing(
    pcscd: Pcscd,
    card_slot: Callable[..., CardSlot],
    settings: Settings,
    debug_log_file: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from kiosk.hardware.pcsc_reader import PcscCardReader

    caplog.set_level(logging.DEBUG)
    reader = PcscCardReader(f"{READER_NAME} 00 00")
    card_slot()
    info: list[object] = []
    wait_until(lambda: _read(reader, info), 10, "the card to be read")
    reader.close()
    card = info[0]
    assert card.card_type is CardType.PAYMENT  # type: ignore[attr-defined]
    assert leaks_in(repr(card).encode()) == []

    core = build_core(settings)
    try:
        service = core.catalog.service("urbanism.address_certificate")
        filed = core.filing.file(
            NewRequest(service.code, service.department, "ro", "certificat")
        )
        # The demo terminal "reads" the same card: it knows its last digits.
        terminal = SimulatedTerminal(
            settings.storage.data_dir / "terminal.json",
            card_last4=card.masked_pan[-4:],  # type: ignore[attr-defined]
        )
        payments = PaymentService(PaymentJournal(core.outbox), terminal, lambda: True)
        payment = payments.pay(payments.quote_fee(filed.request, service))
        receipt = replace(
            filed.receipt,
            ticket=f"{filed.receipt.ticket}-paid",
            lines=filed.receipt.lines + payment_receipt_lines(payment, "ro"),
        )
        SimulatedPrinter(settings.storage.data_dir / "receipts").print_receipt(receipt)
    finally:
        core.close()

    assert payment.charged
    assert "**** 0119" in receipt.as_text()
    searched = sorted(p for p in settings.storage.data_dir.rglob("*") if p.is_file())
    assert any(p.suffix == ".png" for p in searched)
    assert any(p.name.startswith("outbox.sqlite3") for p in searched)
    for path in [*searched, debug_log_file, pcscd.log_path]:
        assert leaks_in(path.read_bytes()) == [], path
    assert leaks_in(caplog.text.encode()) == []
    assert "Card read: reader=" in caplog.text


def _read(reader: object, out: list[object]) -> bool:
    from kiosk.hardware.card_reader import CardRemovedError

    try:
        out.append(reader.read_card())  # type: ignore[attr-defined]
    except CardRemovedError:
        return False
    return True
