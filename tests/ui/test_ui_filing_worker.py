"""The filing worker turns every outcome into an event and never raises."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Signal, Slot
from pytestqt.qtbot import QtBot

from kiosk.app import Core
from kiosk.filing import FilingResult, FilingService
from kiosk.hardware.printer import PrinterStatus
from kiosk.receipt import Receipt
from kiosk.session import Filed, FilingFailed
from kiosk.store import NewRequest, Outbox
from kiosk.ui.filing_worker import (
    STORAGE_UNAVAILABLE,
    UNEXPECTED,
    UNKNOWN_SERVICE,
    FilingThread,
    file_request,
)


def _request(core: Core) -> NewRequest:
    service = core.catalog.service("tax.payment_info")
    return NewRequest(
        service.code, service.department, "ro", "vreau să plătesc impozitul"
    )


class _Sender(QObject):
    requested = Signal(object)


class _Receiver(QObject):
    """Lives on the test's thread, like the controller, so answers queue."""

    received = Signal(object)

    @Slot(object)
    def on_worker_finished(self, event: object) -> None:
        self.received.emit(event)


class ExplodingFiling(FilingService):
    """A filing path with a bug in it."""

    def file(self, request: NewRequest) -> FilingResult:
        raise RuntimeError("bug")


class BrokenPrinter:
    """A printer whose driver has a bug: every call raises."""

    def status(self) -> PrinterStatus:
        raise RuntimeError("driver bug")

    def print_receipt(self, receipt: Receipt) -> None:
        raise RuntimeError("driver bug")

    def close(self) -> None:
        pass


def test_worker_thread_files_and_answers_by_signal(qtbot: QtBot, core: Core) -> None:
    thread = FilingThread(core.filing)
    thread.start()
    try:
        sender, receiver = _Sender(), _Receiver()
        sender.requested.connect(thread.worker.on_controller_filing_requested)
        thread.worker.finished.connect(receiver.on_worker_finished)
        with qtbot.waitSignal(receiver.received, timeout=10_000) as blocker:
            sender.requested.emit(_request(core))
        event = blocker.args[0]
        assert isinstance(event, Filed)
        assert event.result.request.text == "vreau să plătesc impozitul"
    finally:
        assert thread.stop()


def test_closed_outbox_becomes_a_storage_unavailable_message(
    core: Core, tmp_path: Path
) -> None:
    outbox = Outbox.in_data_dir(tmp_path / "other")
    outbox.close()
    filing = FilingService(
        outbox, core.printer, core.catalog, "test-kiosk", core.settings.zone
    )

    assert file_request(filing, _request(core)) == FilingFailed(STORAGE_UNAVAILABLE)


def test_unknown_service_becomes_a_message(core: Core) -> None:
    request = NewRequest("no.such_service", "none", "ro", "text")

    assert file_request(core.filing, request) == FilingFailed(UNKNOWN_SERVICE)


def test_a_bug_while_filing_becomes_a_message_not_a_crash(
    core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    filing = ExplodingFiling(
        core.outbox, core.printer, core.catalog, "test-kiosk", core.settings.zone
    )

    assert file_request(filing, _request(core)) == FilingFailed(UNEXPECTED)
    assert "unexpected error" in caplog.text


def test_a_printer_driver_bug_does_not_unfile_a_stored_request(core: Core) -> None:
    filing = FilingService(
        core.outbox, BrokenPrinter(), core.catalog, "test-kiosk", core.settings.zone
    )

    event = file_request(filing, _request(core))

    assert isinstance(event, Filed)
    assert not event.result.printed
    assert core.outbox.by_ticket(event.result.request.ticket) is not None
