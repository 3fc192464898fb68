"""How a demand file is read, said once: `ReadOptions` (sheet, header row, column mapping, date order,
catalogue) travels from the page or the command line to the loader, the study store and the study archive.

It is frozen and hashable, so it can key caches and be compared. `to_dict` / `from_dict` are the one place
its fields are listed for storage: the store's columns and the archive's study.json use the same names.
A new way of reading a file (a time column, a unit for durations) is a field here and a line in each of
those two methods. This module imports nothing of Workbench, so every layer may use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

DateOrder = Literal["auto", "day-first", "month-first"]  # how a person says the dates are written
DATE_ORDERS: tuple[DateOrder, ...] = ("auto", "day-first", "month-first")
FileKind = Literal["csv", "excel"]
HandlingUnit = Literal["seconds", "minutes", "hours"]  # what the handling-time column counts
HANDLING_UNITS: tuple[HandlingUnit, ...] = ("seconds", "minutes", "hours")


@dataclass(frozen=True)
class ReadOptions:
    """How to read one demand file. Every field may be left unset: the loader then finds it itself."""

    sheet: str | None = None  # Excel: the sheet (None: the first sheet that holds a demand table)
    header_row: int | None = None  # the header's row as the spreadsheet shows it (None: found)
    # field -> the file's column (None: not in the file), on top of the column-name synonyms. Pairs in the
    # order given, because that order decides when two fields name the same column (the later one wins).
    mapping_pairs: tuple[tuple[str, Any], ...] = ()
    date_order: DateOrder | None = None  # None: not chosen (read as "auto"); stored as it was given
    catalogue_text: str | None = None  # the demand-type catalogue (YAML) the file is read with
    date_format: str | None = None  # an explicit strptime format ('%y%m%d') for the date columns (None: found)
    timezone: str | None = None  # the zone times with an offset are shown in ('Europe/London'; None: the machine's)
    no_dates: bool = False  # the file has no usable date: read it for counts and words only
    handling_unit: HandlingUnit | None = None  # None: minutes, unless the column's name says otherwise
    event_log: bool = False  # an event log (many rows per case): read as one demand per case (workbench.eventlog)

    @property
    def mapping(self) -> dict[str, Any]:
        """The column mapping as a dict (field -> column), a fresh copy each time."""
        return dict(self.mapping_pairs)

    @property
    def order(self) -> DateOrder:
        """The date order to read with: the one chosen, else 'auto'."""
        return self.date_order or "auto"

    def key(self) -> tuple[object, ...]:
        """For caches: equal for options that read a file the same way (the mapping's pairs sorted)."""
        return (self.sheet, self.header_row, tuple(sorted(self.mapping_pairs)), self.date_order,
                self.catalogue_text, self.date_format, self.timezone, self.no_dates, self.handling_unit,
                self.event_log)

    def to_dict(self) -> dict[str, Any]:
        """Plain values, named as the store's columns and study.json name them (in study.json's order)."""
        return {"mapping": self.mapping, "date_order": self.date_order, "sheet": self.sheet,
                "header_row": self.header_row, "catalogue_text": self.catalogue_text,
                "date_format": self.date_format, "timezone": self.timezone, "no_dates": self.no_dates,
                "handling_unit": self.handling_unit, "event_log": self.event_log}

    def extras(self) -> dict[str, Any]:
        """The options beyond the first five, only those set: what the store keeps in one JSON column, so a
        new option needs no new column."""
        return {name: value for name, value in self.to_dict().items()
                if name in EXTRA_OPTION_NAMES and value not in (None, False)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReadOptions:
        """The options `to_dict` gave (a missing name is left unset; an unknown one is refused)."""
        unknown = [name for name in data if name not in READ_OPTION_NAMES]
        if unknown:
            raise TypeError(f"not a way of reading a demand file: {', '.join(map(str, unknown))}; "
                            f"those are: {', '.join(READ_OPTION_NAMES)}")
        return cls(sheet=data.get("sheet"), header_row=data.get("header_row"),
                   mapping_pairs=tuple(dict(data.get("mapping") or {}).items()),
                   date_order=data.get("date_order"), catalogue_text=data.get("catalogue_text"),
                   date_format=data.get("date_format") or None, timezone=data.get("timezone") or None,
                   no_dates=bool(data.get("no_dates")), handling_unit=data.get("handling_unit") or None,
                   event_log=bool(data.get("event_log")))

    def updated(self, **changes: Any) -> ReadOptions:
        """These options with some changed, named as in `to_dict` (`mapping=` takes a dict)."""
        return self.from_dict({**self.to_dict(), **changes}) if changes else self


READ_OPTION_NAMES: tuple[str, ...] = tuple(ReadOptions().to_dict())  # the names `from_dict` accepts
EXTRA_OPTION_NAMES: tuple[str, ...] = ("date_format", "timezone", "no_dates", "handling_unit", "event_log")
