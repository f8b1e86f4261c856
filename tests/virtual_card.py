"""A scripted contactless payment card in vsmartcard's vpcd, and our own pcscd.

vpcd (the virtual reader driver) listens on 0.0.0.0:35963, so pcscd and the
card only ever run inside a private network namespace; the fixtures skip
anywhere else. scripts/test.sh runs the suite under ``unshare --net``; by
hand: ``unshare --net sh -c 'ip link set lo up && exec .venv/bin/python -m
pytest tests/test_card_reader.py'``.

Only one pcscd can run per machine (its socket is /run/pcscd/pcscd.comm), so
a file lock serialises concurrent test runs, and a pcscd that is not ours is
waited for, never stopped.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

VIRTUALSMARTCARD_PATH = "/usr/lib/python3/site-packages/virtualsmartcard"
# WORKAROUND for Debian's python3-virtualsmartcard installing its package one
# directory too deep (not on any sys.path); see docs in shared RECIPES §5.
if VIRTUALSMARTCARD_PATH not in sys.path and Path(VIRTUALSMARTCARD_PATH).is_dir():
    sys.path.append(VIRTUALSMARTCARD_PATH)

VPCD_PORT = 35963
"""TCP port of vpcd's first slot (0x8C7B, from the reader.conf below)."""
READER_NAME = "Antonia Test Reader"
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
PCSCD_DIR = Path("/run/pcscd")
LOCK_FILE = Path("/run/lock/antonia-test-pcscd.lock")
READER_CONF = f"""FRIENDLYNAME "{READER_NAME}"
DEVICENAME   /dev/null:0x8C7B
LIBPATH      {VPCD_DRIVER}
CHANNELID    0x8C7B
"""

TEST_PAN = "4761739001010119"
"""The virtual card's full number: it must never appear outside the card."""

PPSE = b"2PAY.SYS.DDF01"
VISA_AID = bytes.fromhex("A0000000031010")


def tlv(tag: int, value: bytes) -> bytes:
    """BER-TLV with short or one-byte long lengths (all the card needs)."""
    tag_bytes = tag.to_bytes((tag.bit_length() + 7) // 8, "big")
    if len(value) < 0x80:
        return tag_bytes + bytes([len(value)]) + value
    return tag_bytes + bytes([0x81, len(value)]) + value


class CardRemovedNowError(Exception):
    """Raised inside the card to make its slot pull it out mid-command."""


def _card_os_base() -> type:
    try:
        from virtualsmartcard.VirtualSmartcard import SmartcardOS
    except ImportError as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"python3-virtualsmartcard is not usable here: {exc}")
    return SmartcardOS  # type: ignore[no-any-return]


def make_payment_card(**options: object) -> VirtualPaymentCard:
    """A virtual payment card built on virtualsmartcard's SmartcardOS."""
    base = _card_os_base()
    cls = type("VirtualPaymentCardOS", (VirtualPaymentCard, base), {})
    return cls(**options)  # type: ignore[no-any-return]


