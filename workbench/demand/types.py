"""The demand types of a file as a team classifies them: one row per type with its count, share, examples of
the customers' words and the catalogue's decision, types not yet decided first; and spellings of one type
("Report a leak", "report leak", "Leak reported") found by fuzzy matching, for a person to merge or not.

Nothing here decides anything: it lists, counts and proposes. The team's decisions go into the catalogue
(`workbench.demand.catalogue`), which the study stores in versions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from workbench import schema
from workbench.demand.catalogue import Catalogue
from workbench.demand.labels import fold_keep

NO_TYPE = "(no type)"
NOT_SURE = "not sure"
NOT_IN_CATALOGUE = "not in the catalogue"
TYPE_COLUMNS = ("type", "demands", "share", "examples", "decision", "cause", "aliases")
EXAMPLES = 3
MERGE_SCORE = 80  # token-sort similarity (0-100) from which two names are offered as one type
MERGE_NAMES = 1500  # names compared at most (the most frequent first): pairs grow as the square
_FILLER = re.compile(r"\b(a|an|the|my|our|your|of|for|to|is|about)\b")


@dataclass(frozen=True)
class Undecided:
    """How much demand the catalogue does not decide yet, in numbers and in words."""

    types: int
    demands: int
    share: float

    def words(self) -> str:
        if not self.types:
            return "Every demand type is classified."
        return (f"{self.types:,} type{'s' if self.types != 1 else ''}, {self.share:.0%} of demand "
                f"({self.demands:,}), not classified yet.")


def type_table(frame: pd.DataFrame, catalogue: Catalogue | None) -> pd.DataFrame:
    """One row per demand type in the data (blank type: '(no type)'), columns `TYPE_COLUMNS`:
    `decision` is value, failure, 'not sure' or 'not in the catalogue'; `examples` the most frequent
    distinct customer phrases (up to 3, joined by ' | '). Undecided types first, then by demands."""
    types = frame[schema.DEMAND_TYPE].astype("object").where(frame[schema.DEMAND_TYPE].notna(), NO_TYPE)
    counts = types.value_counts(sort=False)
    if counts.empty:
        return pd.DataFrame({c: [] for c in TYPE_COLUMNS})
    words = frame[schema.CUSTOMER_WORDS].astype("object").fillna("").astype(str).str.strip()
    pairs = pd.DataFrame({"type": types.to_numpy(), "words": words.to_numpy()})
    pairs = pairs[pairs["words"] != ""]
    top = (pairs.groupby(["type", "words"], sort=False).size().rename("n").reset_index()
           .sort_values(["type", "n", "words"], ascending=[True, False, True], kind="stable")
           .groupby("type", sort=False).head(EXAMPLES))
    examples = top.groupby("type", sort=False)["words"].agg(" | ".join)
    rows = []
    total = int(counts.sum())
    for name, n in counts.items():
        entry = catalogue.lookup(name) if catalogue is not None and name != NO_TYPE else None
        decision = NOT_IN_CATALOGUE if entry is None else (entry.nature if entry.decided else NOT_SURE)
        rows.append({"type": str(name), "demands": int(n), "share": int(n) / total,
                     "examples": str(examples.get(name, "")), "decision": decision,
                     "cause": entry.cause if entry else "", "aliases": ", ".join(entry.aliases) if entry else ""})
    out = pd.DataFrame(rows, columns=list(TYPE_COLUMNS))
    out["_undecided"] = ~out["decision"].isin([schema.VALUE, schema.FAILURE])
    out["_blank"] = out["type"] == NO_TYPE  # rows with no type at all: after the named ones
    out = out.sort_values(["_undecided", "_blank", "demands", "type"], ascending=[False, True, False, True],
                          kind="stable")
    return out.drop(columns=["_undecided", "_blank"]).reset_index(drop=True)


def undecided(table: pd.DataFrame) -> Undecided:
    """The types (and demand) of a `type_table` the catalogue does not decide."""
    open_ = table[~table["decision"].isin([schema.VALUE, schema.FAILURE])]
    total = int(table["demands"].sum())
    return Undecided(len(open_), int(open_["demands"].sum()), float(open_["demands"].sum()) / total if total else 0.0)


def _key(name: str) -> str:
    return " ".join(_FILLER.sub(" ", fold_keep(name)).split())


def merge_candidates(names: list[str], score: int = MERGE_SCORE) -> pd.DataFrame:
    """Pairs of type names that may be spellings of one type (columns a, b, similarity 0-100), most similar
    first, among the first `MERGE_NAMES` names (give the most frequent first): names compared with case, spaces and filler words ('a', 'the', 'my' ...) set aside, words in any
    order (rapidfuzz's token-sort ratio). Only proposals: nothing is merged unless a person says so."""
    names = list(dict.fromkeys(str(n) for n in names if str(n).strip()))[:MERGE_NAMES]
    if len(names) < 2:
        return pd.DataFrame({"a": [], "b": [], "similarity": []})
    keys = [_key(n) for n in names]
    scores = process.cdist(keys, keys, scorer=fuzz.token_sort_ratio, score_cutoff=score, dtype=np.uint8)
    i, j = np.nonzero(np.triu(scores, k=1))
    out = pd.DataFrame({"a": [names[k] for k in i], "b": [names[k] for k in j],
                        "similarity": scores[i, j].astype(int)})
    return out.sort_values(["similarity", "a", "b"], ascending=[False, True, True], kind="stable").reset_index(drop=True)
