"""Session state of the process-map editor: the map being edited, its history, and where it came from.

Every edit is committed at once: the edited tables become a new map, which is written to YAML and read back
(so validation messages point at lines of the YAML the team would save), and pushed on an undo stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from workbench import paths
from workbench.flow.model import MapFileError, ProcessMap, load_map, parse_map, to_yaml

KEY = "flow_editor"
HISTORY_LIMIT = 50


@dataclass
class Working:
    """The map on screen. `origin` is the file it was opened from (None for uploads and templates)."""

    map: ProcessMap
    yaml_text: str
    origin: Path | None
    saved_text: str | None  # the YAML as last saved or opened, to tell whether there are unsaved edits
    version: int = 0

    @property
    def unsaved(self) -> bool:
        return self.saved_text != self.yaml_text


def maps_dir() -> Path:
    return paths.process_maps_dir()


def map_files() -> list[Path]:
    folder = maps_dir()
    return sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")) if folder.exists() else []


def _normalised(m: ProcessMap, source: str, path: Path | None) -> tuple[ProcessMap, str]:
    text = to_yaml(m)
    fresh = parse_map(text, source, path)
    fresh.path = path or m.path
    return fresh, text


def working() -> Working | None:
    return st.session_state.get(KEY)


def open_file(path: Path) -> None:
    m = load_map(path)
    text = path.read_text(encoding="utf-8-sig")
    _set(Working(m, text, path, text))


def open_text(text: str, name: str) -> None:
    """An uploaded map; raises MapFileError when it is not a YAML mapping."""
    m = parse_map(text, name, maps_dir() / name)
    _set(Working(m, text, None, None))


def open_map(m: ProcessMap, origin: Path | None = None) -> None:
    fresh, text = _normalised(m, m.source, origin)
    _set(Working(fresh, text, origin, None))


def _set(w: Working) -> None:
    previous = working()
    w.version = (previous.version + 1) if previous else 0
    st.session_state[KEY] = w
    st.session_state[KEY + "_history"] = []


def commit(m: ProcessMap) -> None:
    """Replace the working map with an edited one (undoable)."""
    w = working()
    assert w is not None
    fresh, text = _normalised(m, w.map.source, w.map.path)
    if text == w.yaml_text:
        return
    history = st.session_state.setdefault(KEY + "_history", [])
    history.append((w.map, w.yaml_text))
    del history[:-HISTORY_LIMIT]
    st.session_state[KEY] = Working(fresh, text, w.origin, w.saved_text, w.version + 1)


def undo() -> bool:
    history = st.session_state.get(KEY + "_history") or []
    w = working()
    if not history or w is None:
        return False
    m, text = history.pop()
    st.session_state[KEY] = Working(m, text, w.origin, w.saved_text, w.version + 1)
    return True


def can_undo() -> bool:
    return bool(st.session_state.get(KEY + "_history"))


def save(path: Path) -> None:
    """Write the working map's YAML to `path` (the caller has already asked before overwriting)."""
    w = working()
    assert w is not None
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(w.yaml_text, encoding="utf-8")
    tmp.replace(path)
    fresh = parse_map(w.yaml_text, path.name, path)
    st.session_state[KEY] = Working(fresh, w.yaml_text, path, w.yaml_text, w.version + 1)


def ensure_open() -> Working:
    """The map on screen; at first start the first map in process_maps/ (or a template)."""
    w = working()
    if w is not None:
        return w
    files = map_files()
    for f in files:
        try:
            open_file(f)
            break
        except (MapFileError, OSError):
            continue
    else:
        from workbench.flow.tables import template

        open_map(template())
    w = working()
    assert w is not None
    return w


def free_name(stem: str) -> Path:
    """`stem.yaml` in process_maps/, or `stem-2.yaml`, `stem-3.yaml`... whichever does not exist yet."""
    folder = maps_dir()
    candidate = folder / f"{stem}.yaml"
    n = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{n}.yaml"
        n += 1
    return candidate