class VirtualPaymentCard:
    """Answers like a contactless EMV card: PPSE, AID, GPO, READ RECORD.

    ``t0_style`` answers SELECT with 61XX (fetch with GET RESPONSE);
    ``exact_le`` answers READ RECORD with Le=00 by 6CXX (resend with Le=XX);
    ``remove_on_read`` pulls the card out when a record is read.
    """

    def __init__(
        self,
        pan: str = TEST_PAN,
        payment: bool = True,
        t0_style: bool = True,
        exact_le: bool = True,
        remove_on_read: bool = False,
    ) -> None:
        self.pan = pan
        self.payment = payment
        self.t0_style = t0_style
        self.exact_le = exact_le
        self.remove_on_read = remove_on_read
        self.commands: list[bytes] = []
        self._pending = b""

    def getATR(self) -> bytes:  # noqa: N802 - virtualsmartcard's name
        return bytes.fromhex("3B8A800180318073 86E0FF009C9000FA".replace(" ", ""))

    def powerUp(self) -> None:  # noqa: N802 - virtualsmartcard's name
        self._pending = b""

    def powerDown(self) -> None:  # noqa: N802 - virtualsmartcard's name
        self._pending = b""

    def reset(self) -> None:
        self._pending = b""

    def execute(self, apdu: bytes) -> bytes:
        self.commands.append(bytes(apdu[:4]))
        cla, ins, p1, p2 = apdu[:4]
        if ins == 0xC0:
            return self._get_response(apdu[4] if len(apdu) > 4 else 0)
        if ins == 0xA4 and p1 == 0x04:
            return self._select(apdu[5 : 5 + apdu[4]])
        if not self.payment:
            return b"\x6d\x00"
        if cla == 0x80 and ins == 0xA8:
            return self._answer(
                tlv(0x77, tlv(0x82, b"\x19\x80") + tlv(0x94, b"\x08\x01\x01\x00"))
            )
        if ins == 0xB2:
            return self._read_record(p1, p2, apdu[4] if len(apdu) > 4 else 0)
        return b"\x6d\x00"

    def _select(self, name: bytes) -> bytes:
        if not self.payment:
            return b"\x6a\x82"
        if name == PPSE:
            entry = tlv(
                0x61,
                tlv(0x4F, VISA_AID) + tlv(0x50, b"VISA DEBIT") + tlv(0x87, b"\x01"),
            )
            fci = tlv(0x6F, tlv(0x84, PPSE) + tlv(0xA5, tlv(0xBF0C, entry)))
            return self._answer(fci)
        if name == VISA_AID:
            fci = tlv(0x6F, tlv(0x84, VISA_AID) + tlv(0xA5, tlv(0x50, b"VISA DEBIT")))
            return self._answer(fci)
        return b"\x6a\x82"

    def _read_record(self, record: int, p2: int, le: int) -> bytes:
        if (p2 >> 3, record) != (1, 1):
            return b"\x6a\x83"
        if self.remove_on_read:
            raise CardRemovedNowError
        pan = bytes.fromhex(self.pan + ("F" if len(self.pan) % 2 else ""))
        track2 = bytes.fromhex(self.pan + "D2912201" + "0" * 9 + "F")
        body = tlv(
            0x70, tlv(0x57, track2) + tlv(0x5A, pan) + tlv(0x5F24, b"\x29\x12\x31")
        )
        if self.exact_le and le != len(body):
            return bytes([0x6C, len(body)])
        return body + b"\x90\x00"

    def _answer(self, data: bytes) -> bytes:
        if self.t0_style:
            self._pending = data
            return bytes([0x61, min(len(data), 0xFF)])
        return data + b"\x90\x00"

    def _get_response(self, le: int) -> bytes:
        if not self._pending:
            return b"\x6f\x00"
        chunk, self._pending = self._pending[: le or 256], self._pending[le or 256 :]
        if self._pending:
            return chunk + bytes([0x61, min(len(self._pending), 0xFF)])
        return chunk + b"\x90\x00"


