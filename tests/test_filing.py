import sqlite3
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from PIL import Image

from kiosk.app import Core
from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.hardware.printer import PrinterStatus
from kiosk.hardware.simulated_printer import SimulatedPrinter
from kiosk.receipt import RECEIPT_WIDTH_CHARS, build_receipt
from kiosk.store import MIGRATIONS, NewRequest, Outbox, RequestState

REQUEST = NewRequest(
    service_code="civil.certificate_duplicate",
    department="stare_civila",
    language="ro",
    text="Am pierdut certificatul de naștere, vreau un duplicat.",
    email="ana@example.ro",
    consent=True,
)


def test_a_filed_request_is_on_disk_with_a_uuid_and_a_ticket(
    core: Core, settings: Settings
) -> None:
    result = core.filing.file(REQUEST)
    # A second, independent connection sees the committed row.
    conn = sqlite3.connect(settings.storage.data_dir / "outbox.sqlite3")
    row = conn.execute(
        "SELECT ticket, service_code, text, email, consent, state FROM requests "
        "WHERE uuid = ?",
        (result.request.uuid,),
    ).fetchone()
    conn.close()
    assert row == (
        result.request.ticket,
        REQUEST.service_code,
        REQUEST.text,
        "ana@example.ro",
        1,
        RequestState.QUEUED.value,
    )


def test_tickets_are_unique_and_increasing(core: Core) -> None:
    tickets = [core.filing.file(REQUEST).request.ticket for _ in range(3)]
    assert tickets == ["A-00001", "A-00002", "A-00003"]


def test_the_ticket_counter_survives_a_restart(settings: Settings) -> None:
    with Outbox.in_data_dir(settings.storage.data_dir) as outbox:
        first = outbox.enqueue(REQUEST).ticket
    with Outbox.in_data_dir(settings.storage.data_dir) as outbox:
        second = outbox.enqueue(REQUEST).ticket
        assert outbox.schema_version == len(MIGRATIONS)
    assert (first, second) == ("A-00001", "A-00002")


def test_the_outbox_uses_wal_and_full_sync(core: Core) -> None:
    conn = core.outbox.db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2


def test_the_receipt_is_saved_as_text_and_png(core: Core, settings: Settings) -> None:
    result = core.filing.file(REQUEST)
    assert result.printed
    folder = settings.storage.data_dir / "receipts"
    text = (folder / f"{result.request.ticket}.txt").read_text(encoding="utf-8")
    assert result.request.ticket in text
    assert "Serviciul Stare Civilă" in text
    image = Image.open(folder / f"{result.request.ticket}.png")
    assert image.width == 576 and image.height > 300
    assert image.getextrema() == (0, 255)


def test_the_receipt_shows_local_bucharest_time(core: Core, catalog: Catalog) -> None:
    queued = core.outbox.enqueue(REQUEST)
    winter = replace(queued, created_utc=datetime(2026, 1, 15, 10, 0, tzinfo=UTC))
    summer = replace(queued, created_utc=datetime(2026, 7, 15, 10, 0, tzinfo=UTC))
    zone = core.settings.zone
    assert "15.01.2026 12:00" in build_receipt(winter, catalog, "k1", zone).as_text()
    assert "15.07.2026 13:00" in build_receipt(summer, catalog, "k1", zone).as_text()


def test_the_receipt_is_in_the_citizens_language(core: Core) -> None:
    hungarian = replace(REQUEST, language="hu")
    result = core.filing.file(hungarian)
    assert "Anyakönyvi" in result.receipt.as_text()


def test_receipt_lines_never_exceed_the_paper_width(core: Core) -> None:
    result = core.filing.file(REQUEST)
    lines = result.receipt.as_text().splitlines()
    assert all(len(line) <= RECEIPT_WIDTH_CHARS for line in lines)


@pytest.mark.parametrize(
    "status",
    [PrinterStatus.PAPER_OUT, PrinterStatus.COVER_OPEN, PrinterStatus.NOT_ANSWERING],
)
def test_a_printer_fault_leaves_the_request_filed_and_says_why(
    core: Core, status: PrinterStatus
) -> None:
    assert isinstance(core.printer, SimulatedPrinter)
    core.printer.simulated_status = status
    result = core.filing.file(REQUEST)
    assert not result.printed
    assert result.printer_status is status
    assert core.outbox.get(result.request.uuid) is not None


def test_paper_low_still_prints(core: Core) -> None:
    assert isinstance(core.printer, SimulatedPrinter)
    core.printer.simulated_status = PrinterStatus.PAPER_LOW
    assert core.filing.file(REQUEST).printed


def test_a_service_that_cannot_be_filed_is_refused_before_storing(core: Core) -> None:
    external = replace(REQUEST, service_code="general.no_action", department="none")
    with pytest.raises(KeyError):
        core.filing.file(external)
    assert core.outbox.list() == []
