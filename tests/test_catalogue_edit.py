"""The catalogue as the team edits it: decisions per type, spellings merged into a type (aliases), types not
yet decided ('not sure'), and two people's edits joined type by type. Expected counts are recounted here
from the file with plain csv reading."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench import schema
from workbench.demand.catalogue import Catalogue, DemandType, merge_catalogues, parse_catalogue
from workbench.demand.load import load_demand

ROWS = [("2026-01-05", "Report a leak", "water everywhere"), ("2026-01-05", "report leak ", "leak again"),
        ("2026-01-06", "Leak reported", "dripping"), ("2026-01-06", "Where is my repair", "still waiting"),
        ("2026-01-07", "where is my repair?", "no one came"), ("2026-01-07", "Letter about rent", "what is this")]


def _file() -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["received_at", "demand_type", "customer_words"])
    w.writerows(ROWS)
    return out.getvalue().encode()


def _counts(frame, column: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {str(k): int(v) for k, v in frame[column].astype(str).value_counts().items()}


def test_merged_spellings_are_one_type_and_decisions_fill_value_or_failure() -> None:
    cat = (Catalogue().decide("Report a leak", schema.VALUE)
           .merge("Report a leak", ["report leak", "Leak reported"])
           .decide("Where is my repair?", schema.FAILURE, "progress chasing")
           .merge("Where is my repair?", ["Where is my repair"])
           .decide("Letter about rent", "not sure"))
    again = parse_catalogue(cat.to_yaml(), "edited.yaml")  # what is stored reads back the same
    assert again.types == cat.types
    frame = load_demand(_file(), "d.csv", catalogue=again).frame
    leak = sum(1 for _, t, _ in ROWS if "leak" in t.lower())
    chasing = sum(1 for _, t, _ in ROWS if "where is my repair" in t.lower())
    assert _counts(frame, schema.DEMAND_TYPE) == {"Report a leak": leak, "Where is my repair?": chasing,
                                                  "Letter about rent": 1}
    assert _counts(frame, schema.NATURE) == {"value": leak, "failure": chasing, "unclassified": 1}
    assert _counts(frame[frame[schema.NATURE] == "failure"], schema.FAILURE_CAUSE) == {"progress chasing": chasing}
    # 'not sure' is named, so it is not an unknown type, and it fills nothing
    loaded = load_demand(_file(), "d.csv", catalogue=again)
    assert loaded.report.unknown_types == {} and loaded.report.filled_from_catalogue == leak + chasing


def test_merging_a_type_moves_its_spellings_and_drops_its_entry() -> None:
    cat = Catalogue([DemandType("Leak", schema.VALUE, aliases=("leaking",)), DemandType("Water in", schema.FAILURE,
                                                                                         "not fixed", aliases=("wet",))])
    merged = cat.merge("Leak", ["water in"])
    assert [t.name for t in merged.types] == ["Leak"]
    assert merged.types[0].aliases == ("leaking", "Water in", "wet") and merged.types[0].nature == schema.VALUE
    assert merged.lookup("WET ") is merged.types[0]


def test_edits_of_different_types_merge_and_the_same_type_conflicts() -> None:
    base = Catalogue([DemandType("A", schema.VALUE), DemandType("B", schema.UNCLASSIFIED)])
    theirs = base.decide("B", schema.FAILURE, "wrong part")
    mine = base.decide("A", schema.FAILURE, "not fixed").decide("C", schema.VALUE)
    result = merge_catalogues(base, theirs, mine)
    assert result.catalogue is not None and not result.conflicts
    got = {t.name: (t.nature, t.cause) for t in result.catalogue.types}
    assert got == {"A": ("failure", "not fixed"), "B": ("failure", "wrong part"), "C": ("value", "")}
    clash = merge_catalogues(base, base.decide("A", schema.FAILURE, "x"), base.decide("A", schema.FAILURE, "y"))
    assert clash.catalogue is None and list(clash.conflicts) == ["A"]
    their, my = clash.conflicts["A"]
    assert their is not None and my is not None and (their.cause, my.cause) == ("x", "y")
    same = merge_catalogues(base, base.decide("A", schema.FAILURE, "x"), base.decide("A", schema.FAILURE, "x"))
    assert same.catalogue is not None  # both made the same decision: no conflict


NAMES = st.text(alphabet="abcAB xy?", min_size=1, max_size=6).filter(lambda s: s.strip())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(NAMES, st.sampled_from(["value", "failure", "not sure"]), st.sampled_from(["", "c1"])),
                max_size=8))
def test_any_sequence_of_decisions_reads_back_from_its_yaml(decisions: list[tuple[str, str, str]]) -> None:
    cat = Catalogue()
    for name, nature, cause in decisions:
        cat = cat.decide(name, nature, cause)
    if not cat.types:
        return
    again = parse_catalogue(cat.to_yaml(), "x.yaml")
    assert [(t.name, t.nature, t.cause) for t in again.types] == [(t.name, t.nature, t.cause) for t in cat.types]
