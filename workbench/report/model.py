"""What a study report is made of: sections of plain blocks (sentences, headline figures, charts, tables).

Plain data, with every text as the reader should see it (the writers escape it): the HTML writer (html.py) and
anything else that wants to show a report (a test, a future format) read the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from workbench.report.figures import Tile


@dataclass(frozen=True)
class Text:
    """A sentence or paragraph. `kind`: "text", "note" (a quieter aside), "missing" (what the study does not
    have yet), "warning", "headline" (a finding in large type), "subheading" (a heading inside a section)."""

    text: str
    kind: str = "text"


@dataclass(frozen=True)
class Bullets:
    items: list[str]
    title: str = ""


@dataclass(frozen=True)
class Tiles:
    tiles: list[Tile]


@dataclass(frozen=True)
class Figure:
    """A chart as inline SVG (made offline from the Vega-Lite spec the app draws), with its title in words."""

    title: str
    svg: str
    caption: str = ""


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[str]]
    caption: str = ""


Block = Text | Bullets | Tiles | Figure | Table


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)
    key: str = ""  # a stable name for links and tests: "headline", "demand", "end-to-end", ...

    def add(self, *blocks: Block) -> Section:
        self.blocks.extend(blocks)
        return self


@dataclass
class Report:
    study: str
    description: str
    sections: list[Section]
    generated_at: datetime
    version: str
    missing: list[str] = field(default_factory=list)  # what the study does not have yet, in words

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def tiles(self) -> list[Tile]:
        """Every headline figure in the report, in order (the Dashboard's tiles, once each)."""
        return [t for s in self.sections for b in s.blocks if isinstance(b, Tiles) for t in b.tiles]

    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]
