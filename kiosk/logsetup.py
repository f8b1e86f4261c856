"""Logging to stdout in a form journald stores well."""

from __future__ import annotations

import logging
import sys


def configure_logging(verbose: bool = False, service: bool = False) -> None:
    """Send records to stdout for services, to stderr for one-shot commands.

    journald reads a service's stdout and adds the time stamp itself. A
    command such as ``kiosk queue list --json`` keeps stdout for its answer,
    so its log lines go to stderr.
    """
    handler = logging.StreamHandler(sys.stdout if service else sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
