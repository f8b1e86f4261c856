"""The payment journal's tables, as migrations of the outbox database."""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils


def create_payments(db: sqlite_utils.Database) -> None:
    """Create the ``payments`` table and its guard indexes."""
    db["payments"].create(  # type: ignore[union-attr]
        {
            "id": str,
            "reference": str,
            "purpose": str,
            "request_uuid": str,
            "amount_bani": int,
            "currency": str,
            "state": str,
            "created_utc": str,
            "updated_utc": str,
            "terminal_id": str,
            "transaction_id": str,
            "masked_pan": str,
            "auth_code": str,
            "note": str,
        },
        pk="id",
        not_null={
            "reference",
            "purpose",
            "amount_bani",
            "currency",
            "state",
            "created_utc",
            "updated_utc",
        },
    )
    db["payments"].create_index(["reference"], unique=True)  # type: ignore[union-attr]
    db["payments"].create_index(["purpose"])  # type: ignore[union-attr]
    # The two promises of the journal, enforced by SQLite itself: one sale in
    # flight at a time (so the terminal's "last transaction" is always ours),
    # and per purpose at most one payment that is, or may be, charged.
    db.execute(
        "CREATE UNIQUE INDEX payments_one_in_flight ON payments(state) "
        "WHERE state = 'in_flight'"
    )
    db.execute(
        "CREATE UNIQUE INDEX payments_one_charge_per_purpose ON payments(purpose) "
        "WHERE state IN ('in_flight', 'approved', 'needs_technician')"
    )


PAYMENT_MIGRATIONS: list[tuple[str, Callable[[sqlite_utils.Database], None]]] = [
    ("0100_payments_create", create_payments),
]
"""The journal's migrations, appended to ``kiosk.store.MIGRATIONS``."""
