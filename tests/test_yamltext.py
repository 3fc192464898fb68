"""The one YAML reader (workbench/yamltext.py): plain data only, line numbers, one wording for errors."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.yamltext import YamlSyntaxError, read_yaml


def test_objects_are_never_built() -> None:
    for text in ("x: !!python/object/apply:os.system ['echo hacked']\n",
                 "!!python/name:os.system\n", "a: !!python/tuple [1, 2]\n"):
        with pytest.raises(YamlSyntaxError, match=r"^evil.yaml.*not valid YAML"):
            read_yaml(text, "evil.yaml")


def test_data_and_line_numbers() -> None:
    data, root = read_yaml("name: A\nsteps:\n  - id: one\n  - id: two\n", "m.yaml")
    assert data == {"name": "A", "steps": [{"id": "one"}, {"id": "two"}]}
    steps = dict((k.value, v) for k, v in root.value)["steps"]
    assert [item.start_mark.line + 1 for item in steps.value] == [3, 4]
    assert read_yaml("", "empty.yaml") == (None, None)
    with pytest.raises(YamlSyntaxError, match=r"^bad.yaml, line 2: not valid YAML \(mapping values"):
        read_yaml("a: 1\n  b: 2\nc: 3\n", "bad.yaml")


scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**9, 10**9), st.text(max_size=20),
                    st.floats(allow_nan=False, allow_infinity=False, width=32))
documents = st.recursive(scalars, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(st.text(min_size=1, max_size=8), children, max_size=4)),
    max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(documents)
def test_reads_what_safe_load_reads(doc: object) -> None:
    text = yaml.safe_dump(doc, allow_unicode=True)
    data, _ = read_yaml(text, "doc.yaml")
    assert data == yaml.safe_load(text)
