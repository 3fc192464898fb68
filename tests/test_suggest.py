"""Suggestions from the customers' words (workbench.demand.suggest): how often they agree with the team's
own decisions, the phrase list on its own, robustness, and `workbench demand suggest`.

Figures established on 28 November 2026 (scikit-learn 1.9.1, numpy 2.4, pandas 3.1; everything seeded, so
a run gives the same figures until the data, the model or scikit-learn change). Each test asserts the
figure minus `MARGIN` (5 points), so a small change in the library does not fail the suite but a real loss
of quality does.

Housing repairs sample (sample_data/housing_repairs_demand.csv with its catalogue; 2,380 classified rows):
  * `quality` (5-fold, each classified row scored by a model trained without it): value/failure agreement
    99.87%, failure found 99.92%, cause agreement 99.92% (1,249 failure rows). The sample's words come from
    templates, so the model has seen the same phrasing; the 3 rows it disagrees with are the sample's 3
    deliberate conflicts with the catalogue.
  * 30% of the classified rows' labels hidden (seeded), suggestions for them from the other 70%:
    agreement 99.86% (714 rows), cause 100% (386 rows).
  * 97% hidden (72 rows left to learn from): agreement 87.3% (2,308 rows), cause 82.4% (1,161 rows).
  * The phrase list alone (every label hidden): 836 rows matched a phrase, 99.88% of them failure demand
    by the team's labels; 66.8% of the team's failure rows matched one; cause right for 80.5%.

Benefits and council tax sample (sample_data/benefits_demand.csv, made by make_benefits_demand.py: varied
phrasing, 15% typing mistakes, 3% other languages, 2% labels the other way; 1,399 classified rows):
  * `quality`: agreement 97.56%, failure found 97.08%, cause 100% (699 rows; the label noise is in nature);
    the phrase list's matches are failure demand for 92.8% of 545 rows.
  * 30% hidden: agreement 97.14% (419 rows), cause 100% (206 rows).
  * 97% hidden (42 rows left): agreement 76.5% (1,349 rows), cause 96.2% (477 rows).
  * The phrase list alone: 545 rows matched, 92.84% failure; 70.3% of failure rows matched; cause right
    for 96.1%.
  * A whole type left unclassified (the others all classified), `suggest_types`: "Chasing a refund" failure
    for 89.7% of its 78 rows (progress chasing); "Pay council tax" value for 58.4% of its 161 rows (the
    Polish, Romanian and Somali rows of the type look like the only rows in those languages the team
    classified, which were failure). A kind of failure nobody has classified yet is the hard case: with
    "Bill not understood" left out, 51% of its rows are suggested value (the phrase list moves them; the
    model alone said value for 80%).

The phrase list moves the learned model (`PHRASE_WEIGHT` = 1: a matched phrase adds its own log-odds).
Measured with weights 0, 1 and 2 (with liblinear, before the models moved to SGD): the k-fold and
30%-hidden figures do not change; with 97% hidden, housing agreement goes 81.3% -> 83.9% -> 84.1%, and
whole types left out gain ("Chasing a refund" 78% -> 90% -> 96%). 1 was kept: at 2 one phrase overturns a
model 97% sure of the team's own usage. The models are SGD logistic regressions (alpha 1e-4): the same
figures as liblinear (C=10) on the k-fold and 30%-hidden splits, better on the 97%-hidden ones (housing
87.3% against 83.9%), and about 10x faster to train on 20,000 rows.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from guard import guarded_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench import schema
from workbench.demand import suggest as sg
from workbench.demand.catalogue import load_catalogue
from workbench.demand.load import load_demand

ROOT = Path(__file__).resolve().parent.parent
HOUSING = ROOT / "sample_data" / "housing_repairs_demand.csv"
CATALOGUE = ROOT / "sample_data" / "housing_repairs_catalogue.yaml"
BENEFITS = ROOT / "sample_data" / "benefits_demand.csv"
MARGIN = 0.05


@pytest.fixture(scope="module")
def housing() -> pd.DataFrame:
    return load_demand(HOUSING, catalogue=load_catalogue(CATALOGUE)).frame


@pytest.fixture(scope="module")
def benefits() -> pd.DataFrame:
    return load_demand(BENEFITS).frame


def hide(frame: pd.DataFrame, share: float, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The frame with the labels of a seeded `share` of its classified rows removed, and those labels."""
    classified = np.flatnonzero(frame[schema.NATURE].isin([schema.VALUE, schema.FAILURE]).to_numpy())
    rng = np.random.default_rng(seed)
    hidden = np.sort(rng.choice(classified, size=int(len(classified) * share), replace=False))
    out = frame.copy()
    nature = out[schema.NATURE].astype(object).to_numpy().copy()
    cause = out[schema.FAILURE_CAUSE].astype(object).to_numpy().copy()
    nature[hidden], cause[hidden] = schema.UNCLASSIFIED, None
    out[schema.NATURE], out[schema.FAILURE_CAUSE] = nature, cause
    truth = frame.iloc[hidden][[schema.ROW, schema.NATURE, schema.FAILURE_CAUSE]].astype(object)
    return out, truth


