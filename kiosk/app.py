"""Builds the kiosk's core objects from the settings and wires them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.card_wait import SaleLimit
from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.filing import FilingService
from kiosk.hardware.factory import make_payment_terminal, make_printer
from kiosk.hardware.payment_terminal import TerminalUnavailableError
from kiosk.hardware.printer import Printer
from kiosk.payment_flow import PaymentDesk
from kiosk.payments.journal import PaymentJournal
from kiosk.payments.reachability import BackendProbe
from kiosk.payments.service import PaymentService
from kiosk.pulled_catalog import latest_catalog
from kiosk.routing import Router, Routing
from kiosk.routing.background import BackgroundRouter
from kiosk.session import Session
from kiosk.store import Outbox

logger = logging.getLogger(__name__)


@dataclass
class Core:
    """The Qt-free heart of a running kiosk."""

    settings: Settings
    catalog: Catalog
    router: Routing
    outbox: Outbox
    printer: Printer
    filing: FilingService
    payments: PaymentDesk | None = None
    """Card payments, or None when the kiosk has no terminal."""

    def new_session(self) -> Session:
        """A session for the citizen flow."""
        return Session(
            self.catalog,
            self.router,
            self.settings.kiosk,
            payments=self.payments is not None,
            sale_limit=SaleLimit(
                self.settings.payment.sale_timeout_s,
                self.settings.payment.card_warning_s,
            ),
        )

    def close(self) -> None:
        """Release the devices and the database."""
        if self.payments is not None:
            self.payments.close()
        self.printer.close()
        self.outbox.close()


def build_core(
    settings: Settings,
    catalog: Catalog | None = None,
    router: Routing | None = None,
    train_in_background: bool = False,
    backend_reachable: Callable[[], bool] | None = None,
) -> Core:
    """Open the outbox and the devices named in the settings.

    A catalogue and a router built before can be passed in: training the
    router takes seconds, and tests share one. ``train_in_background`` lets
    the screen come up while the router trains. ``backend_reachable``
    replaces the check of the sync endpoint that gates card payments.

    Raises:
        kiosk.store.StoreError: the data directory is unusable.
    """
    if catalog is None:
        catalog = latest_catalog(settings.storage.data_dir)
    if router is None:
        router = BackgroundRouter(catalog) if train_in_background else Router(catalog)
    outbox = Outbox.in_data_dir(settings.storage.data_dir)
    printer = make_printer(settings)
    filing = FilingService(outbox, printer, catalog, settings.kiosk.id, settings.zone)
    payments = build_payments(settings, printer, backend_reachable)
    logger.info(
        "Kiosk %s ready, data in %s", settings.kiosk.id, settings.storage.data_dir
    )
    return Core(settings, catalog, router, outbox, printer, filing, payments)


def build_payments(
    settings: Settings,
    printer: Printer,
    backend_reachable: Callable[[], bool] | None = None,
) -> PaymentDesk | None:
    """The card payment desk, or None when no terminal is configured.

    The journal gets its own outbox connection: it is used only on the
    payment worker's thread, while the filing worker writes requests.
    """
    try:
        terminal = make_payment_terminal(settings)
    except TerminalUnavailableError as exc:
        # Requests must still be filed; only card payments wait for a
        # technician (kiosk diag payment says what is wrong).
        logger.error("Card payments are off: %s", exc)
        return None
    if terminal is None:
        return None
    journal = PaymentJournal(Outbox.in_data_dir(settings.storage.data_dir))
    reachable = backend_reachable or BackendProbe(settings.sync.endpoint)
    service = PaymentService(journal, terminal, reachable)
    service.busy_retry_s = settings.payment.busy_retry_s
    return PaymentDesk(service, printer, settings.kiosk.id, settings.zone)
