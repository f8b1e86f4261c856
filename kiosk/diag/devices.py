"""Checks of the devices: printer, card reader, camera, audio, MCU."""

from __future__ import annotations

import hashlib
import importlib
import shutil

from firmware_bridge.link import LinkState, McuLink, McuStatus
from firmware_bridge.messages import LedPattern
from kiosk.config import (
    LANGUAGES,
    CameraSettings,
    CardReaderSettings,
    McuSettings,
    Settings,
    SpeechSettings,
)
from kiosk.diag.model import Finding, Level, failed, ok, warning
from kiosk.hardware.camera import CameraUnavailableError, FrameSource
from kiosk.hardware.payment_terminal import TerminalError, TerminalStatus
from kiosk.hardware.printer import Printer, PrinterStatus
from kiosk.speech.playback import PlaybackHealth

_PRINTER_REMEDIES = {
    PrinterStatus.PAPER_OUT: "load a new paper roll",
    PrinterStatus.COVER_OPEN: "close the printer cover",
    PrinterStatus.OFFLINE: "check the printer's power and cable",
    PrinterStatus.NOT_ANSWERING: "check the printer's power, cable and [printer] port",
}


def check_printer(printer: Printer) -> Finding:
    """The printer's own status report."""
    try:
        status = printer.status()
    finally:
        printer.close()
    if status is PrinterStatus.READY:
        return ok("ready")
    if status is PrinterStatus.PAPER_LOW:
        return warning("paper is running low", "load a new roll soon")
    return failed(status.value.replace("_", " "), _PRINTER_REMEDIES[status])


def check_card_reader(settings: CardReaderSettings) -> Finding:
    """Whether pyscard is there, pcscd answers and readers are listed."""
    if settings.driver == "none":
        return ok("no card reader configured")
    if settings.driver == "simulated":
        return ok("simulated card reader")
    try:
        system = importlib.import_module("smartcard.System")
        pcsc_errors = importlib.import_module("smartcard.pcsc.PCSCExceptions")
    except ImportError:
        return failed("pyscard is not installed", "reinstall the kiosk's packages")
    try:
        readers = system.readers()
    except pcsc_errors.EstablishContextException:
        return warning(
            "the PC/SC service (pcscd) is not running",
            "start it: systemctl enable --now pcscd.socket",
        )
    if not readers:
        return warning(
            "no card reader connected", "plug the reader's USB cable back in"
        )
    return ok(f"{len(readers)} reader(s): {', '.join(str(r) for r in readers)}")


def check_payment_terminal(settings: Settings) -> Finding:
    """The configured payment terminal answers its status query."""
    from kiosk.hardware.factory import make_payment_terminal

    try:
        terminal = make_payment_terminal(settings)
    except TerminalError as exc:
        return failed(str(exc), "repair or move aside the terminal's state file")
    if terminal is None:
        return ok("no payment terminal configured: card payments are off")
    try:
        status = terminal.status()
    finally:
        terminal.close()
    # TODO: only the simulated terminal exists; a certified terminal's driver
    # would report its own link and readiness here.
    summary = f"simulated terminal {settings.payment.terminal_id}: {status.value}"
    if status is TerminalStatus.READY:
        return ok(summary)
    return warning(summary, "card payments wait until the terminal is ready")


def check_camera(settings: CameraSettings, source: FrameSource) -> Finding:
    """A few frames read: opened, not unplugged, not frozen."""
    try:
        source.open()
    except CameraUnavailableError as exc:
        return failed(
            f"cannot open {settings.source!r}: {exc.cause}",
            "check the camera's USB cable and [camera] source",
        )
    reads = 5
    fingerprints: set[bytes] = set()
    failures = 0
    shape: tuple[int, ...] = ()
    try:
        for _ in range(reads):
            frame = source.read()
            if frame is None:
                failures += 1
                continue
            shape = frame.shape
            fingerprints.add(hashlib.blake2b(frame.tobytes(), digest_size=16).digest())
            del frame  # looked at, never kept
    finally:
        source.close()
    if failures == reads:
        return failed(
            f"{reads} reads in a row failed",
            "the camera is unplugged or hung: reseat its USB cable",
        )
    if reads - failures > 1 and len(fingerprints) == 1:
        return failed(
            "the camera sends the same picture again and again (frozen)",
            "unplug and replug the camera; replace it if it keeps freezing",
        )
    if failures:
        return warning(
            f"{failures} of {reads} reads failed",
            "check the camera's USB cable; a loose plug drops frames",
        )
    name = "simulated camera" if settings.source == "simulated" else settings.source
    return ok(f"{name}: frames of {shape[1]}×{shape[0]} arrive and change")


def check_microphone(settings: SpeechSettings) -> Finding:
    """Input devices PortAudio can see, where speech input can be used."""
    models = [lang for lang in LANGUAGES if (settings.models_dir / lang).is_dir()]
    if not models:
        # No recognition model for any kiosk language: the kiosk is used by
        # touch alone and never opens the microphone.
        return ok(f"not used: no speech model in {settings.models_dir}")
    try:
        sounddevice = importlib.import_module("sounddevice")
    except (ImportError, OSError) as exc:
        return warning(
            f"cannot list audio devices: sounddevice unavailable ({exc})",
            "install the kiosk's audio packages (sounddevice, libportaudio2)",
        )
    inputs = [d for d in sounddevice.query_devices() if d["max_input_channels"] > 0]
    if not inputs:
        return failed("no microphone found", "plug the microphone's cable back in")
    return ok(f"{len(inputs)} input device(s), first: {inputs[0]['name']}")


