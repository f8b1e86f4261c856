from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import pytest

from kiosk.cli import _common_options
from kiosk.hardware.payment_terminal import TerminalUnavailableError
from kiosk.hardware.simulated_terminal import Behaviour, SimulatedTerminal
from kiosk.payments.cli import EXIT_ATTENTION, EXIT_FAILED, EXIT_OK, add_parsers
from kiosk.payments.journal import PaymentJournal
from kiosk.payments.service import PaymentService, PaymentUncertainError, Quote
from kiosk.store import Outbox


def run(data_dir: Path, *argv: str) -> int:
    common = _common_options()
    parser = argparse.ArgumentParser(parents=[common])
    add_parsers(parser.add_subparsers(dest="command", required=True), common)
    args = parser.parse_args([*argv, "--data-dir", str(data_dir)])
    args.config = getattr(args, "config", None)
    code: int = args.handler(args)
    return code


def test_payments_list_shows_the_journal_as_json(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Outbox.in_data_dir(data_dir) as outbox:
        terminal = SimulatedTerminal(data_dir / "payment-terminal.json")
        PaymentService(PaymentJournal(outbox), terminal, lambda: True).pay(
            Quote("fee:A-00001", 500)
        )

    assert run(data_dir, "payments", "list", "--json") == EXIT_OK

    (row,) = json.loads(capsys.readouterr().out)
    assert (row["state"], row["masked_pan"], row["amount_bani"]) == (
        "approved",
        "**** 0119",
        500,
    )


def test_payments_recover_settles_what_was_left_in_flight(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Outbox.in_data_dir(data_dir) as outbox:
        terminal = SimulatedTerminal(
            data_dir / "payment-terminal.json", behaviours=[Behaviour.ANSWER_LATER]
        )
        terminal.late_answer_queries = 100
        service = PaymentService(
            PaymentJournal(outbox), terminal, lambda: True, wait=lambda s: None
        )
        with pytest.raises(PaymentUncertainError):
            service.pay(Quote("fee:A-00001", 500))
    assert run(data_dir, "payments", "list") == EXIT_ATTENTION

    assert run(data_dir, "payments", "recover") == EXIT_OK
    assert "approved" in capsys.readouterr().out


def test_card_read_uses_the_configured_reader(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The simulated reader starts empty: the command reports it and fails.
    assert run(data_dir, "card", "read") == EXIT_FAILED
    assert "no card" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "cause"),
    [
        (b"{garbage\n", "not valid JSON"),
        (b"[1, 2, 3]", "JSON list, not an object"),
        (b"{}", "next_seq"),
        (b'{"next_seq": 2, "busy": null, "transactions": [{"x": 1}]}', "transaction 1"),
        (b'{"next_seq": 1, "busy": 7, "transactions": []}', "busy"),
        (b"[" * 100_000, "not valid JSON"),
        (b'{"next_seq": "\xff"}', "not UTF-8"),
    ],
)
def test_payments_recover_reports_a_corrupt_terminal_state_and_keeps_it(
    data_dir: Path, capsys: pytest.CaptureFixture[str], content: bytes, cause: str
) -> None:
    state_file = data_dir / "payment-terminal.json"
    state_file.write_bytes(content)

    assert run(data_dir, "payments", "recover") == EXIT_FAILED

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert str(state_file) in captured.err and cause in captured.err
    assert state_file.read_bytes() == content


def test_a_corrupt_state_file_holding_an_approved_sale_is_never_reset(
    data_dir: Path,
) -> None:
    state_file = data_dir / "payment-terminal.json"
    with Outbox.in_data_dir(data_dir) as outbox:
        terminal = SimulatedTerminal(state_file)
        PaymentService(PaymentJournal(outbox), terminal, lambda: True).pay(
            Quote("fee:A-00001", 500)
        )
    damaged = state_file.read_bytes()[:-40]
    state_file.write_bytes(damaged)

    with pytest.raises(TerminalUnavailableError, match="not valid JSON"):
        SimulatedTerminal(state_file)
    assert state_file.read_bytes() == damaged
    assert not state_file.with_suffix(".tmp").exists()


def test_payments_recover_reports_a_state_file_that_is_a_directory(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (data_dir / "terminal-dir").mkdir()
    config = tmp_path / "kiosk.toml"
    config.write_text('[payment]\nstate_file = "terminal-dir"\n', encoding="utf-8")

    assert run(data_dir, "payments", "recover", "--config", str(config)) == (
        EXIT_FAILED
    )

    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "terminal-dir" in err and "cannot read" in err


def test_the_kiosk_starts_with_payments_off_when_the_terminal_state_is_corrupt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from kiosk.app import build_payments
    from kiosk.config import load_settings
    from kiosk.hardware.simulated_printer import SimulatedPrinter

    settings = load_settings(None, tmp_path)
    (tmp_path / settings.payment.state_file).write_text("{garbage", encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="kiosk.app"):
        desk = build_payments(settings, SimulatedPrinter(tmp_path / "r"))
    assert desk is None
    assert "Card payments are off" in caplog.text
    assert (tmp_path / settings.payment.state_file).read_text() == "{garbage"
