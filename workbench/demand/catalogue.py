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

See docs/data-contracts.md. Read by workbench/yamltext.py (`yaml.safe_load`'s rules, within the YAML budgets
of workbench/limits.py) and at most limits.CATALOGUE_TYPES types; problems name the file and the YAML line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from workbench import limits, schema
from workbench.demand.labels import fold_keep, nature_label
from workbench.yamltext import YamlError, read_file_bytes, read_yaml


class CatalogueError(ValueError):
    """A catalogue file that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class DemandType:
    name: str
    nature: str  # schema.VALUE or schema.FAILURE
    cause: str = ""
    description: str = ""


@dataclass
class Catalogue:
    types: list[DemandType] = field(default_factory=list)
    service: str = ""
    description: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        self._by_key = {fold_keep(t.name): t for t in self.types}

    def lookup(self, type_label: object) -> DemandType | None:
        """Find a type by its label, ignoring case and stray spaces."""
        return self._by_key.get(fold_keep(type_label))

    def names(self) -> list[str]:
        return [t.name for t in self.types]

    def to_yaml(self) -> str:
        doc: dict[str, object] = {}
        if self.service:
            doc["service"] = self.service
        if self.description:
            doc["description"] = self.description
        entries = []
        for t in self.types:
            entry: dict[str, str] = {"type": t.name, "nature": t.nature}
            if t.cause:
                entry["cause"] = t.cause
            if t.description:
                entry["description"] = t.description
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
        nature = nature_label(item.get("nature"))
        if nature not in (schema.VALUE, schema.FAILURE):
            raise CatalogueError(
                f"{where}: type '{name}' has nature {item.get('nature')!r}; use 'value' or 'failure'."
            )
        key = fold_keep(name)
        if key in seen:
            raise CatalogueError(f"{where}: type '{name}' is listed twice (first at line {seen[key]}).")
        seen[key] = line
        cause = str(item.get("cause") or "").strip()
        types.append(DemandType(name, nature, cause if nature == schema.FAILURE else "",
                                str(item.get("description") or "").strip()))
    return Catalogue(types, str(data.get("service") or ""), str(data.get("description") or ""), source)


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
