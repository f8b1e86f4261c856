"""The ``[access]`` and ``[screen]`` sections: presses and physical reach.

``[access]`` sets how presses are accepted (double presses, key repeat)
and when a citizen's display choices are undone. ``[screen]`` describes
the built-in screen in millimetres and its height above the floor, so
touch targets get a physical size and controls stay within reach.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.config.errors import ConfigError, check_ranges


@dataclass(frozen=True)
class ScreenSettings:
    """The citizen's screen as built into the kiosk, for sizes in millimetres."""

    width_px: int = 1920
    """Horizontal resolution of the screen, pixels."""
    height_px: int = 1080
    """Vertical resolution of the screen, pixels."""
    width_mm: float = 0.0
    """Visible width, mm; 0 derives it from the diagonal and the resolution."""
    height_mm: float = 0.0
    """Visible height, mm; 0 derives it from the diagonal and the resolution."""
    diagonal_in: float = 21.5
    """Visible diagonal in inches; used when width_mm or height_mm is 0."""
    bottom_mm: float = 1000.0
    """Height of the visible area's lower edge above the floor, mm."""


@dataclass(frozen=True)
class AccessSettings:
    """How the kiosk treats presses and the citizen's display settings."""

    double_press_s: float = 0.0
    """Seconds after a press during which the same key or button is ignored,
    0 to 2; 0 accepts every press (EN 301 549 5.8)."""
    backspace_repeat_delay_s: float = 0.5
    """Seconds the on-screen delete key is held before it repeats, 0 to 5;
    0 turns the repeat off (EN 301 549 5.7)."""
    backspace_repeat_interval_s: float = 0.2
    """Seconds between repeats of the held delete key, 0.05 to 5."""
    unattended_reset_s: float = 60.0
    """Seconds the attract screen sits untouched before display settings
    someone chose there go back to the defaults, 5 to 3600."""


def validate_access(access: AccessSettings) -> None:
    """Refuse a press, repeat or reset delay out of range."""
    check_ranges(
        [
            ("access.double_press_s", access.double_press_s, 0, 2),
            (
                "access.backspace_repeat_delay_s",
                access.backspace_repeat_delay_s,
                0,
                5,
            ),
            (
                "access.backspace_repeat_interval_s",
                access.backspace_repeat_interval_s,
                0.05,
                5,
            ),
            ("access.unattended_reset_s", access.unattended_reset_s, 5, 3600),
        ]
    )


def validate_screen(screen: ScreenSettings) -> None:
    """Refuse a resolution or size out of range, or no way to know the size."""
    for key in ("width_px", "height_px"):
        if not 100 <= getattr(screen, key) <= 20000:
            raise ConfigError(f"screen.{key}", "must be between 100 and 20000")
    for key in ("width_mm", "height_mm", "diagonal_in"):
        if not 0 <= getattr(screen, key) <= 5000:
            raise ConfigError(f"screen.{key}", "must be between 0 and 5000")
    if not (screen.width_mm and screen.height_mm) and not screen.diagonal_in:
        raise ConfigError("screen.diagonal_in", "is needed without width_mm/height_mm")
    if not 0 <= screen.bottom_mm <= 2500:
        raise ConfigError("screen.bottom_mm", "must be between 0 and 2500")
