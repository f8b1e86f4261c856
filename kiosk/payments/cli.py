"""Technician commands: ``kiosk payments list|recover`` and ``kiosk card read``."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

from kiosk.config import load_settings
from kiosk.hardware.card_reader import CardReaderError
from kiosk.hardware.factory import make_card_reader, make_payment_terminal
from kiosk.hardware.payment_terminal import TerminalError
from kiosk.payments.amounts import format_amount
from kiosk.payments.journal import Payment, PaymentJournal, PaymentState
from kiosk.payments.service import PaymentService
from kiosk.store import Outbox

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_ATTENTION = 4
"""Some payment is still in flight or needs a technician."""


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add the ``payments`` and ``card`` commands to the ``kiosk`` parser."""
    payments = sub.add_parser("payments", parents=[common], help="card payments")
    payments_sub = payments.add_subparsers(dest="payments_command", required=True)
    listing = payments_sub.add_parser(
        "list", parents=[common], help="list the payment journal"
    )
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)
    recover = payments_sub.add_parser(
        "recover", parents=[common], help="settle payments left in flight"
    )
    recover.set_defaults(handler=_recover)

    card = sub.add_parser("card", parents=[common], help="the contactless reader")
    card_sub = card.add_subparsers(dest="card_command", required=True)
    read = card_sub.add_parser("read", parents=[common], help="read the card once")
    read.set_defaults(handler=_read_card)


def _list(args: argparse.Namespace) -> int:
    settings = load_settings(args.config, args.data_dir)
    with Outbox.in_data_dir(settings.storage.data_dir) as outbox:
        payments = PaymentJournal(outbox).list()
    if args.json:
        print(json.dumps([_as_json(p) for p in payments], ensure_ascii=False))
    elif not payments:
        print("no payments in the journal")
    else:
        for p in payments:
            print(
                f"{p.reference}  {p.state.value:<16} {format_amount(p.amount_bani):>14}"
                f"  {p.masked_pan or '-':<9}  {p.purpose}"
            )
    return EXIT_ATTENTION if any(_needs_attention(p) for p in payments) else EXIT_OK


def _recover(args: argparse.Namespace) -> int:
    settings = load_settings(args.config, args.data_dir)
    try:
        terminal = make_payment_terminal(settings)
    except TerminalError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if terminal is None:
        print("kiosk: card payments are off ([payment] driver)", file=sys.stderr)
        return EXIT_FAILED
    with Outbox.in_data_dir(settings.storage.data_dir) as outbox:
        journal = PaymentJournal(outbox)
        # Reachability of the back-end does not matter: recovery charges nobody.
        service = PaymentService(journal, terminal, lambda: True)
        for payment in service.recover():
            print(f"{payment.reference}  {payment.state.value}")
        left = [p for p in journal.list() if _needs_attention(p)]
    terminal.close()
    for payment in left:
        print(f"{payment.reference}  {payment.state.value}  {payment.note or ''}")
    return EXIT_ATTENTION if left else EXIT_OK


def _read_card(args: argparse.Namespace) -> int:
    settings = load_settings(args.config, args.data_dir)
    reader = make_card_reader(settings)
    if reader is None:
        print("kiosk: no card reader configured", file=sys.stderr)
        return EXIT_FAILED
    try:
        card = reader.read_card()
    except CardReaderError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        reader.close()
    print(f"{card.reader}: {card.card_type.value} ATR {card.atr} {card.masked_pan}")
    return EXIT_OK


def _needs_attention(payment: Payment) -> bool:
    return payment.state in (PaymentState.IN_FLIGHT, PaymentState.NEEDS_TECHNICIAN)


def _as_json(payment: Payment) -> dict[str, Any]:
    return {
        "reference": payment.reference,
        "purpose": payment.purpose,
        "state": payment.state.value,
        "amount_bani": payment.amount_bani,
        "currency": payment.currency,
        "masked_pan": payment.masked_pan,
        "auth_code": payment.auth_code,
        "terminal_id": payment.terminal_id,
        "transaction_id": payment.transaction_id,
        "created_utc": payment.created_utc.isoformat(),
        "note": payment.note,
    }
