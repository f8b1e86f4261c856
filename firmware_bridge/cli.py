"""The ``kiosk mcu-sim`` command: a simulated microcontroller on a pty."""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from firmware_bridge.simulator import SimulatedMcu

_HELP = """commands, one per line on standard input:
  presence MM | presence none    someone at MM millimetres / nobody
  tamper open | tamper closed    the service door
  headphones in | headphones out the headphone jack
  buttons MASK                   buttons held (bit mask, 0 = none)
  battery on [PCT] | battery off UPS on battery (with a level) / on mains
  silent | resume                stop answering / answer again
  unplug | plug                  remove the pty / make a new one
  quit"""


def add_parsers(
    subparsers: Any, parents: Sequence[argparse.ArgumentParser] = ()
) -> None:
    """Add ``mcu-sim`` to the ``kiosk`` command's subparsers."""
    parser = subparsers.add_parser(
        "mcu-sim",
        parents=list(parents),
        help="run a simulated microcontroller on a pty",
        description="Simulated kiosk microcontroller on a pseudo-terminal.",
        epilog=_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--link",
        type=Path,
        required=True,
        help="symlink to create; point [mcu] port at it",
    )
    parser.set_defaults(handler=run_simulator)


def run_simulator(
    args: argparse.Namespace, commands: TextIO | None = None, out: TextIO | None = None
) -> int:
    """Run the simulator until ``quit`` or the end of the command input."""
    commands = commands if commands is not None else sys.stdin
    out = out if out is not None else sys.stdout
    with SimulatedMcu(args.link) as mcu:
        print(f"simulated MCU on {args.link}", file=out, flush=True)
        for line in commands:
            words = line.split()
            if not words:
                continue
            if words[0] == "quit":
                break
            try:
                apply_command(mcu, words)
            except (ValueError, IndexError):
                print(f"? {line.strip()}\n{_HELP}", file=out, flush=True)
                continue
            print(f"ok {line.strip()}", file=out, flush=True)
        else:
            # End of input (a pipe or /dev/null): keep running until killed.
            if commands is sys.stdin and not sys.stdin.isatty():
                threading.Event().wait()
    return 0


def apply_command(mcu: SimulatedMcu, words: list[str]) -> None:
    """Carry out one scripting command; ValueError if it is not one."""
    verb, rest = words[0], words[1:]
    if verb == "presence":
        mcu.set_presence(None if rest[0] == "none" else int(rest[0]))
    elif verb == "tamper" and rest[0] in ("open", "closed"):
        mcu.set_tamper(rest[0] == "open")
    elif verb == "headphones" and rest[0] in ("in", "out"):
        mcu.set_headphones(rest[0] == "in")
    elif verb == "buttons":
        mcu.press_buttons(int(rest[0], 0))
    elif verb == "battery" and rest[0] in ("on", "off"):
        mcu.set_power(rest[0] == "on", int(rest[1]) if len(rest) > 1 else None)
    elif verb == "silent":
        mcu.go_silent()
    elif verb == "resume":
        mcu.resume()
    elif verb == "unplug":
        mcu.disappear()
    elif verb == "plug":
        mcu.come_back()
    else:
        raise ValueError(verb)
