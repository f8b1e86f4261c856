"""The ``kiosk`` command: run the kiosk, file requests, inspect the queue."""

from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from firmware_bridge.cli import add_parsers as add_mcu_parsers
from kiosk.app import build_core
from kiosk.config import LANGUAGES, ConfigError, Settings, load_settings
from kiosk.contact import ContactError, normalise_email, normalise_phone
from kiosk.diag.cli import add_parsers as add_diag_parsers
from kiosk.hardware.printer_emulator import add_parser as add_printer_emulator_parser
from kiosk.i18n import translations
from kiosk.payments.cli import add_parsers as add_payment_parsers
from kiosk.request_text import RequestTextError, checked_text
from kiosk.routing import Decision, DecisionKind
from kiosk.routing.cli import add_parser as add_route_parser
from kiosk.speech.cli import add_parsers as add_speech_parsers
from kiosk.store import NewRequest, StoreError
from kiosk.sync.cli import add_parsers as add_sync_parsers
from kiosk.sync.cli import sync_once
from kiosk.technician_cli import add_parsers as add_technician_parsers

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_NEEDS_CHOICE = 3
"""``kiosk file`` could not pick one service; the candidates are printed."""
EXIT_INTERRUPTED = 130
"""Stopped with Ctrl-C (128 + SIGINT, as shells report it)."""
INTERRUPTED = (
    "kiosk: interrupted; nothing was half-written to the outbox "
    "(`kiosk queue list` shows what was filed)"
)

Handler = Callable[[argparse.Namespace], int]


