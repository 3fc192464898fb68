"""Starting points for a new map: a few real shapes of service, as map files in process_maps/templates/.

A team rarely starts from nothing: most services are a contact centre with a back office, case work with
checks, or field visits by appointment. Each template is an ordinary map file (docs/process-maps.md), read and
validated like any other; its figures are workshop estimates, marked `source: "template: ..."`, for the team
to replace with its own. They are read from the bundled folder (not WORKBENCH_MAPS_DIR, which only moves the
team's own maps).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from workbench import paths
from workbench.flow.model import MapFileError, ProcessMap, load_map

TEMPLATES_DIR = paths.PROCESS_MAPS_DIR / "templates"


@dataclass(frozen=True)
class Template:
    """A template file: its title (the map's name) and what it is, in a sentence (its description)."""

    path: Path
    title: str
    summary: str

    def load(self) -> ProcessMap:
        m = load_map(self.path)
        m.path = None  # a map made from a template is the study's, not the template file's
        return m


def templates(folder: Path | None = None) -> list[Template]:
    """The templates in `folder` (default: the bundled ones), by file name. One this server cannot read (over
    its budgets, workbench/limits.py) is not offered: a map made from it could not be stored. Read once per
    state of the folder and of the budgets (the Flow page asks at every rerun: ~12 ms of YAML otherwise)."""
    folder = folder or TEMPLATES_DIR
    files = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size)
                  for p in sorted(folder.glob("*.yaml"))) if folder.exists() else ()
    budgets = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("WORKBENCH_MAX_")))
    return list(_read(folder, files, budgets))


@functools.lru_cache(maxsize=8)
def _read(folder: Path, files: tuple[tuple[str, int, int], ...], budgets: tuple[tuple[str, str], ...]
          ) -> tuple[Template, ...]:
    out = []
    for name, _, _ in files:
        try:
            m = load_map(folder / name)
        except MapFileError:
            continue
        out.append(Template(folder / name, m.name, m.description))
    return tuple(out)
