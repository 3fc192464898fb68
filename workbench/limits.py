"""Budgets for every reader: the most a demand file, an Excel workbook, a YAML map or catalogue, or a study
export may hold before Workbench refuses it, and the one size cap on every file uploaded to the app.

Why: a server is shared. One upload of a few kilobytes (an .xlsx that claims a million rows, YAML aliases
that expand a thousandfold, a zip of a zip) must not take memory and time from everyone else. Each limit is
far above what real work meets, is a setting (an environment variable) with a documented default
(docs/limits.md lists them all, from `LIMITS`), and is refused in one sentence naming the limit and its
setting. Readers ask `limit.value` where they count and call `limit.refuse(...)` for the message; nothing
else in Workbench spells a budget. This module imports nothing of Workbench, so every layer may use it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


class LimitError(ValueError):
    """Input over one of the budgets; the message names the limit and the setting that changes it."""


@dataclass(frozen=True)
class Limit:
    setting: str  # the environment variable that changes it
    default: int
    unit: str  # what is counted, plural: "rows", "bytes", "characters"
    what: str  # where it is counted, for people: "a demand file", "one cell"

    @property
    def value(self) -> int:
        """The limit in force: the setting when it is a positive whole number (`_` allowed), else the default."""
        raw = os.environ.get(self.setting, "").replace("_", "").strip()
        if raw.isdigit() and int(raw) > 0:
            return int(raw)
        return self.default

    def message(self, source: str, found: int | None = None) -> str:
        """One sentence: what was found, the limit, and the setting (for the person who runs the server)."""
        where = f"{source}: " if source else ""
        said = (f"{where}{found:,} {self.unit}, but {self.what} may have at most {self.value:,}" if found is not None
                else f"{where}{self.what} may have at most {self.value:,} {self.unit}, and this one has more")
        return f"{said} (whoever runs Workbench can change this with the setting {self.setting})."

    def check(self, found: int, source: str = "") -> None:
        """Raise `LimitError` when `found` is over the limit."""
        if found > self.value:
            raise LimitError(self.message(source, found))

    def refuse(self, source: str = "", found: int | None = None) -> LimitError:
        """The error to raise where the count went over (`raise limit.refuse(name)`)."""
        return LimitError(self.message(source, found))


LIMITS: dict[str, Limit] = {}  # setting -> limit, in the order docs/limits.md lists them


def _limit(setting: str, default: int, unit: str, what: str) -> Limit:
    limit = Limit(setting, default, unit, what)
    LIMITS[setting] = limit
    return limit


# ------------------------------------------------------------------------------------------ demand files
DEMAND_BYTES = _limit("WORKBENCH_MAX_DEMAND_BYTES", 1_000_000_000, "bytes", "a demand file")
DEMAND_ROWS = _limit("WORKBENCH_MAX_DEMAND_ROWS", 5_000_000, "rows", "a demand file")
DEMAND_COLUMNS = _limit("WORKBENCH_MAX_DEMAND_COLUMNS", 1_000, "columns", "a demand file")
DEMAND_CELLS = _limit("WORKBENCH_MAX_DEMAND_CELLS", 200_000_000, "cells", "a demand file")
CELL_CHARS = _limit("WORKBENCH_MAX_CELL_CHARS", 1_000_000, "characters", "one cell")
# Excel: what the workbook's XML holds once unpacked, counted while it is read (never trusted from its metadata)
EXCEL_XML_BYTES = _limit("WORKBENCH_MAX_EXCEL_XML_BYTES", 2_000_000_000, "bytes of unpacked sheet data",
                         "an Excel workbook")
EXCEL_RATIO = _limit("WORKBENCH_MAX_EXCEL_RATIO", 200, "times its packed size (unpacked)", "an Excel sheet")

# ------------------------------------------------------------------------------------------ YAML: maps, catalogues
YAML_BYTES = _limit("WORKBENCH_MAX_YAML_BYTES", 5_000_000, "bytes", "a process map or catalogue")
YAML_NODES = _limit("WORKBENCH_MAX_YAML_NODES", 200_000, "values", "a process map or catalogue")
YAML_ALIASES = _limit("WORKBENCH_MAX_YAML_ALIASES", 1_000, "aliases (*name)", "a process map or catalogue")
YAML_DEPTH = _limit("WORKBENCH_MAX_YAML_DEPTH", 50, "levels of nesting", "a process map or catalogue")
NUMBER_DIGITS = _limit("WORKBENCH_MAX_NUMBER_DIGITS", 30, "digits", "one number")
MAP_STEPS = _limit("WORKBENCH_MAX_MAP_STEPS", 1_000, "steps", "a process map")
MAP_ROUTES = _limit("WORKBENCH_MAX_MAP_ROUTES", 10_000, "routes", "a process map")
CATALOGUE_TYPES = _limit("WORKBENCH_MAX_CATALOGUE_TYPES", 10_000, "demand types", "a catalogue")

# ------------------------------------------------------------------------------------------ study exports
ZIP_BYTES = _limit("WORKBENCH_MAX_ZIP_UNPACKED_BYTES", 500 * 1024 * 1024, "bytes once unpacked", "a study export")
ZIP_MEMBERS = _limit("WORKBENCH_MAX_ZIP_MEMBERS", 10_000, "files", "a study export")
# a zip that unpacks to far more than its own size is a bomb, whatever its checksums say (checked from its directory)
ZIP_RATIO = _limit("WORKBENCH_MAX_ZIP_RATIO", 200, "times its packed size (unpacked)", "a study export")

# ------------------------------------------------------------------------------------------ uploads
# One figure for every file uploaded to the app (demand file, event log, catalogue, map, study zip). Streamlit's
# upload box is given the same figure (server.maxUploadSize: `workbench app` passes it, .streamlit/config.toml
# says the default), and `check_upload` refuses an upload over it before a byte of it is read, whatever the
# browser sent. Megabytes as Streamlit counts them (1,048,576 bytes). The readers' own budgets above still apply
# within it (a map or catalogue is at most WORKBENCH_MAX_YAML_BYTES).
UPLOAD_MB = _limit("WORKBENCH_MAX_UPLOAD_MB", 200, "MB", "an uploaded file")
MB = 1024 * 1024


def check_upload(name: str, size: int) -> None:
    """Raise `LimitError` naming the file and the cap when an upload of `size` bytes is over UPLOAD_MB."""
    most = UPLOAD_MB.value
    if size > most * MB:
        # just over: "1.0 MB, but at most 1 MB" would read as a mistake, so the bytes are given instead
        shown = f"{size / MB:,.1f} MB" if round(size / MB, 1) > most else f"{size:,} bytes"
        raise LimitError(f"{name} is {shown}, but an uploaded file may be at most {most:,} MB "
                         f"(whoever runs Workbench can change this with the setting {UPLOAD_MB.setting}).")
