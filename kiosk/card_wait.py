"""The card terminal's time limit as the session sees it, and more time.

A terminal waits a fixed time for the card (``[payment] sale_timeout_s``)
and a sale cannot be lengthened once it runs. So the kiosk keeps its own
clock of the sale: ``warning_s`` before the limit it announces a countdown,
and when the citizen asks for more time it lets that sale time out and
starts a new one for the same order, as often as asked. Nothing here
imports Qt or talks to the terminal; the session turns these answers into
effects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kiosk.i18n import N_
from kiosk.payment_flow import PaymentOrder

CARD_WAIT = N_("The terminal waits for your card {seconds} more seconds.")
ASK_MORE_TIME = N_("Touch the screen or press any key for more time.")
MORE_TIME_GIVEN = N_("You have more time. The terminal will ask for your card again.")
ASKING_AGAIN = N_("The terminal asks for your card again.")


@dataclass(frozen=True)
class SaleLimit:
    """How long the terminal waits for a card, and when to warn."""

    sale_timeout_s: float = 90.0
    """The terminal's own limit for one sale, seconds."""
    warning_s: float = 30.0
    """Seconds before that limit the countdown starts (WCAG asks for 20)."""


class CardWait:
    """One order on the terminal: the running sale's clock and the answers."""

    def __init__(self, order: PaymentOrder, limit: SaleLimit, now: float) -> None:
        self.order = order
        self.limit = limit
        self.started = now
        """When the session handed the current sale to the worker."""
        self.sales = 1
        """Sales run for this order so far (one more per extension)."""
        self.more_time = False
        """The citizen asked for more time during the current sale."""
        self.cancelled = False
        """The citizen pressed cancel; no new sale may start."""

    def countdown(self, now: float) -> int | None:
        """Whole seconds left to show, or None before the warning is due.

        The worker starts the sale a moment after the session asks, so the
        terminal's real limit is a little later: the warning is never late.
        """
        if self.more_time or self.cancelled:
            return None
        left = self.limit.sale_timeout_s - (now - self.started)
        if left > self.limit.warning_s:
            return None
        return max(0, math.ceil(left))

    def ask_more_time(self, now: float) -> bool:
        """The citizen is still here; True if that extends the wait now."""
        if self.cancelled or self.more_time or self.countdown(now) is None:
            return False
        self.more_time = True
        return True

    def cancel(self) -> None:
        """The citizen stops the payment; no further sale starts."""
        self.cancelled = True
        self.more_time = False

    def restart_after_time_out(self, now: float) -> bool:
        """After a no-card time-out: True if a new sale starts at once."""
        if not self.more_time or self.cancelled:
            return False
        self.started = now
        self.sales += 1
        self.more_time = False
        return True