class CardSlot:
    """Puts a virtual card in vpcd's slot over TCP, and takes it out."""

    def __init__(self, card: VirtualPaymentCard, port: int = VPCD_PORT) -> None:
        self.card = card
        self.port = port
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def insert(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock = sock
        self._thread = threading.Thread(target=self._serve, args=(sock,), daemon=True)
        self._thread.start()

    def remove(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if self._thread is not None:
            self._thread.join(5)

    def _serve(self, sock: socket.socket) -> None:
        try:
            while True:
                message = _recv_message(sock)
                if message is None:
                    return
                answer = self._dispatch(message)
                if answer is not None:
                    sock.sendall(struct.pack("!H", len(answer)) + answer)
        except CardRemovedNowError:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            return  # the slot was emptied by remove(), or vpcd went away

    def _dispatch(self, message: bytes) -> bytes | None:
        if len(message) == 1:  # vpcd control: off, on, reset, ATR
            code = message[0]
            if code == 4:
                return self.card.getATR()
            if code == 1:
                self.card.powerUp()
            elif code == 0:
                self.card.powerDown()
            elif code == 2:
                self.card.reset()
            return None
        try:
            return self.card.execute(message)
        except CardRemovedNowError:
            raise
        except Exception:  # noqa: BLE001 - a card bug must not hang pcscd
            # An emulated card that raises would leave pcscd waiting forever
            # for the answer, so it answers "no precise diagnosis" instead.
            return b"\x6f\x00"


def _recv_message(sock: socket.socket) -> bytes | None:
    header = _recv_exact(sock, 2)
    if header is None:
        return None
    return _recv_exact(sock, struct.unpack("!H", header)[0])


def _recv_exact(sock: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        # vpcd writes the length and the APDU separately; re-arming QUICKACK
        # before every read stops Nagle plus delayed ACK costing ~40 ms each.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def in_private_network_namespace() -> bool:
    """True when loopback is the only network interface (as under unshare)."""
    try:
        links = subprocess.run(
            ["ip", "-o", "link"], capture_output=True, text=True, check=True
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return False
    names = [line.split(":")[1].strip().split("@")[0] for line in links if ":" in line]
    return names == ["lo"]


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Poll ``condition`` until true; fail the test naming ``what``."""
    deadline = time.monotonic() + timeout_s
    pause = threading.Event()
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s} s waiting for {what}")
        pause.wait(0.05)


class Pcscd:
    """A pcscd process of our own, with a config dir holding vpcd only."""

    def __init__(self, work_dir: Path) -> None:
        self.conf_dir = work_dir / "reader.conf.d"
        self.log_path = work_dir / "pcscd.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, with_reader: bool = True) -> None:
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        conf = self.conf_dir / "vpcd"
        if with_reader:
            conf.write_text(READER_CONF)
        else:
            conf.unlink(missing_ok=True)
        _clear_stale_pcscd_files()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                ["pcscd", "--foreground", "--info", "--config", str(self.conf_dir)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if with_reader:
            wait_until(self.has_reader, 15, f"pcscd to offer {READER_NAME}")
        else:
            wait_until(self.answers, 15, "pcscd to answer")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)

    def restart(self, with_reader: bool = True) -> None:
        self.stop()
        self.start(with_reader)

    def unplug_reader(self) -> None:
        """pcscd without the reader, as after unplugging a serial reader.

        pcscd 1.9.9 does not drop a reader.conf reader on a rescan (SIGUSR1),
        so the reader goes away by restarting pcscd without it.
        """
        self.restart(with_reader=False)

    def plug_reader(self) -> None:
        self.restart(with_reader=True)

    def answers(self) -> bool:
        from smartcard.System import readers

        try:
            readers()
        except Exception:  # noqa: BLE001 - any pyscard error means "not yet"
            return False
        return True

    def has_reader(self) -> bool:
        from smartcard.System import readers

        try:
            return any(str(r).startswith(READER_NAME) for r in readers())
        except Exception:  # noqa: BLE001 - any pyscard error means "not yet"
            return False


def _clear_stale_pcscd_files() -> None:
    pid_file = PCSCD_DIR / "pcscd.pid"

    def other_pcscd_alive() -> bool:
        try:
            pid = int(pid_file.read_text().strip())
            return Path(f"/proc/{pid}/comm").read_text().strip() == "pcscd"
        except (OSError, ValueError):
            return False

    if other_pcscd_alive():
        # Another pcscd (not started by this run) owns the socket; wait for
        # it to finish rather than stop a process we did not start.
        wait_until(
            lambda: not other_pcscd_alive(),
            120,
            f"the other pcscd ({pid_file.read_text().strip()}) to exit; only "
            "one pcscd can run per machine",
        )
    for name in ("pcscd.comm", "pcscd.pid"):
        with contextlib.suppress(FileNotFoundError):
            (PCSCD_DIR / name).unlink()