def agreement(frame: pd.DataFrame, share: float) -> tuple[int, float, int, float]:
    """(rows suggested, value/failure agreement, failure rows with a cause, cause agreement) on hidden rows."""
    out, truth = hide(frame, share)
    made = sg.suggest(out, measure=False)
    assert len(made.table) == int((out[schema.NATURE] == schema.UNCLASSIFIED).sum())
    m = made.table.merge(truth, on=schema.ROW)
    given_ = m[m[sg.SUGGESTED_NATURE] != ""]
    agree = float((given_[sg.SUGGESTED_NATURE] == given_[schema.NATURE]).mean())
    causes = given_[(given_[schema.NATURE] == schema.FAILURE) & (given_[sg.SUGGESTED_NATURE] == schema.FAILURE)
                    & given_[schema.FAILURE_CAUSE].notna() & (given_[sg.SUGGESTED_CAUSE] != "")]
    return len(given_), agree, len(causes), float((causes[sg.SUGGESTED_CAUSE] == causes[schema.FAILURE_CAUSE]).mean())


def phrase_figures(frame: pd.DataFrame) -> tuple[int, float, float, float]:
    """Every label hidden: (rows matched, share failure, share of failure rows matched, cause right)."""
    out, truth = hide(frame, 1.0)
    made = sg.suggest(out, measure=False)
    assert not made.learned and made.quality is None
    m = made.table.merge(truth, on=schema.ROW)
    matched = m[m[sg.SOURCE] == sg.PHRASES_SOURCE]
    assert set(matched[sg.SUGGESTED_NATURE]) == {schema.FAILURE}  # the phrase list never suggests value
    assert (m.loc[m[sg.SOURCE] == sg.NONE_SOURCE, sg.CONFIDENCE] == 0).all()
    failure = m[schema.NATURE] == schema.FAILURE
    really = matched[matched[schema.NATURE] == schema.FAILURE]
    return (len(matched), float((matched[schema.NATURE] == schema.FAILURE).mean()),
            float((m.loc[failure, sg.SOURCE] == sg.PHRASES_SOURCE).mean()),
            float((really[sg.SUGGESTED_CAUSE] == really[schema.FAILURE_CAUSE]).mean()))


# ------------------------------------------------------------------------------------------ quality figures


def test_housing_quality(housing: pd.DataFrame) -> None:
    q = sg.quality(housing)
    assert q is not None
    assert q.rows == 2380 and q.suggested == 2380
    assert q.agreement >= 0.9987 - MARGIN
    assert q.failure_found is not None and q.failure_found >= 0.9992 - MARGIN
    assert q.cause_agreement is not None and q.cause_agreement >= 0.9992 - MARGIN
    assert q.sentence.startswith("On 2,380 rows you classified")
    assert "100%" not in q.sentence  # 99.87% is not rounded up to a claim of perfection


def test_benefits_quality(benefits: pd.DataFrame) -> None:
    q = sg.quality(benefits)
    assert q is not None and q.rows == 1399
    assert q.agreement >= 0.9756 - MARGIN
    assert q.failure_found is not None and q.failure_found >= 0.9708 - MARGIN
    assert q.cause_agreement is not None and q.cause_agreement >= 1.0 - MARGIN
    assert q.phrase_agreement is not None and q.phrase_agreement >= 0.928 - MARGIN


