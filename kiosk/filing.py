"""Filing a request: route it, make it durable, then print the receipt.

The same path serves the touch screen, the voice flow and ``kiosk file``.
The order is the promise to the citizen: the request is committed to the
outbox before anything tells them it was filed, and a printer fault never
undoes a filing (the ticket is then shown on screen instead).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from kiosk.catalog import Catalog
from kiosk.hardware.printer import Printer, PrinterError, PrinterStatus
from kiosk.receipt import Receipt, build_receipt
from kiosk.store import NewRequest, Outbox, QueuedRequest

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FilingResult:
    """What happened to one request."""

    request: QueuedRequest
    receipt: Receipt
    printed: bool
    printer_status: PrinterStatus
    """The printer's state when it was asked; why it did not print, if not."""


class FilingService:
    """Queues requests durably and prints their receipts."""

    def __init__(
        self,
        outbox: Outbox,
        printer: Printer,
        catalog: Catalog,
        kiosk_id: str,
        zone: ZoneInfo,
    ) -> None:
        self.outbox = outbox
        self.printer = printer
        self.catalog = catalog
        self.kiosk_id = kiosk_id
        self.zone = zone

    def file(self, request: NewRequest) -> FilingResult:
        """File one request.

        Raises:
            KeyError: the service code is not in the catalogue.
            kiosk.store.StoreError: the request could not be stored; nothing
                was filed and nothing printed.
        """
        service = self.catalog.service(request.service_code)
        if not service.is_fileable:
            raise KeyError(f"service {service.code} cannot be filed here")
        queued = self.outbox.enqueue(request)
        receipt = build_receipt(queued, self.catalog, self.kiosk_id, self.zone)
        try:
            printed, status = self._print(receipt)
        except Exception:  # noqa: BLE001 - supervisor of the printer driver
            # The request is already durable. A driver bug must not reach the
            # citizen as "not saved", or they would file it a second time.
            logger.exception("Receipt not printed: ticket=%s", receipt.ticket)
            printed, status = False, PrinterStatus.NOT_ANSWERING
        return FilingResult(queued, receipt, printed, status)

    def _print(self, receipt: Receipt) -> tuple[bool, PrinterStatus]:
        status = self.printer.status()
        if not status.can_print:
            logger.warning(
                "Receipt not printed, printer %s: ticket=%s",
                status.value,
                receipt.ticket,
            )
            return False, status
        try:
            self.printer.print_receipt(receipt)
        except PrinterError as exc:
            logger.warning("Receipt not printed: ticket=%s: %s", receipt.ticket, exc)
            return False, exc.status
        return True, status
