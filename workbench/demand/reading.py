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
                self.catalogue_text)

    def to_dict(self) -> dict[str, Any]:
        """Plain values, named as the store's columns and study.json name them (in study.json's order)."""
        return {"mapping": self.mapping, "date_order": self.date_order, "sheet": self.sheet,
                "header_row": self.header_row, "catalogue_text": self.catalogue_text}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReadOptions:
        """The options `to_dict` gave (a missing name is left unset; an unknown one is refused)."""
        unknown = [name for name in data if name not in READ_OPTION_NAMES]
        if unknown:
            raise TypeError(f"not a way of reading a demand file: {', '.join(map(str, unknown))}; "
                            f"those are: {', '.join(READ_OPTION_NAMES)}")
        return cls(sheet=data.get("sheet"), header_row=data.get("header_row"),
                   mapping_pairs=tuple(dict(data.get("mapping") or {}).items()),
                   date_order=data.get("date_order"), catalogue_text=data.get("catalogue_text"))

    def updated(self, **changes: Any) -> ReadOptions:
        """These options with some changed, named as in `to_dict` (`mapping=` takes a dict)."""
        return self.from_dict({**self.to_dict(), **changes}) if changes else self


READ_OPTION_NAMES: tuple[str, ...] = tuple(ReadOptions().to_dict())  # the names `from_dict` accepts
