"""Fixtures for the printer tests: the emulator on a pty pair and a driver on it."""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.catalog import load_catalog
from kiosk.hardware.escpos_encoder import encode_receipt
from kiosk.hardware.escpos_printer import EscposPrinter
from kiosk.hardware.printer_emulator import PrinterEmulator
from kiosk.hardware.printer_profiles import get_profile
from kiosk.receipt import Receipt, build_receipt
from kiosk.store import QueuedRequest, RequestState

GOLDEN_DIR = Path(__file__).parent / "golden"
GOLDEN_PROFILE = "TM-T20II"
GOLDEN_LANGUAGES = ("ro", "hu")
SOCAT_START_TIMEOUT_S = 5.0

ROMANIAN_HUNGARIAN_RECEIPT = Receipt(
    ticket="A017",
    title="Primăria Cluj-Napoca",
    lines=(
        ("Număr tichet", "A017"),
        ("Serviciu", "Înregistrare ștampilă, țară"),
        ("Szolgáltatás", "Lakossági parkolóbérlet, Ődön Győző ű"),
    ),
    footer="Păstrați această chitanță.",
    qr_payload="antonia:ticket:demo-kiosk:A017",
)


@pytest.fixture
def receipt() -> Receipt:
    """A receipt with Romanian (comma-below) and Hungarian (ő ű) letters."""
    return ROMANIAN_HUNGARIAN_RECEIPT


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[PrinterEmulator]:
    """A TM-T20II emulator plugged in on a fresh pty pair."""
    emu = PrinterEmulator(
        get_profile("TM-T20II"), tmp_path / "emulated", tmp_path / "ttyPRINTER"
    )
    emu.plug()
    try:
        yield emu
    finally:
        emu.unplug()


@pytest.fixture
def escpos_printer(emulator: PrinterEmulator) -> Iterator[EscposPrinter]:
    """The ESC/POS driver on the kiosk side of the emulator's pty."""
    printer = EscposPrinter(emulator.port, 19200, emulator.profile, print_timeout_s=2.0)
    try:
        yield printer
    finally:
        printer.close()


def golden_request(language: str) -> QueuedRequest:
    """A queued request with everything fixed: uuid, ticket and time."""
    return QueuedRequest(
        uuid="3f2b8c1e-5d7a-4e90-9b6c-0a1d2e3f4a5b",
        ticket="A-00017",
        service_code="tax.vehicle_declaration",
        department="ditl",
        language=language,
        text="Am cumpărat o mașină din țară și vreau să o declar.",
        phone=None,
        email=None,
        consent=False,
        created_utc=datetime(2026, 3, 14, 8, 5, tzinfo=UTC),
        state=RequestState.QUEUED,
        attempts=0,
        last_error=None,
        server_id=None,
    )


def golden_receipt(language: str) -> Receipt:
    """The receipt the kiosk builds for ``golden_request(language)``."""
    return build_receipt(
        golden_request(language),
        load_catalog(),
        "cj-primarie-01",
        ZoneInfo("Europe/Bucharest"),
    )


def golden_bytes(language: str) -> bytes:
    """What the encoder makes of the golden receipt today."""
    receipt = golden_receipt(language)
    return encode_receipt(receipt, get_profile(GOLDEN_PROFILE)).data


def golden_path(language: str) -> Path:
    """The committed golden file of one language."""
    return GOLDEN_DIR / f"receipt-{language}-{GOLDEN_PROFILE}.bin"


class SocatPair:
    """A socat pty pair whose two ends are the links ttyKIOSK and ttyPRINTER."""

    def __init__(self, folder: Path) -> None:
        self.kiosk = folder / "ttyKIOSK"
        self.printer = folder / "ttyPRINTER"
        self.log: list[str] = []
        """socat's own messages (-d -d), for failure reports."""
        self._process: subprocess.Popen[str] | None = None
        self._drain: threading.Thread | None = None

    def start(self) -> None:
        """Start socat and return once both links exist."""
        for link in (self.kiosk, self.printer):
            link.unlink(missing_ok=True)
        self._process = subprocess.Popen(
            [
                "socat",
                "-d",
                "-d",
                f"pty,raw,echo=0,link={self.kiosk}",
                f"pty,raw,echo=0,link={self.printer}",
            ],
            stderr=subprocess.PIPE,
            text=True,
        )
        looping = threading.Event()
        self._drain = threading.Thread(
            target=self._read_log, args=(self._process, looping), daemon=True
        )
        self._drain.start()
        # socat makes both links before it says it starts its transfer loop.
        if not looping.wait(SOCAT_START_TIMEOUT_S):
            self.stop()
            raise RuntimeError(f"socat did not start: {self.log}")
        if not (self.kiosk.exists() and self.printer.exists()):
            self.stop()
            raise RuntimeError(f"socat made no links: {self.log}")

    def stop(self) -> None:
        """End socat by its PID, as if the cable were pulled."""
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(SOCAT_START_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if self._drain is not None:
            self._drain.join()
        assert process.stderr is not None
        process.stderr.close()

    def _read_log(
        self, process: subprocess.Popen[str], looping: threading.Event
    ) -> None:
        assert process.stderr is not None
        for line in process.stderr:
            self.log.append(line.rstrip())
            if "starting data transfer loop" in line:
                looping.set()


@pytest.fixture
def socat_pair(tmp_path: Path) -> Iterator[SocatPair]:
    """A running socat pty pair, ended at teardown."""
    if shutil.which("socat") is None:
        pytest.skip("socat is not installed (scripts/install-system-packages.sh)")
    pair = SocatPair(tmp_path)
    pair.start()
    try:
        yield pair
    finally:
        pair.stop()


@pytest.fixture
def socat_emulator(socat_pair: SocatPair, tmp_path: Path) -> Iterator[PrinterEmulator]:
    """A TM-T20II emulator on the printer end of the socat pair."""
    emu = PrinterEmulator(
        get_profile(GOLDEN_PROFILE),
        tmp_path / "emulated",
        device=socat_pair.printer,
        keep_wire=True,
    )
    emu.plug()
    try:
        yield emu
    finally:
        emu.unplug()


@pytest.fixture
def socat_printer(
    socat_pair: SocatPair, socat_emulator: PrinterEmulator
) -> Iterator[EscposPrinter]:
    """The ESC/POS driver on the kiosk end of the socat pair."""
    printer = EscposPrinter(
        str(socat_pair.kiosk), 19200, socat_emulator.profile, print_timeout_s=2.0
    )
    try:
        yield printer
    finally:
        printer.close()
