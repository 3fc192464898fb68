"""What a load says back: the `LoadReport` (what was read, used, set aside and why), the rows set aside, the
catalogue conflicts, and `DemandFileError` for a file that cannot be used at all.

Its own module because every step of loading (reading, mapping, dates, cleaning) reports through it, and the
app, the CLI and the store read it without needing any of those steps.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd

_EXAMPLES = 10  # row numbers quoted per problem in messages


class DemandFileError(ValueError):
    """A file that cannot be used at all; the message is one plain sentence naming the file."""


@dataclass
class SetAsideRow:
    row: int
    reason: str
    column: str = ""


@dataclass
class Conflict:
    row: int
    demand_type: str
    recorded: str
    catalogue: str



@dataclass
class LoadReport:
    source: str
    kind: str
    header_row: int
    columns: list[str]
    mapping: dict[str, str]
    date_order: str
    rows_read: int
    blank_rows: int = 0
    set_aside: list[SetAsideRow] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    unknown_nature_labels: dict[str, int] = field(default_factory=dict)
    unknown_types: dict[str, int] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    conflict_count: int = 0
    filled_from_catalogue: int = 0
    notes: list[str] = field(default_factory=list)
    date_notes: list[str] = field(default_factory=list)  # how the date column was read (workbench.demand.dates)
    read_as: str | None = None  # what was read, when not rows of demand (an event log: cases from events)

    @property
    def rows_used(self) -> int:
        return self.rows_read - self.blank_rows - len(self.set_aside)

    def set_aside_reasons(self) -> dict[str, list[int]]:
        """Set-aside rows grouped by reason, for messages such as 'date not readable: rows 14, 77'."""
        out: dict[str, list[int]] = {}
        for item in self.set_aside:
            out.setdefault(_reason_kind(item.reason), []).append(item.row)
        return out

    def summary_lines(self) -> list[str]:
        """The report in plain words, most important first."""
        where = f" (sheet '{self.sheet}')" if self.sheet else ""
        lines = [self.read_as or f"Read {self.rows_read:,} rows from {self.source}{where}; using {self.rows_used:,}."]
        lines.extend(self.date_notes)
        if self.set_aside:
            for kind, rows in self.set_aside_reasons().items():
                lines.append(f"Set aside {len(rows):,} row(s), {kind}: {_row_list(rows)}.")
        if self.blank_rows:
            lines.append(f"Skipped {self.blank_rows:,} blank row(s).")
        if self.filled_from_catalogue:
            lines.append(
                f"Filled value/failure for {self.filled_from_catalogue:,} row(s) from the demand-type catalogue."
            )
        if self.conflict_count:
            first = ", ".join(
                f"row {c.row} ('{c.demand_type}' recorded as {c.recorded}, catalogue says {c.catalogue})"
                for c in self.conflicts[:3]
            )
            lines.append(
                f"{self.conflict_count:,} row(s) disagree with the catalogue; kept as recorded: {first}"
                + ("…" if self.conflict_count > 3 else ".")
            )
        if self.unknown_types:
            names = ", ".join(f"'{k}' ({v})" for k, v in list(self.unknown_types.items())[:8])
            lines.append(f"Demand types not in the catalogue: {names}.")
        if self.unknown_nature_labels:
            labels = ", ".join(f"'{k}' ({v})" for k, v in self.unknown_nature_labels.items())
            lines.append(f"Value/failure labels we don't recognise, counted as not yet classified: {labels}.")
        lines.extend(self.notes)
        return lines

    def to_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["rows_used"] = self.rows_used
        return out


@dataclass
class LoadedDemand:
    frame: pd.DataFrame
    report: LoadReport
    set_aside_rows: pd.DataFrame


def _reason_kind(reason: str) -> str:
    return reason.split(":", 1)[0]


def _row_list(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:_EXAMPLES])
    if len(rows) == 1:
        return f"row {shown}"
    return f"rows {shown}" + (f" and {len(rows) - _EXAMPLES:,} more" if len(rows) > _EXAMPLES else "")
