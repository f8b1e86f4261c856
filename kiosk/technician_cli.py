"""The ``kiosk technician set-pin`` command: set the service screen's PIN."""

from __future__ import annotations

import argparse
import contextlib
import sys
import termios
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from kiosk.config import Settings, load_settings
from kiosk.technician import PIN_FILENAME, PinError, PinStore

EXIT_OK = 0
EXIT_FAILED = 1


def pin_path(settings: Settings) -> Path:
    """Where the technician PIN's hash lives: the kiosk's data directory."""
    return settings.storage.data_dir / PIN_FILENAME


def add_parsers(
    subparsers: Any, parents: Sequence[argparse.ArgumentParser] = ()
) -> None:
    """Add ``technician set-pin`` to the ``kiosk`` command's subparsers."""
    parser = subparsers.add_parser(
        "technician",
        parents=list(parents),
        help="technician access to the kiosk's service screen",
    )
    sub = parser.add_subparsers(dest="technician_command", required=True)
    set_pin = sub.add_parser(
        "set-pin",
        parents=list(parents),
        help="set the service screen's PIN (4 to 12 digits, read twice)",
        description=(
            "Read the new PIN twice from standard input (not echoed on a "
            "terminal) and store its argon2id hash in the data directory."
        ),
    )
    set_pin.set_defaults(handler=run_set_pin)


def run_set_pin(
    args: argparse.Namespace, stdin: TextIO | None = None, out: TextIO | None = None
) -> int:
    """Handler of ``kiosk technician set-pin``."""
    stdin = stdin if stdin is not None else sys.stdin
    out = out if out is not None else sys.stderr
    settings = load_settings(args.config, args.data_dir)
    first = read_secret("New technician PIN: ", stdin, out)
    second = read_secret("Repeat the PIN: ", stdin, out)
    if first != second:
        print("kiosk: the two PINs differ; nothing was changed", file=out)
        return EXIT_FAILED
    store = PinStore(pin_path(settings))
    try:
        store.set_pin(first)
    except PinError as exc:
        print(f"kiosk: {exc}; nothing was changed", file=out)
        return EXIT_FAILED
    print(f"Technician PIN set in {store.path}", file=out)
    return EXIT_OK


def read_secret(prompt: str, stdin: TextIO, out: TextIO) -> str:
    """One line from ``stdin``, not echoed when it is a terminal."""
    print(prompt, end="", file=out, flush=True)
    with _no_echo(stdin):
        line = stdin.readline()
    if stdin.isatty():
        print(file=out)  # the Enter key was not echoed either
    return line.rstrip("\r\n")


@contextlib.contextmanager
def _no_echo(stream: TextIO) -> Iterator[None]:
    if not stream.isatty():
        yield
        return
    fd = stream.fileno()
    saved = termios.tcgetattr(fd)
    quiet = termios.tcgetattr(fd)
    quiet[3] &= ~termios.ECHO
    termios.tcsetattr(fd, termios.TCSADRAIN, quiet)
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
