"""Properties of the step-by-step merge of two people's edits to one map (workbench.flow.merge.merge_maps),
on the bundled standard-work map: edits to different steps always merge and keep both; edits to the same
step that differ always conflict, naming exactly those steps; the order of the two sides does not matter."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.flow.merge import merge_maps
from workbench.flow.model import ProcessMap, load_map, parse_map, to_yaml

BASE_MAP = load_map(Path(__file__).resolve().parent.parent / "process_maps" / "housing_repairs_standard_work.yaml")
BASE = to_yaml(BASE_MAP)
STEP_IDS = [s.id for s in BASE_MAP.steps]
ROLE_IDS = [r.id for r in BASE_MAP.roles]

# an edit: which step, and which field gets which value
edit = st.tuples(st.sampled_from(STEP_IDS),
                 st.one_of(st.tuples(st.just("name"), st.text(alphabet="abcdefgh ", min_size=1, max_size=12)
                                     .map(lambda t: "Edited " + t.strip())),
                           st.tuples(st.just("role"), st.sampled_from(ROLE_IDS)),
                           st.tuples(st.just("complete_and_accurate"), st.integers(1, 99).map(float))))


def edited(changes: dict[str, tuple[str, object]]) -> str:
    m: ProcessMap = parse_map(BASE, "base")
    for step_id, (field, value) in changes.items():
        step = m.step(step_id)
        assert step is not None
        setattr(step, field, value)
    return to_yaml(m)


def value(m: ProcessMap, step_id: str, field: str) -> object:
    step = m.step(step_id)
    assert step is not None
    return getattr(step, field)


@settings(max_examples=60, deadline=None)
@given(st.lists(edit, min_size=1, max_size=5, unique_by=lambda e: e[0]),
       st.lists(edit, min_size=1, max_size=5, unique_by=lambda e: e[0]))
def test_edits_to_different_steps_merge_and_keep_both(theirs_edits: list, mine_edits: list) -> None:
    theirs = dict(theirs_edits)
    mine = {k: v for k, v in mine_edits if k not in theirs}  # different steps only
    theirs_text, mine_text = edited(theirs), edited(mine)
    result = merge_maps(BASE, theirs_text, mine_text)
    assert result.text is not None, result.conflicts
    merged = parse_map(result.text, "merged")
    base = parse_map(BASE, "base")
    for step_id in STEP_IDS:
        for field in ("name", "role", "complete_and_accurate"):
            if step_id in theirs and theirs[step_id][0] == field:
                expected = theirs[step_id][1]
            elif step_id in mine and mine[step_id][0] == field:
                expected = mine[step_id][1]
            else:
                expected = value(base, step_id, field)
            assert value(merged, step_id, field) == expected, (step_id, field)
    # the other way round gives the same map
    other = merge_maps(BASE, mine_text, theirs_text)
    assert other.text is not None
    flipped = parse_map(other.text, "merged")
    assert [(s.id, s.name, s.role, s.complete_and_accurate) for s in flipped.steps] == [
        (s.id, s.name, s.role, s.complete_and_accurate) for s in merged.steps]


@settings(max_examples=60, deadline=None)
@given(st.lists(edit, min_size=1, max_size=5, unique_by=lambda e: e[0]),
       st.lists(edit, min_size=1, max_size=5, unique_by=lambda e: e[0]))
def test_different_edits_to_the_same_step_conflict_on_exactly_those_steps(theirs_edits: list,
                                                                          mine_edits: list) -> None:
    theirs, mine = dict(theirs_edits), dict(mine_edits)
    base = parse_map(BASE, "base")
    theirs_text, mine_text = edited(theirs), edited(mine)
    theirs_map, mine_map = parse_map(theirs_text, "t"), parse_map(mine_text, "m")

    def snapshot(m: ProcessMap, step_id: str) -> tuple:
        s = m.step(step_id)
        assert s is not None
        return (s.name, s.role, s.complete_and_accurate)

    changed_by_both = {sid for sid in STEP_IDS
                       if snapshot(theirs_map, sid) != snapshot(base, sid)
                       and snapshot(mine_map, sid) != snapshot(base, sid)
                       and snapshot(theirs_map, sid) != snapshot(mine_map, sid)}
    result = merge_maps(BASE, theirs_text, mine_text)
    if changed_by_both:
        assert result.text is None
        assert {key for kind, key in result.conflict_keys if kind == "step"} == changed_by_both
        assert all(kind == "step" for kind, _ in result.conflict_keys)
    else:
        assert result.text is not None, result.conflicts
