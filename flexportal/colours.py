"""Readable colours for whatever brand colour an agency chooses (WCAG 2.2 contrast).

The agency picks its primary colour; the portal paints its header, the week bar and the primary
buttons with it and uses it for links on the light page. A light brand (yellow) would make white
text unreadable and a dark one black text, so the foreground is computed, never assumed:

- ``on``: the text and focus-ring colour on a brand surface, white where white reaches 4.5:1,
  otherwise black (one of the two always reaches 4.5:1 against any colour);
- ``ink``: the brand as text on the portal's light surfaces, darkened just enough to reach
  4.5:1 against the darkest of them.

Pure Python, no Django: tested alone.
"""

from dataclasses import dataclass

WHITE = "#ffffff"
BLACK = "#000000"
AA_TEXT = 4.5  # WCAG 1.4.3, normal text
AA_NON_TEXT = 3.0  # WCAG 1.4.11 and 2.4.13: focus indicators, borders of controls

# The light surfaces of static/css/portal.css that carry brand-coloured text: cards, the page
# background, table heads and badges. Keep in step with the stylesheet.
LIGHT_SURFACES = ("#ffffff", "#f5f6f8", "#eef1f5", "#e8f0fe")


def _channels(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"{colour!r} is not a colour like #1f5fa8")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _hex(rgb: tuple[float, ...]) -> str:
    return "#" + "".join(f"{round(max(0, min(255, c))):02x}" for c in rgb)


def relative_luminance(colour: str) -> float:
    """WCAG 2.2's relative luminance of an sRGB colour like "#1f5fa8"."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """From 1 (the same) to 21 (black on white), as WCAG defines it."""
    a, b = relative_luminance(first), relative_luminance(second)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def readable_on(background: str) -> str:
    """White text where it reaches 4.5:1 on ``background`` (brands look best so), else black."""
    return WHITE if contrast_ratio(WHITE, background) >= AA_TEXT else BLACK


def ink_on_light(colour: str, surfaces: tuple[str, ...] = LIGHT_SURFACES) -> str:
    """``colour``, darkened towards black (keeping its hue) until it reaches 4.5:1 as text on
    every one of ``surfaces``; unchanged where it already does."""
    rgb = _channels(colour)
    for step in range(101):
        factor = 1 - step / 100
        candidate = _hex(tuple(c * factor for c in rgb))
        if all(contrast_ratio(candidate, s) >= AA_TEXT for s in surfaces):
            return candidate
    return BLACK  # not reached: black on these surfaces is above 15:1


@dataclass(frozen=True)
class BrandPalette:
    brand: str  # the agency's colour, for surfaces
    on: str  # text and focus rings on a brand surface
    ink: str  # the brand as text, link and control border on the light surfaces


def brand_palette(primary: str) -> BrandPalette:
    primary = primary.lower()
    return BrandPalette(brand=primary, on=readable_on(primary), ink=ink_on_light(primary))
