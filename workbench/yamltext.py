"""Reading YAML that people wrote: the data (by `yaml.safe_load`'s rules: plain data only, never objects)
plus its node tree for line numbers, and one wording for syntax errors, so catalogues and process maps
report them the same way."""

from __future__ import annotations

from typing import Any

import yaml

_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # both build only plain data (safe_load's rules)


class YamlSyntaxError(ValueError):
    """Not valid YAML; the message names the source and the line."""


def read_yaml(text: str, source: str) -> tuple[Any, yaml.Node | None]:
    """(data, root node) of a YAML text; raises YamlSyntaxError naming `source` and the line."""
    loader = _SAFE_LOADER(text)
    try:
        # one parse (in C when libyaml is there): the node tree for line numbers, and the data built from
        # that same tree by the safe constructor, exactly what yaml.safe_load would return
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlSyntaxError(f"{source}{where}: not valid YAML ({problem}).") from None
    finally:
        loader.dispose()
    return data, root
