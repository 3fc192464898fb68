"""Loading a team's demand sample: CSV or Excel, their column names, their labels, their dates.

This is the front door to the one place where the demand data contract (docs/data-contracts.md) is enforced.
The result is a clean frame (columns in `workbench.schema`) plus a `LoadReport` that says in plain words what
was read, what was used, what was set aside and why. Nothing is dropped silently: a row that cannot be used is
listed with its row number as the user's spreadsheet would show it.

Two steps so that the app can show a mapping preview in between:
`read_table` (bytes -> raw table of the file's own columns) and `clean` (raw table + mapping -> demand).
The work is done in the modules beside this one: `read` (files into tables), `mapping` (which column is which
field), `dates`, `cleaning`, `report`; `reading` holds `ReadOptions`, how a file is read. The names callers
use are re-exported here, so `from workbench.demand.load import ...` keeps working.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.demand.catalogue import Catalogue, parse_catalogue
from workbench.demand.cleaning import NATURE_CODES, SOURCES, clean
from workbench.demand.dates import DATE_ORDERS, DateOrder, UsedOrder, detect_date_order, parse_dates
from workbench.demand.mapping import resolve_mapping, suggest_mapping
from workbench.demand.read import DELIMITERS, MAX_ROWS, RawTable, read_table
from workbench.demand.reading import FileKind, ReadOptions
from workbench.demand.report import Conflict, DemandFileError, LoadedDemand, LoadReport, SetAsideRow

__all__ = [
    "DATE_ORDERS", "DELIMITERS", "MAX_ROWS", "NATURE_CODES", "SOURCES", "Conflict", "DateOrder", "DemandFileError",
    "FileKind", "LoadReport", "LoadedDemand", "RawTable", "ReadOptions", "SetAsideRow", "UsedOrder", "clean",
    "clean_as",
    "detect_date_order", "load_demand", "parse_dates", "read_table", "resolve_mapping", "suggest_mapping",
]


def load_demand(
    source: str | Path | bytes,
    name: str | None = None,
    options: ReadOptions | None = None,
    *,
    catalogue: Catalogue | None = None,
    **changes: Any,
) -> LoadedDemand:
    """Read and clean in one call: what the CLI and scripts use.

    `options` says how the file is read; keyword arguments named as in `ReadOptions.to_dict` (`sheet=`,
    `header_row=`, `mapping=`, `date_order=`, `catalogue_text=`, `date_format=`, `timezone=`, `no_dates=`,
    `handling_unit=`) change single options on top of it. The
    options' catalogue text is read when no parsed `catalogue` is given."""
    options = (options or ReadOptions()).updated(**changes)
    raw = read_table(source, name, sheet=options.sheet, header_row=options.header_row)
    if catalogue is None and options.catalogue_text:
        catalogue = parse_catalogue(options.catalogue_text)
    return clean_as(raw, options, catalogue)


def clean_as(raw: RawTable, options: ReadOptions, catalogue: Catalogue | None = None) -> LoadedDemand:
    """`clean` with every reading option of `options` (its catalogue text is not parsed here: pass it)."""
    return clean(raw, options.mapping, date_order=options.order, catalogue=catalogue,
                 date_format=options.date_format, timezone=options.timezone, no_dates=options.no_dates,
                 handling_unit=options.handling_unit)
