"""Accessibility of the closed terminal, without Qt: sizes, contrast, speech.

The pieces here are plain calculations the UI and the tests share: the
screen's millimetres (touch targets of at least 15 mm, the band a seated
person reaches), the WCAG contrast ratio of two colours, the citizen's
display preferences, and the sentences that read a screen aloud.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.config import ScreenSettings
from kiosk.i18n import N_

logger = logging.getLogger(__name__)

MIN_TARGET_MM = 15.0
"""Smallest side of anything the citizen touches, in millimetres."""
REACH_HIGH_MM = 1220.0
"""Highest point above the floor a seated person reaches (EN 301 549 8.3)."""
REACH_LOW_MM = 380.0
"""Lowest point above the floor a seated person reaches (EN 301 549 8.3)."""
LARGE_TEXT_SCALE = 1.5
"""Factor applied to every font size in large-text mode."""
TEXT_SCALES = (1.0, LARGE_TEXT_SCALE, 2.0)
"""The text sizes the citizen steps through, up to 200 % (WCAG 1.4.4)."""
MIN_EXTENSIONS = 10
"""A time-out must be extendable at least this many times (WCAG 2.2.1)."""

_HEX = re.compile(r"#([0-9a-fA-F]{6})")


@dataclass(frozen=True)
class AccessPrefs:
    """How the current citizen wants the screen; dropped with the session."""

    high_contrast: bool = False
    text_scale: float = 1.0
    """Factor on every font size, one of TEXT_SCALES."""
    low_layout: bool = False
    """Interactive controls only in the lower part, within a seated reach."""
    still: bool = False
    """No moving content (the attract screen stops rotating)."""
    screen_off: bool = False
    """The screen is blanked for privacy; speech and keypad still work."""
    speaker_steps: int = 0
    """Volume steps from the loudspeaker's default level (+ louder)."""
    headphones_steps: int = 0
    """Volume steps from the headphones' default level (+ louder)."""
    slow_speech: bool = False
    """Speech at the slower of the two configured rates."""

    @property
    def large_text(self) -> bool:
        """Whether the text is larger than normal."""
        return self.text_scale > 1

    def next_text_scale(self) -> float:
        """The size after this one, going round from the largest to normal."""
        larger = [s for s in TEXT_SCALES if s > self.text_scale]
        return larger[0] if larger else TEXT_SCALES[0]


@dataclass(frozen=True)
class ScreenGeometry:
    """Millimetres of the citizen's screen, from the ``[screen]`` settings."""

    width_px: int
    height_px: int
    width_mm: float
    height_mm: float
    bottom_mm: float
    """Lower edge of the visible area above the floor."""

    @classmethod
    def from_settings(cls, screen: ScreenSettings) -> ScreenGeometry:
        """Use the measured size, or derive it from the diagonal."""
        width_mm, height_mm = screen.width_mm, screen.height_mm
        if not (width_mm and height_mm):
            diagonal_px = math.hypot(screen.width_px, screen.height_px)
            mm_per_px = screen.diagonal_in * 25.4 / diagonal_px
            width_mm = screen.width_px * mm_per_px
            height_mm = screen.height_px * mm_per_px
        return cls(
            screen.width_px, screen.height_px, width_mm, height_mm, screen.bottom_mm
        )

    @property
    def px_per_mm(self) -> float:
        """Pixels per millimetre (the smaller of the two axes)."""
        return min(self.width_px / self.width_mm, self.height_px / self.height_mm)

    def mm(self, px: float) -> float:
        """A length on screen in millimetres."""
        return px / self.px_per_mm

    @property
    def min_target_px(self) -> int:
        """Pixels of the smallest allowed touch target side."""
        return math.ceil(MIN_TARGET_MM * self.px_per_mm)

    def height_above_floor_mm(self, y_px: float) -> float:
        """Height above the floor of a row of pixels (0 is the top row)."""
        return self.bottom_mm + self.height_mm * (1 - y_px / self.height_px)

    @property
    def unreachable_top_px(self) -> int:
        """Rows at the top of the screen that lie above a seated reach."""
        top_mm = self.bottom_mm + self.height_mm
        above = max(0.0, top_mm - REACH_HIGH_MM)
        return min(self.height_px, math.ceil(above * self.height_px / self.height_mm))

    @property
    def unreachable_bottom_px(self) -> int:
        """Rows at the bottom of the screen that lie below a seated reach."""
        below = max(0.0, REACH_LOW_MM - self.bottom_mm)
        return min(self.height_px, math.ceil(below * self.height_px / self.height_mm))


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of an sRGB colour written as ``#rrggbb``."""
    match = _HEX.fullmatch(colour.strip())
    if match is None:
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    value = match.group(1)
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two colours, from 1 to 21."""
    lighter, darker = sorted(
        (relative_luminance(first), relative_luminance(second)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def spell_ticket(ticket: str) -> str:
    """The ticket number as separate characters, so speech reads each one."""
    return " ".join(ch for ch in ticket if ch.isalnum())


KEYPAD_HINT = N_("Use the arrow keys to move, and Enter to choose.")
"""Spoken on the first screen and whenever the citizen asks for a repeat."""
PAUSE_HINT = N_("Press Pause to pause the speech, and again to go on.")
"""Said after the keypad hint: the Pause key is the one key not found by
moving, since moving speaks the control it lands on."""
RECEIPT_HINT = N_("Please take your receipt.")
TICKET_SPELLED = N_("Ticket number: {ticket}.")
POSITION = N_("{index} of {count}")
"""Where a focused control is in the screen's keypad order."""
STATE_ON = N_("on")
STATE_OFF = N_("off")


def spoken_view(
    prompt: str,
    message: str | None,
    gettext: Callable[[str], str],
    *,
    ticket: str | None = None,
    printed: bool = False,
    hint: bool = False,
) -> str:
    """The sentences that read one screen: message, prompt, ticket, receipt."""
    parts = [message] if message else []
    parts.append(prompt)
    if ticket:
        parts.append(gettext(TICKET_SPELLED).format(ticket=spell_ticket(ticket)))
    if printed:
        parts.append(gettext(RECEIPT_HINT))
    if hint:
        parts.append(keypad_hint(gettext))
    return " ".join(parts)


def keypad_hint(gettext: Callable[[str], str]) -> str:
    """How to use the keypad: move, choose, pause the speech."""
    return f"{gettext(KEYPAD_HINT)} {gettext(PAUSE_HINT)}"


def control_speech(
    label: str,
    gettext: Callable[[str], str],
    *,
    checked: bool | None = None,
    index: int = 0,
    count: int = 0,
) -> str:
    """What the speaker says when the keypad focus lands on a control."""
    words = ", ".join(line.strip() for line in label.splitlines() if line.strip())
    if checked is not None:
        words += ", " + gettext(STATE_ON if checked else STATE_OFF)
    if count:
        words += ". " + gettext(POSITION).format(index=index, count=count)
    return words