@pytest.mark.parametrize(("name", "share", "rows", "figure", "cause_figure"), [
    ("housing", 0.3, 714, 0.9986, 1.0),
    ("housing", 0.97, 2308, 0.8726, 0.8243),
    ("benefits", 0.3, 419, 0.9714, 1.0),
    ("benefits", 0.97, 1349, 0.7650, 0.9623),
])
def test_agreement_on_hidden_labels(name: str, share: float, rows: int, figure: float, cause_figure: float,
                                    request: pytest.FixtureRequest) -> None:
    frame = request.getfixturevalue(name)
    suggested, agree, _, cause_agree = agreement(frame, share)
    assert suggested >= rows - 10
    assert agree >= figure - MARGIN
    assert cause_agree >= cause_figure - MARGIN


@pytest.mark.parametrize(("name", "matched", "precision", "recall", "cause"), [
    ("housing", 836, 0.9988, 0.668, 0.8048),
    ("benefits", 545, 0.9284, 0.7028, 0.9605),
])
def test_phrase_list_alone(name: str, matched: int, precision: float, recall: float, cause: float,
                           request: pytest.FixtureRequest) -> None:
    rows, p, r, c = phrase_figures(request.getfixturevalue(name))
    assert abs(rows - matched) <= 0.1 * matched
    assert p >= precision - MARGIN and r >= recall - MARGIN and c >= cause - MARGIN


# ------------------------------------------------------------------------------------------ behaviour


def small(words: list[str], natures: list[str | None], causes: list[str | None] | None = None) -> pd.DataFrame:
    return pd.DataFrame({schema.ROW: np.arange(2, len(words) + 2), schema.CUSTOMER_WORDS: words,
                         schema.DEMAND_TYPE: [None] * len(words), schema.NATURE: natures,
                         schema.FAILURE_CAUSE: causes or [None] * len(words)})


def test_phrases_only_with_few_classified_rows() -> None:
    words = ["I reported it and I'm still waiting", "Nobody called me back like you promised, no one called",
             "What does this letter mean?", "I'd like to book a gas check", "", "Ça ne marche pas", "boiler"]
    natures = [None, None, None, None, None, None, "value"]
    made = sg.suggest(small(words, natures))
    assert not made.learned and made.quality is None and made.trained_on == 0
    assert "phrase list only" in made.basis and str(sg.MIN_LEARNED) in made.basis
    t = made.table.set_index(schema.ROW)
    assert list(t.index) == [2, 3, 4, 5, 6, 7]  # every unclassified row, in order; the classified one left out
    assert t.loc[2, sg.SUGGESTED_NATURE] == schema.FAILURE and t.loc[2, sg.SUGGESTED_CAUSE] == "progress chasing"
    assert t.loc[2, sg.REASONS] == ["still waiting"] and t.loc[2, sg.SOURCE] == sg.PHRASES_SOURCE
    assert t.loc[3, sg.SUGGESTED_CAUSE] == "not done" and "no one called" in t.loc[3, sg.REASONS]
    assert t.loc[4, sg.SUGGESTED_CAUSE] == "not understood"
    assert 0 < t.loc[2, sg.CONFIDENCE] <= sg.PHRASE_CAP
    for row in (5, 6, 7):  # no phrase: no suggestion, said plainly
        assert t.loc[row, sg.SUGGESTED_NATURE] == "" and t.loc[row, sg.CONFIDENCE] == 0
        assert t.loc[row, sg.SOURCE] == sg.NONE_SOURCE and t.loc[row, sg.REASONS] == []


def test_labels_as_people_type_them() -> None:
    """A frame not from the loader: "V", "FD", "Failure demand" count as classified; anything else is open."""
    words = [f"report a leak {i}" for i in range(20)] + [f"still waiting {i}" for i in range(20)] + ["x", "y"]
    natures = ["V", "Value "] * 10 + ["FD", "Failure demand"] * 10 + ["?", "maybe"]
    made = sg.suggest(small(words, natures))
    assert made.classified == 40 and made.learned
    assert made.table[schema.ROW].tolist() == [42, 43]


def test_learned_needs_both_natures() -> None:
    words = [f"I want to report a leak number {i}" for i in range(60)] + ["still waiting for the plumber"]
    made = sg.suggest(small(words, ["value"] * 60 + [None]))
    assert not made.learned  # 60 value rows and no failure: nothing to tell them apart by
    assert made.table[sg.SOURCE].tolist() == [sg.PHRASES_SOURCE]


