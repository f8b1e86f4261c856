"""The ``[storage]`` and ``[sync]`` sections: where requests wait, how they leave.

Requests are kept in the outbox under the data directory until the
city hall's Open311 back-end has them; these sections say where that
directory is, how long contact details stay after delivery, and how and
how often the kiosk reaches the back-end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

from kiosk.config.errors import ConfigError


@dataclass(frozen=True)
class StorageSettings:
    """Where the kiosk keeps its outbox and receipts."""

    data_dir: Path = field(
        default_factory=lambda: Path(platformdirs.user_data_dir("antonia"))
    )
    """Directory for the outbox database and simulated-printer output."""
    purge_contact_after_days: int = 30
    """Days after the back-end confirmed a request before its phone and e-mail
    are wiped from the outbox (0 wipes them at the next sync); 0 to 3650."""


MIN_SYNC_INTERVAL_S = 1.0
"""Shortest wait between two runs of the sync service."""


@dataclass(frozen=True)
class SyncSettings:
    """How the kiosk reaches the city hall's Open311 back-end."""

    endpoint: str = "http://127.0.0.1:8311/"
    """Base URL of the GeoReport v2 API (requests.json is appended); the
    default is the reference back-end started by ``kiosk backend``."""
    api_key_file: str = ""
    """File holding the API key on its first line; empty uses the demo key
    that the reference back-end accepts by default."""
    jurisdiction_id: str = ""
    """Open311 jurisdiction_id sent with every call; empty leaves it out."""
    timeout_s: float = 10.0
    """Seconds to wait for the back-end to connect or answer, per call."""
    interval_s: float = 300.0
    """Seconds between sync runs of the service loop (``kiosk sync``)."""
    budget_s: float = 120.0
    """Longest one sync run may take, back-off waits included, in seconds."""


def validate_storage(storage: StorageSettings) -> None:
    """Refuse a contact-purge delay outside 0 to 3650 days."""
    if not 0 <= storage.purge_contact_after_days <= 3650:
        raise ConfigError("storage.purge_contact_after_days", "must be 0 to 3650")


def validate_sync(sync: SyncSettings) -> None:
    """Refuse a bad endpoint URL, a timing not above zero, or a missing key file."""
    if not sync.endpoint.startswith(("http://", "https://")):
        raise ConfigError("sync.endpoint", "must be an http:// or https:// URL")
    try:
        # .port raises ValueError for a port that is not a number or too big.
        host, _port = urlsplit(sync.endpoint).hostname, urlsplit(sync.endpoint).port
    except ValueError as exc:
        raise ConfigError("sync.endpoint", f"is not a valid URL: {exc}") from exc
    if not host:
        raise ConfigError("sync.endpoint", "must name a host, as in http://host/")
    for key in ("timeout_s", "interval_s", "budget_s"):
        value = getattr(sync, key)
        # nan compares False with everything, so "<= 0" alone lets it in.
        if not math.isfinite(value) or value <= 0:
            raise ConfigError(f"sync.{key}", "must be a finite number above zero")
    if sync.interval_s < MIN_SYNC_INTERVAL_S:
        # A wait of next to nothing would run syncs back to back.
        raise ConfigError(
            "sync.interval_s", f"must be at least {MIN_SYNC_INTERVAL_S:g} s"
        )
    if sync.api_key_file and not Path(sync.api_key_file).is_file():
        raise ConfigError("sync.api_key_file", f"{sync.api_key_file} is not a file")
