"""Supported receipt printer models, described as data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PrinterProfile:
    """What the driver needs to know about one printer model."""

    name: str
    """Name used in ``[printer] profile``."""
    escpos_profile: str
    """python-escpos capabilities profile holding the code table numbers."""
    chars_per_line: int
    """Columns of the default font (font A) across the printable width."""
    width_px: int
    """Printable width in dots; raster images are never wider."""
    code_tables: tuple[str, ...]
    """Code tables the model holds, best first (python-escpos names)."""
    native_qr: bool
    """True: the printer draws QR codes itself (GS ( k); False: send a raster."""
    cutter: bool
    """True: the model has an auto-cutter (GS V)."""
    confirms_print: bool
    """True: the model answers GS r 1 once everything before it is printed."""


PROFILES: dict[str, PrinterProfile] = {
    profile.name: profile
    for profile in (
        PrinterProfile(
            name="TM-T20II",
            escpos_profile="TM-T20II",
            chars_per_line=48,
            width_px=576,
            code_tables=("CP852", "CP1250", "ISO_8859-2", "CP858", "CP437"),
            native_qr=True,
            cutter=True,
            confirms_print=True,
        ),
        PrinterProfile(
            name="TM-T88V",
            escpos_profile="TM-T88V",
            chars_per_line=42,
            width_px=512,
            code_tables=("CP852", "CP1250", "ISO_8859-2", "CP858", "CP437"),
            native_qr=True,
            cutter=True,
            confirms_print=True,
        ),
        PrinterProfile(
            # No Central European table: Romanian and Hungarian letters are
            # folded to ASCII, and the QR code goes as a raster image.
            name="TM-T88III",
            escpos_profile="TM-T88III",
            chars_per_line=42,
            width_px=512,
            code_tables=("CP858", "CP850", "CP437"),
            native_qr=False,
            cutter=True,
            confirms_print=True,
        ),
    )
}
"""Every model the kiosk supports, by profile name."""


DEFAULT_PROFILE = "TM-T20II"
"""The model a kiosk has unless ``[printer] profile`` says otherwise."""


def get_profile(name: str) -> PrinterProfile:
    """The profile called ``name``.

    Raises:
        KeyError: no such profile; the message lists the known ones.
    """
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise KeyError(f"unknown printer profile {name!r}; known: {known}") from None