def test_learned_suggestions_carry_their_reasons() -> None:
    rng = np.random.default_rng(3)
    value = ["my boiler is broken", "the tap is leaking", "my window will not shut", "a light is out in the hall"]
    failure = ["when is the plumber coming, I rang last week", "nobody came to fix the boiler",
               "your man never turned up for the tap", "I rang twice about the window and heard nothing"]
    words, natures, causes = [], [], []
    for i in range(80):
        kind = i % 2
        words.append(str(rng.choice(failure if kind else value)))
        natures.append("failure" if kind else "value")
        causes.append("progress chasing" if kind else None)
    words += ["the plumber never turned up and nobody came", "the boiler is broken"]
    natures += [None, None]
    causes += [None, None]
    made = sg.suggest(small(words, natures, causes))
    assert made.learned and made.trained_on == 80 and made.quality is not None
    t = made.table.set_index(schema.ROW)
    fail, val = t.loc[82], t.loc[83]
    assert fail[sg.SUGGESTED_NATURE] == schema.FAILURE and fail[sg.SOURCE] == sg.LEARNED
    assert val[sg.SUGGESTED_NATURE] == schema.VALUE and val[sg.SUGGESTED_CAUSE] == ""
    assert fail[sg.REASONS] and all(r in words[80] for r in fail[sg.REASONS])
    assert val[sg.REASONS] and all(r in words[81] for r in val[sg.REASONS])


def test_misspellings_and_other_scripts_are_learned() -> None:
    """Character n-grams: a misspelt chase and a chase in Polish are recognised from few examples."""
    value = ["chcę zgłosić przeciek w kuchni", "I want to book a gas safety check", "my front door lock is broken"]
    failure = ["nadal czekam na hydraulika", "I am still waiting for the engineer", "still waiting on my repair"]
    words = [value[i % 3] for i in range(30)] + [failure[i % 3] for i in range(30)]
    natures = ["value"] * 30 + ["failure"] * 30
    words += ["stil waitng for the enginer", "Nadal czekam, nikt nie przyszedł"]
    made = sg.suggest(small(words, [*natures, None, None]), measure=False)
    assert made.table[sg.SUGGESTED_NATURE].tolist() == [schema.FAILURE, schema.FAILURE]
    assert "waitng" in made.table[sg.REASONS].iloc[0] or "stil" in made.table[sg.REASONS].iloc[0]


def test_min_confidence_filters_rows(benefits: pd.DataFrame) -> None:
    every = sg.suggest(benefits, measure=False).table
    sure = sg.suggest(benefits, min_confidence=0.9, measure=False).table
    assert 0 < len(sure) < len(every) == 101
    assert (sure[sg.CONFIDENCE] >= 0.9).all()
    assert sure[schema.ROW].isin(every[schema.ROW]).all()


def test_same_frame_same_suggestions(benefits: pd.DataFrame) -> None:
    first, second = sg.suggest(benefits), sg.suggest(benefits)
    pd.testing.assert_frame_equal(first.table, second.table)
    assert first.quality == second.quality


@pytest.mark.parametrize(("kind", "nature", "share", "cause"), [
    ("Chasing a refund", schema.FAILURE, 0.897, "progress chasing"),
    ("Pay council tax", schema.VALUE, 0.584, ""),
])
def test_types_classified_at_once(benefits: pd.DataFrame, kind: str, nature: str, share: float, cause: str) -> None:
    """A whole type with no nature yet gets the nature most of its rows are suggested."""
    frame = benefits.copy()
    rows = (frame[schema.DEMAND_TYPE] == kind).to_numpy()
    frame[schema.NATURE] = np.where(rows, schema.UNCLASSIFIED, frame[schema.NATURE].astype(object))
    frame[schema.FAILURE_CAUSE] = np.where(rows, None, frame[schema.FAILURE_CAUSE].astype(object))
    types = sg.suggest_types(frame).set_index(schema.DEMAND_TYPE)
    assert types.index[0] == kind  # most rows first
    assert types.loc[kind, sg.SUGGESTED_NATURE] == nature
    assert types.loc[kind, sg.TYPE_ROWS] == int(rows.sum())
    assert types.loc[kind, sg.SHARE] >= share - MARGIN and 0.5 <= types.loc[kind, sg.CONFIDENCE] <= 1
    assert types.loc[kind, sg.SUGGESTED_CAUSE] == cause
    assert list(types[sg.TYPE_ROWS]) == sorted(types[sg.TYPE_ROWS], reverse=True)
    assert "" not in types.index  # rows with no type are no type to classify


