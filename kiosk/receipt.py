"""The receipt a citizen takes home, as data and as printable lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk.catalog import Catalog
from kiosk.hardware.printer_profiles import DEFAULT_PROFILE, get_profile
from kiosk.i18n import translations
from kiosk.store import QueuedRequest

RECEIPT_WIDTH_CHARS = get_profile(DEFAULT_PROFILE).chars_per_line
"""Characters per line of the default printer model's font A (48 on an
80 mm TM-T20II); a printer of another model passes its own width."""


@dataclass(frozen=True)
class Receipt:
    """Everything printed on one receipt, already in the citizen's language."""

    ticket: str
    title: str
    lines: tuple[tuple[str, str], ...]
    """Label and value pairs, printed one under the other."""
    footer: str
    qr_payload: str
    """What the QR code encodes: enough to look the ticket up later."""

    def as_text(self, width: int = RECEIPT_WIDTH_CHARS) -> str:
        """The receipt as plain text lines no wider than ``width``."""
        out = [self.title.center(width), "=" * width]
        for label, value in self.lines:
            out.append(f"{label}:")
            out.extend(_wrap(value, width - 2, indent="  "))
        out.append("-" * width)
        out.extend(_wrap(self.footer, width))
        return "\n".join(out) + "\n"


def build_receipt(
    request: QueuedRequest, catalog: Catalog, kiosk_id: str, zone: ZoneInfo
) -> Receipt:
    """The receipt for a request that is safely in the outbox."""
    _ = translations(request.language).gettext
    service = catalog.service(request.service_code)
    department = catalog.department(request.department)
    local = request.created_utc.astimezone(zone)
    return Receipt(
        ticket=request.ticket,
        title=_("City Hall - request receipt"),
        lines=(
            (_("Ticket number"), request.ticket),
            (_("Department"), department.name(request.language)),
            (_("Service"), service.name(request.language)),
            (_("Date and time"), _format_local(local)),
            (_("Kiosk"), kiosk_id),
        ),
        footer=_(
            "Your request has been registered. Keep this receipt: scan the "
            "code or enter the ticket number at any kiosk to see its status."
        ),
        qr_payload=f"antonia:ticket:{kiosk_id}:{request.ticket}",
    )


def _format_local(moment: datetime) -> str:
    # Day-month-year and a 24-hour clock read the same in ro, hu and en.
    return moment.strftime("%d.%m.%Y %H:%M")


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > width:
            if current:
                lines.append(indent + current)
                current = ""
            lines.append(indent + word[:width])
            word = word[width:]
        if current and len(current) + 1 + len(word) > width:
            lines.append(indent + current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(indent + current)
    return lines