def _common_options() -> argparse.ArgumentParser:
    # Accepted both before and after the subcommand; SUPPRESS keeps a value
    # given before the subcommand from being reset by the subparser default.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config", type=Path, default=argparse.SUPPRESS, help="settings file (TOML)"
    )
    common.add_argument(
        "--data-dir", type=Path, default=argparse.SUPPRESS, help="data directory"
    )
    common.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    common = _common_options()
    parser = argparse.ArgumentParser(
        prog="kiosk", description="Antonia city hall kiosk", parents=[common]
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", parents=[common], help="start the kiosk screen")
    run.add_argument("--fullscreen", action="store_true", help="fill the screen")
    run.add_argument(
        "--screenshot",
        type=Path,
        metavar="FILE",
        help="save the first frame as a PNG file and quit",
    )
    run.set_defaults(handler=_run, log_to_stdout=True)

    file_ = sub.add_parser(
        "file", parents=[common], help="file a request on a citizen's behalf"
    )
    file_.add_argument("text", help="the request in the citizen's words")
    file_.add_argument("--lang", choices=LANGUAGES, default="ro")
    file_.add_argument("--service", help="service code; skips routing")
    file_.add_argument("--phone", default="", help="contact phone (needs --consent)")
    file_.add_argument("--email", default="", help="contact e-mail (needs --consent)")
    file_.add_argument(
        "--consent",
        action="store_true",
        help="the citizen agreed that the city hall keeps the contact details",
    )
    file_.add_argument("--json", action="store_true", help="machine-readable output")
    file_.set_defaults(handler=_file)

    add_sync_parsers(sub, [common])
    add_printer_emulator_parser(sub, parents=[common])
    add_route_parser(sub, parents=[common])
    add_diag_parsers(sub, parents=[common])
    add_mcu_parsers(sub, parents=[common])
    add_speech_parsers(sub, parents=[common])
    add_payment_parsers(sub, common)
    add_technician_parsers(sub, parents=[common])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kiosk`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    for name, default in (("config", None), ("data_dir", None), ("verbose", False)):
        if not hasattr(args, name):
            setattr(args, name, default)
    from kiosk.logsetup import configure_logging

    configure_logging(args.verbose, service=getattr(args, "log_to_stdout", False))
    handler: Handler = args.handler
    try:
        return handler(args)
    except ConfigError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        # Filing is one transaction, so Ctrl-C either kept the whole request
        # (its ticket was committed) or rolled all of it back.
        print(INTERRUPTED, file=sys.stderr)
        return EXIT_INTERRUPTED


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(args.config, args.data_dir)


def _run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if not _has_display():
        # Qt would abort with a misleading message about missing libraries.
        print(
            "kiosk: no display to show the kiosk on: set DISPLAY (or "
            "QT_QPA_PLATFORM=offscreen), or use `make run`, which starts a "
            "virtual screen",
            file=sys.stderr,
        )
        return EXIT_USAGE
    # Qt is imported only here, so the other commands run on machines
    # (and in services) without a display stack.
    from kiosk.ui.main import run_app

    core = build_core(settings, train_in_background=True)
    try:
        code = run_app(
            core,
            fullscreen=args.fullscreen or settings.kiosk.fullscreen,
            screenshot=args.screenshot,
            sync_now=functools.partial(sync_once, settings),
        )
    finally:
        core.close()
    return code


def _has_display() -> bool:
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith(("xcb", "wayland")):
        return True  # offscreen, vnc, eglfs...: Qt needs no X or Wayland server
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _file(args: argparse.Namespace) -> int:
    # The same checks as on the screen, before anything is loaded or stored.
    _ = translations(args.lang).gettext
    try:
        text = checked_text(args.text)
        phone = normalise_phone(args.phone) if args.phone.strip() else None
        email = normalise_email(args.email) if args.email.strip() else None
    except RequestTextError as exc:
        print(f"kiosk: {_(exc.message).format(**exc.fields)}", file=sys.stderr)
        return EXIT_USAGE
    except ContactError as exc:
        print(f"kiosk: {_(exc.message)}", file=sys.stderr)
        return EXIT_USAGE
    if (phone or email) and not args.consent:
        print(
            "kiosk: contact details are kept only with the citizen's consent; "
            "add --consent once they have agreed",
            file=sys.stderr,
        )
        return EXIT_USAGE
    core = build_core(_settings(args))
    try:
        if args.service:
            if args.service not in core.catalog:
                print(f"kiosk: unknown service code {args.service!r}", file=sys.stderr)
                return EXIT_USAGE
            service = core.catalog.service(args.service)
        else:
            decision = core.router.route(text, args.lang)
            if decision.kind is not DecisionKind.CONFIRM or decision.best is None:
                _print_candidates(decision, args.lang)
                return EXIT_NEEDS_CHOICE
            service = decision.best.service
        if not service.is_fileable:
            print(f"kiosk: {service.code} is not a city hall matter", file=sys.stderr)
            return EXIT_USAGE
        request = NewRequest(
            service_code=service.code,
            department=service.department,
            language=args.lang,
            text=text,
            phone=phone,
            email=email,
            consent=bool(phone or email),
        )
        result = core.filing.file(request)
    finally:
        core.close()
    if args.json:
        print(
            json.dumps(
                {
                    "ticket": result.request.ticket,
                    "uuid": result.request.uuid,
                    "service_code": service.code,
                    "department": service.department,
                    "printed": result.printed,
                    "printer_status": result.printer_status.value,
                },
                ensure_ascii=False,
            )
        )
    else:
        print(f"Ticket {result.request.ticket}: {service.name(args.lang)}")
        if not result.printed:
            print(f"Receipt not printed: printer {result.printer_status.value}")
    return EXIT_OK


_UNSURE = {
    DecisionKind.CHOOSE: "routing is not sure which service this is",
    DecisionKind.CLARIFY: "the text is too vague to file",
    DecisionKind.EXTERNAL: "this is not a city hall matter",
    DecisionKind.REPROMPT: "the text is not a request the kiosk understands",
}


def _print_candidates(decision: Decision, lang: str) -> None:
    reason = _UNSURE.get(decision.kind, decision.kind.value)
    print(f"kiosk: {reason}; choose a service with --service:", file=sys.stderr)
    for candidate in decision.candidates:
        service = candidate.service
        print(
            f"  {service.code}  {candidate.probability:.2f}  {service.name(lang)}",
            file=sys.stderr,
        )