def test_nothing_to_suggest() -> None:
    made = sg.suggest(small(["a", "b"], ["value", "failure"]))
    assert made.table.empty and list(made.table.columns) == list(sg.COLUMNS)
    assert sg.suggest_types(small(["a"], ["value"])).empty
    empty = sg.suggest(pd.DataFrame(columns=[schema.ROW, schema.CUSTOMER_WORDS, schema.NATURE]))
    assert empty.table.empty and not empty.learned
    no_words = sg.suggest(pd.DataFrame({schema.ROW: [2, 3], schema.NATURE: [None, "value"]}))
    assert no_words.table[sg.SOURCE].tolist() == [sg.NONE_SOURCE]
    assert no_words.basis.startswith("No customer's words in this data")


def test_a_million_character_cell_is_read_in_part() -> None:
    made = sg.suggest(small(["x" * 1_000_000, "still waiting " * 100_000], [None, None]))
    assert made.table[sg.SOURCE].tolist() == [sg.NONE_SOURCE, sg.PHRASES_SOURCE]
    assert len(sg.normalise("a" * 1_000_000)) == sg.MAX_TEXT_CHARS


def test_two_hundred_thousand_rows() -> None:
    """200,000 rows (20,000 distinct texts, half classified): suggestions for every open row, bounded by the
    training sample and the chunks (the benchmark times it; this only says it finishes)."""
    rng = np.random.default_rng(11)
    stems = ["my boiler is broken", "still waiting for the plumber", "the tap leaks", "nobody came again",
             "what does this letter mean", "I want to pay my rent", "wrong bill sent", "new tenancy starts"]
    kinds = rng.integers(0, len(stems), 200_000)
    numbers = rng.integers(0, 2_500, 200_000)
    words = np.char.add(np.char.add(np.asarray(stems)[kinds], " ref "), numbers.astype(str))
    nature = np.where(np.isin(kinds, [1, 3, 4, 6]), "failure", "value").astype(object)
    nature[rng.random(200_000) < 0.5] = None
    frame = small(list(words), list(nature))
    made = sg.suggest(frame)
    assert len(made.table) == int(pd.isna(nature).sum())
    assert made.trained_on == sg.TRAIN_ROWS
    # more classified rows than training and the held-out sample need: the suggestions' own model is measured
    assert made.quality is not None and made.quality.rows == sg.QUALITY_ROWS
    assert made.quality.trained_on == sg.TRAIN_ROWS and made.quality.agreement > 0.99


def test_quality_on_a_held_out_sample(benefits: pd.DataFrame) -> None:
    """Between KFOLD_ROWS and TRAIN_ROWS + QUALITY_ROWS classified rows: one seeded held-out sample (a fifth),
    scored by a model trained on the rest."""
    frame = pd.concat([benefits] * 3, ignore_index=True)
    frame[schema.ROW] = np.arange(2, len(frame) + 2)
    q = sg.quality(frame)
    assert q is not None and q.rows == (3 * 1399) // sg.QUALITY_FOLDS
    assert q.trained_on == 3 * 1399 - q.rows
    assert q.agreement >= 0.9756 - MARGIN  # copies of a row may sit on both sides: no lower than k-fold


# ------------------------------------------------------------------------------------------ properties

NATURES = st.sampled_from([schema.VALUE, schema.FAILURE, schema.UNCLASSIFIED, None, "", "weird"])


