"""Session state of the process-map editor: the map being edited, its history, and where it is stored.

The maps the editor works on are the study's (workbench.store): opening a file from process_maps/, an upload,
a template or a duplicate adds it to the study. Every edit is saved at once: the edited tables become a new
map, written to YAML and read back (so validation messages point at lines of the YAML that is stored), and
pushed on an undo stack. One person's edits a few minutes apart make one version (studies.EDIT_WINDOW), so the
history lists what people changed, not every keystroke. If someone else saved the map meanwhile, their changes and
these are merged step by step, or the edit is refused with their version shown (workbench.store.studies).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from workbench import paths, serving
from workbench.app import keys, notices, study
from workbench.app.text import literal
from workbench.flow.files import save_copy
from workbench.flow.merge import describe_changes
from workbench.flow.model import MapFileError, ProcessMap, parse_map, parse_map_text, to_yaml
from workbench.store import studies
from workbench.store.studies import ConflictError, StoreError

HISTORY_LIMIT = 50


@dataclass
class Working:
    """The map on screen: the study's map `name` at `stored_version`. `origin` is the process_maps/ file it
    was last saved to or added from, if any (for the save-to-folder box)."""

    map: ProcessMap
    yaml_text: str
    origin: Path | None
    saved_text: str | None  # the YAML as last written to `origin`
    version: int = 0  # widget generation: bumped on every change so the tables start afresh
    study_id: int | None = None
    name: str | None = None  # the map's name in the study
    stored_version: int | None = None
    stored_edits: int = 0  # how many of one person's edits that version holds (studies.EDIT_WINDOW)

    @property
    def unsaved(self) -> bool:
        return self.stored_version is None


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
    return st.session_state.get(keys.FLOW_EDITOR)


def parse_stored(text: str, name: str) -> ProcessMap:
    # a stored map is read as if it sat in process_maps/, so its relative catalogue path resolves there
    return parse_map(text, name, maps_dir() / "study-map.yaml")


def _free_map_name(study_id: int, wanted: str, text: str) -> tuple[str, bool]:
    """`wanted`, or `wanted (2)`…: a name the study does not use. True when the study already has `wanted`
    with exactly this text (nothing to add)."""
    existing = {v.name: v.yaml_text for v in study.call(studies.list_maps, study_id)}
    wanted = " ".join(wanted.split()) or "Map"
    if existing.get(wanted) == text:
        return wanted, True
    name, n = wanted, 2
    while name in existing:
        name, n = f"{wanted} ({n})", n + 1
    return name, False


def add_text_to_study(study_id: int, text: str, wanted: str, note: str) -> str:
    """Store a map's text as a new map of the study (or find it there already); its name in the study."""
    name, present = _free_map_name(study_id, wanted, text)
    if not present:
        study.call(studies.save_map_version, study_id, name, text, study.author(), None, note=note)
    return name


def add_file_to_study(study_id: int, path: Path) -> str:
    text = path.read_text(encoding="utf-8-sig")
    m = parse_map(text, path.name, path)
    return add_text_to_study(study_id, text, m.name or path.stem, f"From process_maps/{path.name}")


def open_study_map(name: str, version: int | None = None, origin: Path | None = None) -> None:
    current = study.require()
    stored = study.call(studies.get_map_version, current.id, name, version)
    _set(Working(parse_stored(stored.yaml_text, name), stored.yaml_text, origin, None, study_id=current.id, name=name,
                 stored_version=stored.version, stored_edits=stored.edits))


def open_file(path: Path) -> None:
    """Add a process_maps/ file to the study (unless it is there already, unchanged) and open it."""
    current = study.require()
    name = add_file_to_study(current.id, path)
    open_study_map(name, origin=path)
    w = working()
    assert w is not None
    w.saved_text = path.read_text(encoding="utf-8-sig")


def open_text(text: str, name: str) -> None:
    """An uploaded map, added to the study. Everything is checked before anything is stored: raises
    MapFileError (one sentence naming the file) when it is not a YAML mapping, is over a budget of
    workbench/limits.py, or names a catalogue outside process_maps/ (workbench.flow.model.parse_map_text)."""
    m = parse_map_text(text, name)
    current = study.require()
    open_study_map(add_text_to_study(current.id, text, m.name or Path(name).stem, f"Uploaded {name}"))


def open_map(m: ProcessMap, note: str = "New map") -> str:
    """A map made on the page (a template, a blank map, a duplicate), added to the study under its name (or a
    free one: "Name (2)"); the name it was stored under."""
    current = study.require()
    text = to_yaml(m)
    name = add_text_to_study(current.id, text, m.name or "New map", note)
    open_study_map(name)
    return name


