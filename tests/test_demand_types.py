"""Demand types as the team classifies them: the table per type (recounted here with plain csv reading),
how much is not decided yet, and spellings of one type proposed for merging."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pandas as pd
import yaml

from workbench import schema
from workbench.demand.catalogue import Catalogue, load_catalogue
from workbench.demand.load import load_demand
from workbench.demand.types import NOT_IN_CATALOGUE, NOT_SURE, merge_candidates, type_table, undecided

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "housing_repairs_demand.csv"
CATALOGUE = ROOT / "process_maps" / "catalogues" / "housing_repairs_catalogue.yaml"


def test_type_table_counts_and_decisions_match_a_recount() -> None:
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    decided = {t["type"].casefold(): t["nature"] for t in yaml.safe_load(CATALOGUE.read_text())["types"]}
    catalogue = load_catalogue(CATALOGUE)
    frame = load_demand(SAMPLE, catalogue=catalogue).frame
    table = type_table(frame, catalogue)
    used = [r for r in rows if r["received_at"].strip()]
    counts = Counter(" ".join(r["demand_type"].split()).casefold() for r in used)
    assert {t.casefold(): n for t, n in zip(table["type"], table["demands"], strict=True)} == \
        {("(no type)" if k == "" else k): n for k, n in counts.items()}
    assert abs(table["share"].sum() - 1) < 1e-9
    for t, decision in zip(table["type"], table["decision"], strict=True):
        assert decision == decided.get(t.casefold(), NOT_IN_CATALOGUE)
    undecided_rows = table[~table["decision"].isin(["value", "failure"])]
    assert list(table.index[: len(undecided_rows)]) == list(undecided_rows.index)  # listed first
    words = Counter(r["customer_words"].strip() for r in used
                    if r["demand_type"].strip().casefold() == table["type"].iloc[-1].casefold() and r["customer_words"].strip())
    assert table["examples"].iloc[-1].split(" | ")[0] == words.most_common(1)[0][0]


def test_undecided_in_words() -> None:
    catalogue = Catalogue().decide("Leak", schema.VALUE).decide("Letter", NOT_SURE)
    frame = pd.DataFrame({schema.DEMAND_TYPE: ["Leak", "Leak", "Letter", "Chasing", None],
                          schema.CUSTOMER_WORDS: ["drip", "drip", "what is this", "where is it", ""]})
    table = type_table(frame, catalogue)
    assert list(table["type"]) == ["Chasing", "Letter", "(no type)", "Leak"]
    assert list(table["decision"]) == [NOT_IN_CATALOGUE, NOT_SURE, NOT_IN_CATALOGUE, "value"]
    u = undecided(table)
    assert (u.types, u.demands) == (3, 3) and u.words() == "3 types, 60% of demand (3), not classified yet."
    assert undecided(type_table(frame[frame[schema.DEMAND_TYPE] == "Leak"], catalogue)).words() == \
        "Every demand type is classified."


def test_spellings_of_one_type_are_proposed_and_different_types_are_not() -> None:
    names = ["Report a leak", "report leak ", "Leak reported", "Report a broken door", "Where is my repair",
             "where is my repair?", "Book a gas safety check", "Report damp and mould"]
    pairs = {frozenset((a.strip(), b.strip())) for a, b in zip(*[merge_candidates(names)[c] for c in ("a", "b")],
                                                               strict=True)}
    assert frozenset(("Report a leak", "report leak")) in pairs
    assert frozenset(("Report a leak", "Leak reported")) in pairs
    assert frozenset(("Where is my repair", "where is my repair?")) in pairs
    assert not any("Report a broken door" in p for p in pairs)
    assert merge_candidates(["only one"]).empty
