"""The normal and high-contrast themes, large text and the keypad focus ring.

The themes are derived from the house style sheet (kiosk.ui.style) rather
than written twice: each colour is mapped by the role it plays (text,
background or border) to the high-contrast palette, and each font size is
scaled for large text. Rules added to the house sheet later are themed too;
a colour missing from the maps falls back to black or white by luminance,
and a test flags it so someone picks the right one.
"""

from __future__ import annotations

import logging
import re

from kiosk.accessibility import LARGE_TEXT_SCALE, relative_luminance
from kiosk.ui.style import STYLE_SHEET

logger = logging.getLogger(__name__)

HC_TEXT = {
    "#141414": "#ffffff",
    "#ffffff": "#000000",
    "#24436b": "#ffff00",
    "#123d70": "#ffff00",
}
"""High-contrast replacement of each text colour of the house style."""
HC_BACKGROUND = {
    "#f5f2eb": "#000000",
    "#ffffff": "#000000",
    "#cfdcef": "#333333",
    "#1d5aa3": "#ffff00",
    "#123d70": "#ffffff",
    "#fff1c2": "#000000",
}
"""High-contrast replacement of each background colour."""
HC_BORDER = {
    "#24436b": "#ffffff",
    "#123d70": "#ffffff",
    "#555555": "#ffffff",
    "#a34d00": "#ffff00",
    "#1d5aa3": "#ffff00",
}
"""High-contrast replacement of each border colour."""

FOCUS_RING = {
    # theme: (text, background, ring)
    False: ("#000000", "#ffe000", "#000000"),
    True: ("#000000", "#ffffff", "#00ffff"),
}
"""How the control with the keypad focus looks, per high-contrast flag."""
FOCUS_RING_PX = 8

_DECLARATION = re.compile(r"(?P<prop>[a-z-]+)(?P<sep>\s*:\s*)(?P<value>[^;{}]+);")
_HEX = re.compile(r"#[0-9a-fA-F]{6}")
_FONT_PX = re.compile(r"(\d+)px")
_RGBA = re.compile(r"rgba\(0, 0, 0, (\d+)\)")


def style_sheet(
    *,
    high_contrast: bool = False,
    large_text: bool = False,
    text_scale: float = 1.0,
    target_px: int = 0,
) -> str:
    """The window's whole style sheet for the citizen's preferences.

    Args:
        high_contrast: the high-contrast colours instead of the normal ones.
        large_text: every font size at least LARGE_TEXT_SCALE times larger.
        text_scale: every font size times this (2.0 for 200 %).
        target_px: the smallest touch target; scroll bars are made as wide.
    """
    scale = max(text_scale, LARGE_TEXT_SCALE if large_text else 1.0)
    sheet = themed(STYLE_SHEET, high_contrast, scale)
    return sheet + _extra_rules(high_contrast, target_px)


def themed(sheet: str, high_contrast: bool, scale: float) -> str:
    """``sheet`` with colours mapped to the theme and font sizes scaled."""

    def declaration(match: re.Match[str]) -> str:
        prop, value = match["prop"], match["value"]
        if prop == "font-size" and scale != 1:
            value = _FONT_PX.sub(lambda m: f"{round(int(m[1]) * scale)}px", value)
        if high_contrast:
            value = _HEX.sub(lambda m: hc_colour(prop, m[0]), value)
            value = _RGBA.sub("rgba(0, 0, 0, 220)", value)
        return f"{prop}{match['sep']}{value};"

    return _DECLARATION.sub(declaration, sheet)


def hc_colour(prop: str, colour: str) -> str:
    """The high-contrast colour for ``colour`` used by property ``prop``."""
    colour = colour.lower()
    if prop == "color":
        table, light = HC_TEXT, "#ffffff"
    elif prop.startswith("border"):
        table, light = HC_BORDER, "#ffffff"
    else:
        table, light = HC_BACKGROUND, "#000000"
    if colour in table:
        return table[colour]
    logger.debug("theme.unmapped prop=%s colour=%s", prop, colour)
    dark = relative_luminance(colour) < 0.18
    if prop == "color" or prop.startswith("border"):
        return light if dark else "#ffff00"
    return light if not dark else "#ffff00"


def _extra_rules(high_contrast: bool, target_px: int) -> str:
    text, background, ring = FOCUS_RING[high_contrast]
    rules = [
        # The keypad's focus: a thick ring and a change of colour, visible on
        # any button and in both themes. The thinner padding keeps the size.
        f'*[keypad="focus"] {{ color: {text}; background: {background}; '
        f"border: {FOCUS_RING_PX}px solid {ring}; padding: 2px 12px; }}",
        "QWidget#screen-off { background: #000000; }",
    ]
    if target_px:
        rules.append(f"QScrollBar:vertical {{ width: {target_px}px; }}")
    return "\n" + "\n".join(rules) + "\n"
