"""Text contrast of both themes, computed from the style sheets themselves."""

from __future__ import annotations

import re

import pytest

from kiosk.accessibility import contrast_ratio, relative_luminance
from kiosk.ui.style import STYLE_SHEET
from kiosk.ui.theme import HC_BACKGROUND, HC_BORDER, HC_TEXT, style_sheet

RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
DECLARATION = re.compile(r"([a-z-]+)\s*:\s*([^;]+);")
HEX = re.compile(r"#[0-9a-fA-F]{6}")
SURFACE_SELECTORS = (
    "QWidget",
    "QFrame#overlay-panel",
    "QLabel#message",
    "QPlainTextEdit",
    "QLineEdit",
)
"""Where text without its own background can sit."""

Rules = dict[str, dict[str, str]]


def parse(sheet: str) -> Rules:
    rules: Rules = {}
    for selectors, body in RULE.findall(sheet):
        declarations = dict(DECLARATION.findall(body))
        for selector in selectors.split(","):
            rules.setdefault(selector.strip(), {}).update(declarations)
    return rules


def colour(value: str) -> str | None:
    found = HEX.search(value)
    return found.group(0).lower() if found else None


def text_pairs(rules: Rules) -> list[tuple[str, str, str]]:
    """(selector, text colour, background) for every text the sheet styles."""
    base_text = colour(rules["QWidget"]["color"])
    assert base_text
    surfaces = {
        c
        for s in SURFACE_SELECTORS
        if s in rules and (c := colour(rules[s].get("background", "")))
    }
    pairs = []
    for selector, declarations in rules.items():
        if "::" in selector or selector in ("QWidget#overlay", "QWidget#screen-off"):
            continue
        if "color" not in declarations and "background" not in declarations:
            continue
        plain = selector.split(":")[0]
        text = colour(declarations.get("color", "")) or colour(
            rules.get(plain, {}).get("color", "")
        )
        text = text or base_text
        own = colour(declarations.get("background", ""))
        for background in [own] if own else sorted(surfaces):
            pairs.append((selector, text, background))
    return pairs


@pytest.mark.parametrize(
    ("high_contrast", "minimum"),
    [(False, 4.5), (True, 7.0)],
    ids=["normal-AA", "high-contrast-AAA"],
)
@pytest.mark.parametrize("large_text", [False, True], ids=["text", "large-text"])
def test_every_text_colour_meets_its_contrast_ratio(
    high_contrast: bool, minimum: float, large_text: bool
) -> None:
    rules = parse(style_sheet(high_contrast=high_contrast, large_text=large_text))
    pairs = text_pairs(rules)
    assert len(pairs) > 10
    low = [
        (selector, fg, bg, round(contrast_ratio(fg, bg), 2))
        for selector, fg, bg in pairs
        if contrast_ratio(fg, bg) < minimum
    ]
    assert low == []


@pytest.mark.parametrize("high_contrast", [False, True])
def test_the_keypad_focus_ring_stands_out_from_every_surface(
    high_contrast: bool,
) -> None:
    rules = parse(style_sheet(high_contrast=high_contrast))
    ring = colour(rules['*[keypad="focus"]']["border"])
    assert ring
    assert "8px" in rules['*[keypad="focus"]']["border"]
    for selector in (*SURFACE_SELECTORS, "QPushButton"):
        background = colour(rules[selector]["background"])
        assert background
        # Non-text contrast (WCAG 1.4.11) asks for 3:1.
        assert contrast_ratio(ring, background) >= 3, selector


def test_every_colour_of_the_house_style_has_a_high_contrast_twin() -> None:
    for prop, value in DECLARATION.findall(STYLE_SHEET):
        for found in HEX.findall(value):
            found = found.lower()
            if prop == "color":
                assert found in HC_TEXT, (prop, found)
            elif prop.startswith("border"):
                assert found in HC_BORDER, (prop, found)
            else:
                assert found in HC_BACKGROUND, (prop, found)


def test_large_text_scales_every_font_size_by_at_least_one_and_a_half() -> None:
    normal = [int(n) for n in re.findall(r"font-size:\s*(\d+)px", style_sheet())]
    large = [
        int(n)
        for n in re.findall(r"font-size:\s*(\d+)px", style_sheet(large_text=True))
    ]
    assert normal and len(normal) == len(large)
    assert all(big >= 1.5 * small for small, big in zip(normal, large, strict=True))


def test_the_contrast_ratio_matches_known_values() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1.0)
    # The grey WCAG's own examples put at the AA limit on white.
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert relative_luminance("#ffffff") == pytest.approx(1.0)
    with pytest.raises(ValueError, match="rrggbb"):
        relative_luminance("red")


CONTROL_SELECTORS = (
    "QPushButton",
    "QPushButton:pressed",
    "QPushButton:checked",
    'QPushButton[role="primary"]',
    'QPushButton[role="attract"]',
    'QPushButton[role="lang"]:checked',
    "QLineEdit",
    "QPlainTextEdit",
    "QProgressBar",
)
"""Controls whose outline tells where they are (WCAG 1.4.11)."""


@pytest.mark.parametrize("high_contrast", [False, True], ids=["normal", "high"])
def test_every_control_outline_stands_out_from_its_surface(
    high_contrast: bool,
) -> None:
    rules = parse(style_sheet(high_contrast=high_contrast))
    surfaces = {
        c for s in SURFACE_SELECTORS if (c := colour(rules[s].get("background", "")))
    }
    low = []
    for selector in CONTROL_SELECTORS:
        declarations = rules[selector]
        base = rules.get(selector.split(":")[0].split("[")[0], {})
        border = colour(declarations.get("border-color", "")) or colour(
            declarations.get("border", base.get("border", ""))
        )
        fill = colour(declarations.get("background", base.get("background", "")))
        assert border, selector
        for surface in surfaces:
            # The control is seen if its border or its fill differs by 3:1.
            best = max(
                contrast_ratio(border, surface),
                contrast_ratio(fill or surface, surface),
            )
            if best < 3:
                low.append((selector, border, surface, round(best, 2)))
    assert low == []


def test_the_outline_check_catches_a_pale_border() -> None:
    assert contrast_ratio("#cccccc", "#f5f2eb") < 3
    assert contrast_ratio("#24436b", "#f5f2eb") >= 3
