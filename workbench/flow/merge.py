"""Three-way merge of two people's edits to one map, and a plain-words account of what changed.

Pure logic about maps (no store, no I/O): the store calls it when someone saves a map from a version that is
no longer the newest, and to show the difference between two versions. A map is cut into pieces (its own
fields, each role, each step) that are merged and compared one by one, so edits to different steps always
merge and edits to the same step conflict on exactly that step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from workbench.flow.model import ProcessMap, parse_map, to_dict, to_yaml

_TOP_LABELS = {"name": "the map's name", "service": "the service", "design": "the design",
               "description": "the description", "catalogue": "the catalogue", "entry": "the entry step",
               "failure_demand": "the failure demand (chase) rules", "serves": "the demand types it serves"}
_MISSING: Any = object()


@dataclass
class _Parts:
    """A map cut into the pieces that are merged and compared one by one."""

    top: dict[str, Any]
    roles: dict[str, dict[str, Any]]
    steps: dict[str, dict[str, Any]]
    map: ProcessMap


def _keyed(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        key = str(item.get("id", ""))
        n = 1
        while key in out:  # a repeated (or missing) id: the map's checks report it; keep both here
            n += 1
            key = f"{item.get('id', '')}#{n}"
        out[key] = item
    return out


def _parts(text: str, source: str = "map") -> _Parts:
    m = parse_map(text, source)
    d = to_dict(m)
    top = {k: v for k, v in d.items() if k not in ("roles", "steps")}
    return _Parts(top, _keyed(d.get("roles", [])), _keyed(d.get("steps", [])), m)


def _label(kind: str, key: str, item: dict[str, Any] | None) -> str:
    if kind == "map":
        return _TOP_LABELS.get(key, f"the map's '{key}'")
    name = str((item or {}).get("name") or "")
    return f"{kind} '{key}'" + (f" ({name})" if name and name != key else "")


def _merge_items(kind: str, base: dict[str, Any], theirs: dict[str, Any], mine: dict[str, Any]
                 ) -> tuple[dict[str, Any], list[str]]:
    """Three-way merge of keyed items: mine's changes applied onto theirs. Returns (merged, the keys both
    sides changed differently). Items keep theirs' order; one added only in mine goes after the item it
    follows in mine."""
    merged = dict(theirs)
    conflicts: list[str] = []
    for key in dict.fromkeys([*base, *theirs, *mine]):
        b, t, m = base.get(key, _MISSING), theirs.get(key, _MISSING), mine.get(key, _MISSING)
        if m in (b, t):
            continue  # mine did not change it, or both made the same change
        if t != b:
            conflicts.append(key)
        elif m is _MISSING:
            merged.pop(key, None)
        else:
            merged[key] = m
    if kind == "map":
        return merged, conflicts
    order = [k for k in theirs if k in merged]
    for i, key in enumerate(mine):
        if key in merged and key not in order:
            before = next((k for k in reversed(list(mine)[:i]) if k in order), None)
            order.insert(order.index(before) + 1 if before is not None else 0, key)
    return {k: merged[k] for k in order}, conflicts


def _section(parts: _Parts, kind: str) -> dict[str, Any]:
    return {"map": parts.top, "role": parts.roles, "step": parts.steps}[kind]


def _as_yaml(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, default_flow_style=False).rstrip()
    return str(value)


@dataclass
class MergeResult:
    """The outcome of a three-way merge: `text` when it merged; else `conflicts`, {what: their version
    as YAML, or None where they removed it}, and the same as (kind, key) pairs in `conflict_keys`, kind
    being "step", "role" or "map" (a top-level field such as entry)."""

    text: str | None
    conflicts: dict[str, str | None] = field(default_factory=dict)
    conflict_keys: list[tuple[str, str]] = field(default_factory=list)


def merge_maps(base_text: str, theirs_text: str, mine_text: str) -> MergeResult:
    """Merge two edits of one map, step by step: every step, role and top-level field (entry, name, chase
    rules, ...) changed by only one side takes that side's version. Where both changed the same one
    differently, nothing merges and the conflicts are returned. A merged map is written in the standard
    layout (comments inside it are not kept; the file's header comment is mine's)."""
    base, theirs, mine = _parts(base_text, "base"), _parts(theirs_text, "theirs"), _parts(mine_text, "mine")
    merged: dict[str, dict[str, Any]] = {}
    keys: list[tuple[str, str]] = []
    for kind in ("step", "role", "map"):
        merged[kind], clashes = _merge_items(kind, _section(base, kind), _section(theirs, kind),
                                             _section(mine, kind))
        keys += [(kind, key) for key in clashes]
    if keys:
        conflicts: dict[str, str | None] = {}
        for kind, key in keys:
            t = _section(theirs, kind).get(key, _MISSING)
            item = t if t is not _MISSING else _section(mine, kind).get(key, _section(base, kind).get(key))
            conflicts[_label(kind, key, item if isinstance(item, dict) else None)] = (
                None if t is _MISSING else _as_yaml(t))
        return MergeResult(None, conflicts, keys)
    if (merged["map"], merged["role"], merged["step"]) == (theirs.top, theirs.roles, theirs.steps):
        return MergeResult(theirs_text)  # mine adds nothing theirs lacks: keep their text as written
    if (theirs.top, theirs.roles, theirs.steps) == (base.top, base.roles, base.steps):
        return MergeResult(mine_text)  # theirs changed only comments or layout: keep mine as written
    data = {**merged["map"], "roles": list(merged["role"].values()), "steps": list(merged["step"].values())}
    out = parse_map(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "merged")
    out.header_comment = mine.map.header_comment
    return MergeResult(to_yaml(out))


# ------------------------------------------------------------------------------------------ describing changes


def _short(value: Any) -> str:
    if value is _MISSING or value is None or value == "":
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        text = ", ".join(f"{k} {_short(v)}" for k, v in value.items())
    elif isinstance(value, list):
        text = "; ".join(_route_words(v) if isinstance(v, dict) and "to" in v else _short(v) for v in value)
    else:
        text = str(value)
    return text if len(text) <= 120 else text[:119] + "…"


def _route_words(route: dict[str, Any]) -> str:
    parts = [f"{k} {_short(v)}" for k, v in route.items() if k not in ("to", "otherwise", "rework")]
    if route.get("otherwise"):
        parts.append("otherwise")
    if route.get("rework"):
        parts.append("rework")
    return f"to {route.get('to', '?')}" + (f" ({', '.join(parts)})" if parts else "")


def _changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    out = []
    for key in dict.fromkeys([*old, *new]):
        a, b = old.get(key, _MISSING), new.get(key, _MISSING)
        if a != b:
            out.append(f"{key.replace('_', ' ')} {_short(a)} → {_short(b)}")
    return out


def describe_changes(old_text: str, new_text: str) -> list[str]:
    """What changed from one version of a map to another, one sentence per change, in plain words: steps
    and roles added, removed or changed (with the fields that changed, old → new), the map's own fields,
    the order of steps. Empty when the texts are identical."""
    if old_text == new_text:
        return []
    old, new = _parts(old_text, "old"), _parts(new_text, "new")
    out: list[str] = []
    for key in dict.fromkeys([*old.top, *new.top]):
        a, b = old.top.get(key, _MISSING), new.top.get(key, _MISSING)
        if a != b:
            what = _TOP_LABELS.get(key, key)
            out.append(f"{what[0].upper()}{what[1:]} changed: {_short(a)} → {_short(b)}.")
    for kind, a_items, b_items in (("Role", old.roles, new.roles), ("Step", old.steps, new.steps)):
        for key in dict.fromkeys([*b_items, *a_items]):  # in the new order; removed ones last
            a, b = a_items.get(key), b_items.get(key)
            if a is None and b is not None:
                out.append(f"{_label(kind, key, b)} added.")
            elif b is None and a is not None:
                out.append(f"{_label(kind, key, a)} removed.")
            elif a != b and a is not None and b is not None:
                out.append(f"{_label(kind, key, b)} changed: {'; '.join(_changes(a, b))}.")
    common = [k for k in old.steps if k in new.steps]
    if common != [k for k in new.steps if k in old.steps]:
        out.append("The steps were put in a different order.")
    if not out:
        out.append("Only comments or layout changed.")
    return out


def last_changes(texts: list[str], keys: list[tuple[str, str]]) -> list[int]:
    """For each (kind, key), the index into `texts` (versions, oldest first) of the newest version that
    changed that step, role or map field compared with the version before it; the last index when none did."""
    parts = [_parts(t, f"version {i + 1}") for i, t in enumerate(texts)]

    def newest(kind: str, key: str) -> int:
        for i in range(len(parts) - 1, 0, -1):
            if _section(parts[i], kind).get(key, _MISSING) != _section(parts[i - 1], kind).get(key, _MISSING):
                return i
        return len(parts) - 1

    return [newest(kind, key) for kind, key in keys]
