"""Builds the kiosk's core objects from the settings and wires them."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from kiosk.catalog import Catalog, load_catalog
from kiosk.config import Settings
from kiosk.filing import FilingService
from kiosk.hardware.factory import make_printer
from kiosk.hardware.printer import Printer
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

    def new_session(self) -> Session:
        """A session for the citizen flow."""
        return Session(self.catalog, self.router, self.settings.kiosk)

    def close(self) -> None:
        """Release the devices and the database."""
        self.printer.close()
        self.outbox.close()


def build_core(
    settings: Settings,
    catalog: Catalog | None = None,
    router: Routing | None = None,
    train_in_background: bool = False,
) -> Core:
    """Open the outbox and the devices named in the settings.

    A catalogue and a router built before can be passed in: training the
    router takes seconds, and tests share one. ``train_in_background`` lets
    the screen come up while the router trains.

    Raises:
        kiosk.store.StoreError: the data directory is unusable.
    """
    if catalog is None:
        catalog = load_catalog()
    if router is None:
        router = BackgroundRouter(catalog) if train_in_background else Router(catalog)
    outbox = Outbox.in_data_dir(settings.storage.data_dir)
    printer = make_printer(settings)
    filing = FilingService(outbox, printer, catalog, settings.kiosk.id, settings.zone)
    logger.info(
        "Kiosk %s ready, data in %s", settings.kiosk.id, settings.storage.data_dir
    )
    return Core(settings, catalog, router, outbox, printer, filing)
