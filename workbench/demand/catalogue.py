"""The demand-type catalogue: for each of the team's demand types, whether it is value or failure demand
and, for failure demand, its cause.

A catalogue lets a team classify once per type instead of once per row. Format (YAML)::

    service: Housing repairs
    types:
      - type: Report a leak
        nature: value
      - type: Chasing a repair
        nature: failure
        cause: progress chasing
        aliases: [Chasing repair, Where is my repair]   # other spellings of the same type
      - type: Letter about rent
        nature: not sure                                 # named, not yet decided

A catalogue lets a team decide once per type; the app's "Demand types" editor writes one (stored in the study,
versioned) and `merge_catalogues` joins two people's edits type by type, as corrections and maps are joined.

See docs/data-contracts.md. Read by workbench/yamltext.py (`yaml.safe_load`'s rules, within the YAML budgets
of workbench/limits.py) and at most limits.CATALOGUE_TYPES types; problems name the file and the YAML line.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from workbench import limits, schema
from workbench.demand.labels import fold_keep, nature_label
from workbench.yamltext import YamlError, read_file_bytes, read_yaml


class CatalogueError(ValueError):
    """A catalogue file that cannot be used; the message names the file and line."""


UNSURE_WORDS = ("not sure", "unsure", "unclassified", "don't know", "dont know")


@dataclass(frozen=True)
class DemandType:
    name: str
    nature: str  # schema.VALUE, schema.FAILURE, or schema.UNCLASSIFIED: named (and merged), not yet decided
    cause: str = ""
    description: str = ""
    aliases: tuple[str, ...] = ()  # other spellings of this type in the data, merged into it by a person

    @property
    def decided(self) -> bool:
        return self.nature in (schema.VALUE, schema.FAILURE)


@dataclass
class Catalogue:
    types: list[DemandType] = field(default_factory=list)
    service: str = ""
    description: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        self._by_key = {fold_keep(spelling): t for t in self.types for spelling in (t.name, *t.aliases)}

    def lookup(self, type_label: object) -> DemandType | None:
        """Find a type by its label or one of its aliases, ignoring case and stray spaces."""
        return self._by_key.get(fold_keep(type_label))

    def names(self) -> list[str]:
        return [t.name for t in self.types]

    def spellings(self) -> dict[str, str]:
        """Folded spelling (a name or an alias) -> the type's name: how the data's labels are shown."""
        return {k: t.name for k, t in self._by_key.items()}

    def decide(self, name: str, nature: str, cause: str = "") -> Catalogue:
        """This catalogue with type `name` (added when new) set to `nature` and, for failure, `cause`."""
        nature = nature if nature in schema.NATURES else schema.UNCLASSIFIED
        cause = cause.strip() if nature == schema.FAILURE else ""
        found = self.lookup(name)
        if found is None:
            types = [*self.types, DemandType(" ".join(str(name).split()), nature, cause)]
        else:
            types = [replace(t, nature=nature, cause=cause) if t is found else t for t in self.types]
        return replace(self, types=types)

    def merge(self, into: str, others: list[str]) -> Catalogue:
        """This catalogue with the types (or data labels) `others` made spellings of `into`: their names and
        aliases become its aliases; `into` keeps its own decision (added, not sure, when new)."""
        target = self.lookup(into)
        cat = self if target is not None else self.decide(into, schema.UNCLASSIFIED)
        target = cat.lookup(into)
        assert target is not None
        aliases = list(target.aliases)
        gone: set[int] = set()
        for other in others:
            entry = cat.lookup(other)
            if entry is target:
                continue
            spellings = [entry.name, *entry.aliases] if entry is not None else [" ".join(str(other).split())]
            if entry is not None:
                gone.add(id(entry))
            aliases += [a for a in spellings if fold_keep(a) not in {fold_keep(x) for x in (target.name, *aliases)}]
        types = [replace(t, aliases=tuple(aliases)) if t is target else t for t in cat.types if id(t) not in gone]
        return replace(cat, types=types)

    def to_yaml(self) -> str:
        doc: dict[str, object] = {}
        if self.service:
            doc["service"] = self.service
        if self.description:
            doc["description"] = self.description
        entries = []
        for t in self.types:
            entry: dict[str, object] = {"type": t.name, "nature": t.nature if t.decided else "not sure"}
            if t.cause:
                entry["cause"] = t.cause
            if t.description:
                entry["description"] = t.description
            if t.aliases:
                entry["aliases"] = list(t.aliases)
            entries.append(entry)
        doc["types"] = entries
        return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def _line_of(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None


def parse_catalogue(text: str, source: str = "catalogue") -> Catalogue:
    """Parse catalogue YAML text; raise CatalogueError naming `source` and the line of the problem."""
    try:
        data, root = read_yaml(text, source)
    except YamlError as exc:
        raise CatalogueError(str(exc)) from None
    if not isinstance(data, dict) or "types" not in data:
        raise CatalogueError(f"{source}: a catalogue needs a 'types:' list (see docs/data-contracts.md).")
    items = data["types"]
    if not isinstance(items, list) or not items:
        raise CatalogueError(f"{source}: 'types' must be a non-empty list of demand types.")
    if len(items) > limits.CATALOGUE_TYPES.value:
        raise CatalogueError(limits.CATALOGUE_TYPES.message(source, len(items)))
    type_nodes: list[yaml.Node | None] = [None] * len(items)
    if isinstance(root, yaml.MappingNode):
        for key_node, value_node in root.value:
            if key_node.value == "types" and isinstance(value_node, yaml.SequenceNode):
                type_nodes = list(value_node.value)
    types: list[DemandType] = []
    seen: dict[str, int | None] = {}
    for i, item in enumerate(items):
        line = _line_of(type_nodes[i] if i < len(type_nodes) else None)
        where = f"{source}, line {line}" if line else f"{source}, type #{i + 1}"
        if not isinstance(item, dict):
            raise CatalogueError(f"{where}: each type needs 'type:' and 'nature:' keys.")
        name = str(item.get("type") or item.get("name") or "").strip()
        if not name:
            raise CatalogueError(f"{where}: a type has no name ('type:').")
        given = str(item.get("nature") or "").strip()
        nature = schema.UNCLASSIFIED if given.casefold() in UNSURE_WORDS else nature_label(given) if given else None
        if nature not in schema.NATURES:
            raise CatalogueError(
                f"{where}: type '{name}' has nature {item.get('nature')!r}; use 'value', 'failure' or 'not sure'."
            )
        raw_aliases = item.get("aliases") or []
        if isinstance(raw_aliases, str):
            raw_aliases = [raw_aliases]
        if not isinstance(raw_aliases, list):
            raise CatalogueError(f"{where}: the aliases of type '{name}' should be a list of spellings.")
        aliases = tuple(dict.fromkeys(" ".join(str(a).split()) for a in raw_aliases if str(a or "").strip()))
        for spelling in (name, *aliases):
            key = fold_keep(spelling)
            if key in seen:
                raise CatalogueError(f"{where}: '{spelling}' is listed twice (first at line {seen[key]}).")
            seen[key] = line
        cause = str(item.get("cause") or "").strip()
        types.append(DemandType(name, nature, cause if nature == schema.FAILURE else "",
                                str(item.get("description") or "").strip(), aliases))
    return Catalogue(types, str(data.get("service") or ""), str(data.get("description") or ""), source)


@dataclass(frozen=True)
class CatalogueMerge:
    """Two edits of one catalogue joined: the merged catalogue, or the types both changed differently."""

    catalogue: Catalogue | None
    conflicts: dict[str, tuple[DemandType | None, DemandType | None]]  # type -> (theirs, mine)


def merge_catalogues(base: Catalogue, theirs: Catalogue, mine: Catalogue) -> CatalogueMerge:
    """Join my edit of `base` with theirs (saved since), type by type: a type only one side changed takes
    that side's entry; a type both changed the same way is kept; a type both changed differently is a
    conflict (nothing is merged). Types are matched by folded name; my order first, then their new types."""

    def entries(c: Catalogue) -> dict[str, DemandType]:
        return {fold_keep(t.name): t for t in c.types}

    b, t, m = entries(base), entries(theirs), entries(mine)
    merged: dict[str, DemandType | None] = {}
    conflicts: dict[str, tuple[DemandType | None, DemandType | None]] = {}
    for key in dict.fromkeys([*m, *t, *b]):
        was, their, my = b.get(key), t.get(key), m.get(key)
        if their == was:
            merged[key] = my
        elif my in (was, their):
            merged[key] = their
        else:
            conflicts[(my or their or was).name] = (their, my)  # type: ignore[union-attr]
    if conflicts:
        return CatalogueMerge(None, conflicts)
    service = mine.service if theirs.service == base.service else theirs.service
    description = mine.description if theirs.description == base.description else theirs.description
    types = [e for e in merged.values() if e is not None]
    spellings: set[str] = set()
    for i, e in enumerate(types):  # one spelling claimed by two types after the merge: the later lets it go
        own = [a for a in e.aliases if fold_keep(a) not in spellings]
        spellings.update(fold_keep(x) for x in (e.name, *own))
        if len(own) != len(e.aliases):
            types[i] = replace(e, aliases=tuple(own))
    return CatalogueMerge(Catalogue(types, service, description, mine.source), {})


def load_catalogue(path: str | Path) -> Catalogue:
    """A catalogue from a file: a regular file of at most limits.YAML_BYTES bytes (never a device or a pipe)."""
    path = Path(path)
    try:
        raw = read_file_bytes(path, "catalogue")
    except FileNotFoundError as exc:
        raise CatalogueError(f"{path.name}: cannot be read ({exc.strerror}).") from None
    except YamlError as exc:
        raise CatalogueError(str(exc)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    return parse_catalogue(text, path.name)
