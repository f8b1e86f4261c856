"""The ``[payment]`` and ``[card_reader]`` sections: taking a card payment.

The payment terminal runs the sale and its timeouts. The contactless
reader is chosen on its own (simulated, PC/SC or none) and is checked on a
timer, so it comes back after pcscd restarts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiosk.config.errors import ConfigError


@dataclass(frozen=True)
class PaymentSettings:
    """Card payment terminal selection."""

    driver: str = "simulated"
    """"simulated" (demo terminal keeping its state in a file) or "none"."""
    state_file: Path = Path("payment-terminal.json")
    """Simulated terminal's state; relative paths are under the data dir."""
    terminal_id: str = "SIM00001"
    """Terminal id the simulated terminal prints on receipts."""
    sale_timeout_s: float = 90.0
    """Seconds a sale waits for the card before the terminal gives up."""
    card_warning_s: float = 30.0
    """Seconds before that limit the kiosk says and shows a countdown and
    offers more time (WCAG 2.2.1 asks for at least 20)."""
    busy_retry_s: float = 1.0
    """Seconds between "last transaction" queries while the terminal is busy."""


@dataclass(frozen=True)
class CardReaderSettings:
    """Contactless card reader selection."""

    driver: str = "simulated"
    """"simulated", "pcsc" (pyscard through pcscd) or "none"."""
    reader: str = ""
    """Start of the PC/SC reader name; empty means the first reader."""
    check_interval_s: float = 5.0
    """Seconds between health checks that revive the reader after pcscd restarts."""


def validate_payment(payment: PaymentSettings) -> None:
    """Refuse an unknown terminal driver or a timing that is not above zero."""
    if payment.driver not in ("simulated", "none"):
        raise ConfigError("payment.driver", "must be 'simulated' or 'none'")
    for key in ("sale_timeout_s", "card_warning_s", "busy_retry_s"):
        if getattr(payment, key) <= 0:
            raise ConfigError(f"payment.{key}", "must be above zero")


def validate_card_reader(card_reader: CardReaderSettings) -> None:
    """Refuse an unknown reader driver or a check interval not above zero."""
    if card_reader.driver not in ("simulated", "pcsc", "none"):
        raise ConfigError("card_reader.driver", "must be 'simulated', 'pcsc' or 'none'")
    if card_reader.check_interval_s <= 0:
        raise ConfigError("card_reader.check_interval_s", "must be above zero")