def describe(m: ProcessMap) -> str:
    """What a new map holds, in a sentence: its roles, steps and routes (for the message after making it)."""
    routes = sum(len(s.routes) for s in m.steps)
    return (f"{len(m.steps)} step{'s' if len(m.steps) != 1 else ''}, {len(m.roles)} role"
            f"{'s' if len(m.roles) != 1 else ''} and {routes} route{'s' if routes != 1 else ''}")


def set_details(name: str, design: str, description: str, service: str) -> bool:
    """Change the map's name, design, description and service (the YAML's header fields), saved as the next
    version like any edit; a new name also renames the map in the study (its versions go with it), so the list
    of maps and the heading agree. False when nothing changed. Raises DuplicateNameError (nothing saved) when
    the study has another map of that name."""
    w = working()
    assert w is not None
    m = w.map
    fields = {"name": " ".join(name.split()) or m.name, "design": design.strip(),
              "description": description.strip(), "service": service.strip()}
    if all(getattr(m, k) == v for k, v in fields.items()):
        return False
    if fields["name"] != m.name and w.study_id is not None and w.name is not None and fields["name"] != w.name:
        study.call(studies.rename_map, w.study_id, w.name, fields["name"])
        st.session_state[keys.FLOW_EDITOR] = dataclasses.replace(w, name=fields["name"])
    commit(m.copy(**fields))
    return True


def forget() -> None:
    """Close the map on screen (after it was deleted); the next page run opens another."""
    st.session_state.pop(keys.FLOW_EDITOR, None)
    st.session_state[keys.FLOW_HISTORY] = []


def _set(w: Working) -> None:
    previous = working()
    w.version = (previous.version + 1) if previous else 0
    st.session_state[keys.FLOW_EDITOR] = w
    st.session_state[keys.FLOW_HISTORY] = []


def _store(w: Working, text: str, note: str) -> Working:
    """Save `text` as the map's next version, from the version on screen. Returns what is on screen next:
    the saved (or merged) map, or, when the save is refused, the latest stored version with the reason kept
    for the page to show (notices, keys.FLOW_NOTICES)."""
    assert w.study_id is not None and w.name is not None
    try:
        saved = study.call(studies.save_map_version, w.study_id, w.name, text, study.author(), w.stored_version,
                           note=note, base_text=w.yaml_text, coalesce_within=studies.EDIT_WINDOW)
    except ConflictError as exc:
        notices.later(keys.FLOW_NOTICES, str(exc), "error")
        latest = study.call(studies.get_map_version, w.study_id, w.name)
        return Working(parse_stored(latest.yaml_text, w.name), latest.yaml_text, w.origin, w.saved_text, w.version + 1,
                       w.study_id, w.name, latest.version, latest.edits)
    if saved.yaml_text != text:
        notices.later(keys.FLOW_NOTICES, "Someone else changed this map at the same time; both sets of changes "
                      f"are kept. {saved.note}", "info", icon=":material/merge:")
    together = (f" with your other edits of the last few minutes ({saved.edits} in all)" if saved.edits > 1
                else "")
    notices.later(keys.FLOW_NOTICES, f"Saved as version {saved.version}{together}.", "toast")
    return Working(parse_stored(saved.yaml_text, w.name), saved.yaml_text, w.origin, w.saved_text, w.version + 1,
                   w.study_id, w.name, saved.version, saved.edits)


def _note(old: str, new: str) -> str:
    try:
        lines = describe_changes(old, new)
    except (StoreError, MapFileError, ValueError):
        return "Edited"
    return " ".join(lines[:3]) + (f" (+{len(lines) - 3} more)" if len(lines) > 3 else "") if lines else "Edited"


def commit(m: ProcessMap) -> None:
    """Replace the working map with an edited one: saved in the study at once, and undoable."""
    w = working()
    assert w is not None
    text = to_yaml(m)
    if text == w.yaml_text:
        return
    try:  # an edit is held to the budgets an upload is (steps, routes, bytes): a map too big is never stored
        parse_map_text(text, w.name or m.name)
    except MapFileError as exc:
        notices.later(keys.FLOW_NOTICES, f"{literal(exc)} The edit was not saved.", "error")
        st.session_state[keys.FLOW_EDITOR] = dataclasses.replace(w, version=w.version + 1)  # tables afresh
        return
    history = st.session_state.setdefault(keys.FLOW_HISTORY, [])
    history.append(w.yaml_text)
    del history[:-HISTORY_LIMIT]
    st.session_state[keys.FLOW_EDITOR] = _store(w, text, _note(w.yaml_text, text))


