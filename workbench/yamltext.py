"""Reading YAML that people wrote: the data (by `yaml.safe_load`'s rules: plain data only, never objects)
plus its node tree for line numbers, and one wording for syntax errors, so catalogues and process maps
report them the same way.

Every text is first measured, event by event, before any node or Python object is built (workbench/limits.py):
its bytes, its values counted as they would be once aliases are expanded (so 430 bytes of "billion laughs"
are refused at once instead of taking gigabytes), its aliases, its depth of nesting, and the digits of each
number (Python refuses to turn an integer of more than 4,300 digits into an int). An alias inside the very
value it names (a structure that contains itself) is refused too: nothing downstream could walk it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

from workbench import limits

_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # both build only plain data (safe_load's rules)
_RESOLVER = yaml.resolver.Resolver()
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


class YamlError(ValueError):
    """A YAML text that cannot be read; the message names the source (and the line where known)."""


class YamlSyntaxError(YamlError):
    """Not valid YAML; the message names the source and the line."""


class YamlLimitError(YamlError, limits.LimitError):
    """A YAML text over one of the budgets in workbench/limits.py; the message names the limit and its setting."""


def _at(source: str, event: yaml.Event | None) -> str:
    mark = getattr(event, "start_mark", None)
    return f"{source}, line {mark.line + 1}" if mark is not None else source


def measure(text: str, source: str) -> None:
    """Raise YamlLimitError when `text` is over a YAML budget, or YamlSyntaxError when it is not YAML; builds
    nothing (one pass over the parser's events, in C when libyaml is there)."""
    size = len(text.encode("utf-8", "surrogatepass")) if len(text) * 4 > limits.YAML_BYTES.value else len(text)
    if size > limits.YAML_BYTES.value:
        raise YamlLimitError(limits.YAML_BYTES.message(source, size))
    max_nodes, max_aliases, max_depth = limits.YAML_NODES.value, limits.YAML_ALIASES.value, limits.YAML_DEPTH.value
    max_digits = limits.NUMBER_DIGITS.value
    expanded = 0  # values so far, every alias counted as the values it stands for
    aliases = 0
    open_anchors: dict[str, int] = {}  # anchor -> `expanded` when its value started
    sizes: dict[str, int] = {}  # anchor -> values in its (expanded) value
    stack: list[tuple[str | None, int]] = []  # open collections: (anchor, depth)
    # the key each open mapping is at, to name the field of a number: [is_mapping, expecting_key, last_key]
    keys: list[list[Any]] = []
    loader = _SAFE_LOADER(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent,
                                  yaml.AliasEvent)):
                field = None
                if keys and keys[-1][0]:
                    frame = keys[-1]
                    if frame[1]:
                        frame[2] = event.value if isinstance(event, yaml.ScalarEvent) else None
                    else:
                        field = frame[2]
                    frame[1] = not frame[1]
                if isinstance(event, yaml.AliasEvent):
                    aliases += 1
                    if aliases > max_aliases:
                        raise YamlLimitError(limits.YAML_ALIASES.message(_at(source, event)))
                    if event.anchor in open_anchors:
                        raise YamlLimitError(
                            f"{_at(source, event)}: the alias *{event.anchor} is inside the value it names, so "
                            "that value would contain itself without end; a process map or catalogue cannot.")
                    expanded += sizes.get(event.anchor or "", 1)
                else:
                    expanded += 1
                if expanded > max_nodes:
                    repeat = " (counting the values its aliases repeat)" if aliases else ""
                    raise YamlLimitError(limits.YAML_NODES.message(f"{_at(source, event)}{repeat}"))
                if isinstance(event, yaml.ScalarEvent):
                    if event.anchor:
                        sizes[event.anchor] = 1
                    if event.implicit[0] and not event.style and len(event.value) > max_digits:
                        tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, (True, False))
                        digits = sum(ch.isdigit() for ch in event.value)
                        if tag in _NUMBER_TAGS and digits > max_digits:
                            what = f" (field '{field}')" if isinstance(field, str) and field else ""
                            raise YamlLimitError(f"{_at(source, event)}{what}: a number of {digits:,} digits, but "
                                                 f"one number may have at most {max_digits:,} (whoever runs "
                                                 "Workbench can change this with the setting "
                                                 f"{limits.NUMBER_DIGITS.setting}).")
                elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                    depth = len(stack) + 1
                    if depth > max_depth:
                        raise YamlLimitError(limits.YAML_DEPTH.message(_at(source, event)))
                    if event.anchor:
                        open_anchors[event.anchor] = expanded - 1
                    stack.append((event.anchor, depth))
                    keys.append([isinstance(event, yaml.MappingStartEvent), True, None])
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                anchor, _ = stack.pop()
                keys.pop()
                if anchor:
                    sizes[anchor] = expanded - open_anchors.pop(anchor)
            elif isinstance(event, yaml.DocumentEndEvent):
                open_anchors.clear()
    except yaml.YAMLError as exc:
        raise _syntax(exc, source) from None
    finally:
        loader.dispose()


def _syntax(exc: yaml.YAMLError, source: str) -> YamlSyntaxError:
    mark = getattr(exc, "problem_mark", None)
    where = f", line {mark.line + 1}" if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return YamlSyntaxError(f"{source}{where}: not valid YAML ({problem}).")


def read_yaml(text: str, source: str) -> tuple[Any, yaml.Node | None]:
    """(data, root node) of a YAML text; raises YamlSyntaxError naming `source` and the line, or
    YamlLimitError (measured before anything is built)."""
    measure(text, source)
    loader = _SAFE_LOADER(text)
    try:
        # one parse (in C when libyaml is there): the node tree for line numbers, and the data built from
        # that same tree by the safe constructor, exactly what yaml.safe_load would return
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        raise _syntax(exc, source) from None
    except (ValueError, RecursionError, TypeError) as exc:  # e.g. a value the constructor cannot make
        raise YamlSyntaxError(f"{source}: cannot be read as plain data ({str(exc).splitlines()[0][:200]}).") from None
    finally:
        loader.dispose()
    return data, root


def read_file_bytes(path: str | Path, what: str = "YAML") -> bytes:
    """The bytes of a YAML file that people wrote, read safely: a regular file only (never a device, a pipe or
    a folder) and at most limits.YAML_BYTES bytes read. Raises FileNotFoundError when there is no such file,
    YamlError (YamlLimitError when it is too big) otherwise."""
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise YamlError(f"{path.name}: cannot be read ({exc.strerror}).") from None
    if not stat.S_ISREG(st.st_mode):
        raise YamlError(f"{path.name}: not a regular file, so it cannot be a {what} file.")
    cap = limits.YAML_BYTES.value
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped for something else meanwhile
                raise YamlError(f"{path.name}: not a regular file, so it cannot be a {what} file.")
            raw = handle.read(cap + 1)
    except OSError as exc:
        raise YamlError(f"{path.name}: cannot be read ({exc.strerror}).") from None
    if len(raw) > cap:
        raise YamlLimitError(limits.YAML_BYTES.message(path.name))
    return raw