def check_speaker() -> Finding:
    """The speech engine the kiosk speaks with."""
    if shutil.which("espeak-ng") is None:
        return failed(
            "espeak-ng is not installed: the kiosk cannot speak",
            "install it: apt-get install espeak-ng",
        )
    return ok("espeak-ng is installed")


def check_speech_output(health: PlaybackHealth | None) -> Finding:
    """The running kiosk's speech: the engine, and whether sentences play."""
    engine = check_speaker()
    if health is None or engine.level is not Level.OK:
        return engine
    if health.failures_in_a_row:
        return failed(
            f"speech does not play on {health.device!r}: {health.failures_in_a_row}"
            f" sentence(s) failed in a row; last: {health.last_failure}",
            "check [speech] output_device and headphones_device against "
            "`aplay -L`, the speaker's cable and the mixer (alsamixer)",
        )
    return ok(f"{health.played} sentence(s) played; speech goes to {health.device!r}")


def check_mcu(settings: McuSettings, wait_s: float, led: bool = False) -> Finding:
    """Opens the link, waits for the MCU's answer, judges its sensors."""
    if settings.port == "simulated":
        return ok("simulated microcontroller (no board attached)")
    link = McuLink(
        settings.port,
        heartbeat_s=min(settings.heartbeat_s, 0.2),
        out_of_service_s=settings.out_of_service_s,
        silence_s=settings.silence_s,
        reconnect_s=wait_s,
    )
    with link:
        status = link.wait_until(_has_reported, wait_s) or link.status()
        if led and status.state is LinkState.CONNECTED:
            link.set_led(LedPattern.TEST)
            done = link.wait_until(
                lambda s: (
                    s.led_acked is not None and s.led_acked.pattern is LedPattern.TEST
                ),
                wait_s / 2,
            )
            if done is None:
                return failed(
                    "the LED test pattern was not confirmed",
                    "restart the microcontroller board; check its firmware",
                )
    return _judge_mcu(settings.port, status)


def check_mcu_status(port: str, status: McuStatus) -> Finding:
    """Judges the status of a link that is already running (the kiosk's own)."""
    return _judge_mcu(port, status)


def _has_reported(status: McuStatus) -> bool:
    return (
        status.state is LinkState.CONNECTED
        and status.rtt_s is not None
        and status.battery_percent is not None
    )


def _judge_mcu(port: str, status: McuStatus) -> Finding:
    if status.state is LinkState.DISCONNECTED:
        if "lock" in status.detail.lower() or "busy" in status.detail.lower():
            return warning(
                f"{port} is in use (by the running kiosk?)",
                "the kiosk owns the port; stop it to test the board from here",
            )
        return failed(
            f"cannot open {port}: {status.detail or 'no such port'}",
            "check the board's USB cable and the [mcu] port setting",
        )
    if status.state is not LinkState.CONNECTED or status.rtt_s is None:
        return failed(
            f"{port} is open but the microcontroller does not answer",
            "power-cycle the robot board; check its firmware version",
        )
    parts = [f"answers in {status.rtt_s * 1000:.0f} ms"]
    level = "ok"
    remedies = []
    if status.tamper_open:
        parts.append("SERVICE DOOR OPEN")
        remedies.append("close and lock the service door")
        level = "warning"
    if status.headphones is not None:
        parts.append("headphones in" if status.headphones else "headphones out")
    if status.on_battery:
        parts.append(f"ON UPS BATTERY ({status.battery_percent} %)")
        remedies.append("mains power is off: check the kiosk's power feed")
        level = "warning"
    elif status.battery_percent is None:
        parts.append("mains power, battery level not reported yet")
    else:
        parts.append(f"mains power, battery {status.battery_percent} %")
    if status.bad_frames:
        parts.append(f"{status.bad_frames} bad frame(s)")
    summary = "; ".join(parts)
    if level == "warning":
        return warning(summary, "; ".join(remedies))
    return ok(summary)


def check_test_receipt(settings: Settings, printer: Printer) -> Finding:
    """Prints a short test receipt (``--active`` only)."""
    from kiosk.hardware.printer import PrinterError
    from kiosk.receipt import Receipt

    receipt = Receipt(
        ticket="TEST",
        title="Test receipt / Bon de test",
        lines=(("Kiosk", settings.kiosk.id),),
        footer="kiosk diag --active",
        qr_payload=f"antonia:ticket:{settings.kiosk.id}:TEST",
    )
    try:
        printer.print_receipt(receipt)
    except PrinterError as exc:
        return failed(f"test receipt not printed: {exc.detail}", exc.status.value)
    finally:
        printer.close()
    return ok("test receipt printed; tear it off and check it reads well")