def check(frame: pd.DataFrame, made: sg.Suggestions) -> None:
    open_ = ~frame[schema.NATURE].isin([schema.VALUE, schema.FAILURE])
    t = made.table
    assert list(t.columns) == list(sg.COLUMNS)
    assert t[schema.ROW].tolist() == frame.loc[open_, schema.ROW].tolist()
    assert t[sg.CONFIDENCE].between(0, 1).all() and t[sg.CAUSE_CONFIDENCE].between(0, 1).all()
    assert set(t[sg.SUGGESTED_NATURE]) <= {schema.VALUE, schema.FAILURE, ""}
    assert set(t[sg.SOURCE]) <= {sg.LEARNED, sg.PHRASES_SOURCE, sg.NONE_SOURCE}
    assert ((t[sg.SUGGESTED_NATURE] == "") == (t[sg.SOURCE] == sg.NONE_SOURCE)).all()
    assert (t.loc[t[sg.SUGGESTED_NATURE] != schema.FAILURE, sg.SUGGESTED_CAUSE] == "").all()
    assert all(isinstance(r, list) for r in t[sg.REASONS])
    if made.quality is not None:
        assert 0 <= made.quality.agreement <= 1


@given(st.lists(st.tuples(st.text(), NATURES), max_size=40))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_unicode_never_raises(rows: list[tuple[str, str | None]]) -> None:
    frame = small([w for w, _ in rows], [n for _, n in rows])
    made = sg.suggest(frame)
    check(frame, made)
    sg.suggest_types(frame, made)


@given(st.lists(st.text(min_size=0, max_size=30), min_size=40, max_size=70), st.lists(st.text(), max_size=10))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_unicode_learned_never_raises(labelled: list[str], unlabelled: list[str]) -> None:
    """Enough classified rows for a model whatever they say (blank, punctuation, emoji...)."""
    natures = [schema.VALUE if i % 2 else schema.FAILURE for i in range(len(labelled))]
    causes = [None if i % 2 else ("not done" if i % 4 else "progress chasing") for i in range(len(labelled))]
    frame = small(labelled + unlabelled, natures + [None] * len(unlabelled), causes + [None] * len(unlabelled))
    made = sg.suggest(frame, min_confidence=0.0)
    check(frame, made)
    sg.suggest_types(frame, made)


# ------------------------------------------------------------------------------------------ the command line


def test_cli_json(tmp_path: Path) -> None:
    result = guarded_cli("demand", "suggest", str(BENEFITS), "--format", "json", "--min-confidence", "0.8",
                         seconds=120, memory=3 << 30)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["source"] == "benefits_demand.csv" and data["rows"] == 1500 and data["unclassified"] == 101
    assert data["learned"] is True and data["classified"] == 1399 and data["min_confidence"] == 0.8
    assert data["quality"]["agreement"] >= 0.9756 - MARGIN and data["quality"]["sentence"].startswith("On 1,399")
    assert data["suggestions"] and all(s["confidence"] >= 0.8 for s in data["suggestions"])
    first = data["suggestions"][0]
    assert set(first) == {"row", "suggested_nature", "suggested_cause", "confidence", "cause_confidence",
                          "reasons", "source"}
    assert {t["demand_type"] for t in data["types"]} >= {"Chasing a claim", "Pay council tax"}


def test_cli_text_and_catalogue() -> None:
    result = guarded_cli("demand", "suggest", str(HOUSING), "--catalogue", str(CATALOGUE), seconds=120,
                         memory=3 << 30)
    assert result.returncode == 0, result.stderr
    assert "152 not yet classified" in result.stdout and "people decide" in result.stdout
    assert "On 2,380 rows you classified" in result.stdout


def test_cli_refuses_a_bad_confidence() -> None:
    result = guarded_cli("demand", "suggest", str(BENEFITS), "--min-confidence", "2", memory=3 << 30)
    assert result.returncode == 2 and "between 0 and 1" in result.stderr and result.no_traceback()


def test_json_fields_are_documented() -> None:
    """Every field of `workbench demand suggest --format json` is named in docs/data-contracts.md's section."""
    from workbench import cli

    doc = (ROOT / "docs" / "data-contracts.md").read_text(encoding="utf-8")
    section = doc[doc.index("## Suggestions from the customers' words"):doc.index("## Exports")]
    for typed in (cli.SuggestJSON, cli.SuggestionJSON, cli.TypeSuggestionJSON, cli.QualityJSON):
        for field in typed.__annotations__:
            assert f'"{field}"' in section, f"{typed.__name__}.{field} is not in docs/data-contracts.md"
    assert "workbench demand suggest" in (ROOT / "README.md").read_text(encoding="utf-8")