def undo() -> bool:
    """Go back one edit: the text before it is saved, exactly, like an edit (added to this person's version
    while they are still editing it, else a new version)."""
    history = st.session_state.get(keys.FLOW_HISTORY) or []
    w = working()
    if not history or w is None:
        return False
    text = history.pop()
    st.session_state[keys.FLOW_EDITOR] = _store(w, text, "Undo: " + _note(w.yaml_text, text))
    return True


def can_undo() -> bool:
    return bool(st.session_state.get(keys.FLOW_HISTORY))


def restore(version: int) -> None:
    w = working()
    assert w is not None and w.study_id is not None and w.name is not None
    study.call(studies.restore_map_version, w.study_id, w.name, version, study.author())
    open_study_map(w.name, origin=w.origin)
    notices.later(keys.FLOW_NOTICES, f"Version {version} restored as the newest version.", "toast")


def map_files_writable() -> bool:
    """Whether this server lets the app write into process_maps/ (workbench.serving decides, from the address
    the server listens on and its sign-in settings)."""
    return serving.map_files_writable(_address())


def _address() -> str | None:
    """The address this server listens on, as Streamlit was told it (command line or config.toml)."""
    return st.get_option("server.address")


def save(path: Path, overwrite: bool = False) -> None:
    """Write the working map's YAML to `path`: never over a different file unless `overwrite` (the person chose
    to overwrite that file), never on a server whose maps folder is read-only (workbench.flow.files)."""
    w = working()
    assert w is not None
    save_copy(w.yaml_text, path, address=_address(), overwrite=overwrite)
    w.origin, w.saved_text = path, w.yaml_text


TABLES = ("steps", "routes", "roles", "hours", "entry", "failure_demand", "queues", "closed")
# The editor's sections, one on screen at a time (the choice is kept in keys.FLOW_SECTION across reruns, so an
# edit never sends the person back to the first), and the section each table is in.
SECTIONS = ("Steps", "Routes", "Roles and hours", "Entry and failure demand", "Queues and closed days",
            "Edit one step")
SECTION_OF = {"steps": "Steps", "routes": "Routes", "roles": "Roles and hours", "hours": "Roles and hours",
              "entry": "Entry and failure demand", "failure_demand": "Entry and failure demand",
              "queues": "Queues and closed days", "closed": "Queues and closed days"}


def _pending(w: Working) -> bool:
    """Whether this rerun carries an edit made in the tables or the step form of the map on screen."""
    for table in TABLES:
        delta = st.session_state.get(keys.flow_table(table, w.version))
        if isinstance(delta, dict) and any(delta.get(k) for k in ("edited_rows", "added_rows", "deleted_rows")):
            return True
    return bool(st.session_state.get(keys.flow_step_apply(w.version)))


def ensure_open() -> Working | None:
    """The map on screen, re-read from the study at every rerun (so a refresh or another person's save shows
    what is stored); at first the study's first map. None when the study has no map: nothing is made until the
    person chooses how to start (a template, a blank map, a file, an upload)."""
    current = study.require()
    w = working()
    if w is not None and w.study_id == current.id and w.name is not None:
        try:
            latest = study.call(studies.get_map_version, current.id, w.name)
        except StoreError:
            latest = None
        if latest is not None:
            # someone else saved it since this page last looked (a new version, or more edits added to theirs):
            # show theirs, unless an edit made on the older text is waiting to be saved (it is then saved from
            # that text, i.e. merged or refused)
            if (latest.version, latest.yaml_text) != (w.stored_version, w.yaml_text) and not _pending(w):
                _set(Working(parse_stored(latest.yaml_text, w.name), latest.yaml_text, w.origin, w.saved_text,
                             study_id=current.id, name=w.name, stored_version=latest.version,
                             stored_edits=latest.edits))
            w = working()
            assert w is not None
            return w
    stored = study.call(studies.list_maps, current.id)
    if not stored:
        forget()
        return None
    open_study_map(stored[0].name)
    return working()


def free_name(stem: str) -> Path:
    """`stem.yaml` in process_maps/, or `stem-2.yaml`, `stem-3.yaml`... whichever does not exist yet."""
    folder = maps_dir()
    candidate = folder / f"{stem}.yaml"
    n = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{n}.yaml"
        n += 1
    return candidate
