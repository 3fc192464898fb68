"""Headline tiles (st.metric) that can be read on a projector: no label or figure cut short with "…".

Streamlit draws a tile's label and value on one line each and cuts what does not fit. At 1280x720 with the
sidebar open, the wide layout leaves 820 px for the page, so seven tiles in a row get 103 px each: "End-to-end
days" and "Flow efficiency" became "End-to-e…", "Flow effic…", and a value such as "100.0%" "100.…". `show`
puts as many tiles in a row as fit their words and figures (rows balanced: seven tiles are 4 + 3, not 6 + 1),
from the widths of the characters in Streamlit's fonts (Source Sans, the label at 14 px, the value at 36 px,
measured in Chromium with a margin), and the formatters keep figures short ("62%", "3.2 days", "1.2 M").
tests/test_browser_tiles.py measures the pages at 1280x720 in Chromium.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

PAGE_PX = 820  # the page's width at 1280x720 with the sidebar open (wide layout): a projector's worst case
GAP_PX = 16  # between two columns
HELP_PX = 24  # the help icon after a label, with its space
MAX_PER_ROW = 4  # more tiles than this in a row are too small to read from the back of a room

# Widths of characters at 1 px of font size (Source Sans 3 as Streamlit ships it, measured in Chromium and
# rounded up); any other character counts as the widest.
_NARROW = dict.fromkeys("ijlI.,:;'|!", 0.28) | dict.fromkeys("frt-()/ ", 0.36)
_WIDE = dict.fromkeys("mwMW%", 0.86) | dict.fromkeys("ABCDEFGHJKLNOPQRSTUVXYZ", 0.66)
_DEFAULT = 0.56  # lower-case letters and figures
_WIDEST = 0.9
LABEL_FONT_PX, VALUE_FONT_PX = 14, 36
MARGIN = 1.0  # the widths above are rounded up already: about 10% over what Chromium draws


def text_px(text: str, font_px: float) -> float:
    """How wide `text` is drawn at `font_px`, a little more than Chromium draws it."""
    em = sum(_NARROW.get(c) or _WIDE.get(c) or (_DEFAULT if c.isascii() and c.isalnum() else _WIDEST) for c in text)
    return em * font_px * MARGIN


@dataclass(frozen=True)
class Tile:
    """A headline figure: a short label (the full words go in `help`, shown on hovering its icon) and a short
    value."""

    label: str
    value: str
    help: str | None = None

    def width_px(self) -> float:
        """The width its label and its value each need: the wider of the two."""
        label = text_px(self.label, LABEL_FONT_PX) + (HELP_PX if self.help else 0)
        return max(label, text_px(self.value, VALUE_FONT_PX))


def column_px(per_row: int, page_px: float = PAGE_PX) -> float:
    return (page_px - GAP_PX * (per_row - 1)) / per_row


def per_row(tiles: Sequence[Tile], page_px: float = PAGE_PX, most: int = MAX_PER_ROW) -> int:
    """How many tiles a row holds: the most (up to `most`) for which every label and value fits, then
    balanced over the rows it takes (7 tiles, 4 fitting: two rows of 4 and 3)."""
    if not tiles:
        return 1
    widest = max(t.width_px() for t in tiles)
    fits = next((n for n in range(min(most, len(tiles)), 0, -1) if column_px(n, page_px) >= widest), 1)
    rows = math.ceil(len(tiles) / fits)
    return math.ceil(len(tiles) / rows)


def show(tiles: Sequence[Tile], page_px: float = PAGE_PX) -> None:
    """The tiles in rows of equal columns, as many to a row as fit (`per_row`)."""
    n = per_row(tiles, page_px)
    for start in range(0, len(tiles), n):
        for column, tile in zip(st.columns(n), tiles[start:start + n], strict=False):
            column.metric(tile.label, tile.value, help=tile.help)


# ------------------------------------------------------------------------------------------ short figures

MISSING = "–"


def _missing(x: float | None) -> bool:
    return x is None or x != x  # None, or NaN: a figure with nothing to compute it from


def percent(x: float | None) -> str:
    """A share as a whole percent ("62%"), with one decimal below 10% where it matters ("0.7%")."""
    if _missing(x):
        return MISSING
    assert x is not None
    return f"{x:.1%}" if 0 < abs(x) < 0.095 else f"{x:.0%}"


def count(n: int | None) -> str:
    """A count with thousands separated ("12,345"); millions shortened ("1.2 M")."""
    if n is None:
        return MISSING
    return f"{n:,}" if abs(n) < 1_000_000 else f"{n / 1_000_000:,.1f} M"


def number(x: float | None, decimals: int = 1) -> str:
    """A figure with `decimals` decimals ("3.2"); from 1,000 on, whole ("1,234")."""
    if _missing(x):
        return MISSING
    assert x is not None
    return f"{x:,.{decimals}f}" if abs(x) < 1000 else f"{x:,.0f}"


def days(x: float | None) -> str:
    """Days with one decimal and the unit ("3.2 days"); from 1,000 on, whole ("1,234 days")."""
    return MISSING if _missing(x) else f"{number(x)} days"
