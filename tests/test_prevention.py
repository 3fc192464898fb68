"""What a redesign changes about the demand itself (issue 14): failure demand a design is assumed to prevent
(workbench/sim/compare.py: Prevention, CompareSettings.prevented), shown with and without the assumption;
the causes of the failure demand a design generates (chase rules' `cause:`, recalls); replications that vary
the arrivals (`vary_arrivals`); roles compared by name; what the stored snapshot keeps of all this."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from demand_fixtures import SMALL_CATALOGUE_TEXT

from workbench import schema
from workbench.demand.catalogue import parse_catalogue
from workbench.demand.load import load_demand
from workbench.flow.model import parse_map, to_yaml
from workbench.sim import metrics
from workbench.sim.compare import (
    ASSUMED_LABEL,
    CompareSettings,
    Comparison,
    Prevention,
    assumption_words,
    compare,
    parse_prevention,
    prevented_rows,
    side_by_side,
)
from workbench.sim.engine import plan_arrivals
from workbench.sim.snapshot import Snapshot, SnapshotError, check_snapshot, snapshot

DAY = 1440.0
FIRST_DAY = pd.Timestamp("2026-01-05")  # a Monday

CATALOGUE = parse_catalogue(SMALL_CATALOGUE_TEXT + """\
  - type: Repair did not fix it
    nature: failure
    cause: repeat / recall
""", "catalogue.yaml")

# Plenty of staff at work round the clock: no queues, so each figure is the map's arithmetic.
MAP = """\
name: {name}
design: {design}
roles:
  - {{id: {agent}, name: Contact agent, staff: 30, hours_per_day: 24, days_per_week: 7}}
  - {{id: crew, name: Repairs crew, staff: 30, hours_per_day: 24, days_per_week: 7}}
entry: answer
steps:
  - id: answer
    name: Answer the call
    role: {agent}
    touch: 5
    routes:
      - to: resolved
        nature: failure
      - to: fix
        otherwise: true
  - id: fix
    name: Fix the leak
    role: crew
    touch: 30
    wait: 4
    complete_and_accurate: 50
    not_accurate: {{recall: {recall}}}
failure_demand:
  - name: Customers ask again about the documents
    kind: chase
    every_days: 1
    probability: 0.5
    demand_type: {chase_type}
    touchpoint: Phone
{chase_cause}"""


def make_map(name: str = "As is", *, design: str = "as-is", agent: str = "agent",
             recall: str = "Repair did not fix it", chase_type: str = "Missing documents", chase_cause: str = ""
             ) -> str:
    return MAP.format(name=name, design=design, agent=agent, recall=recall, chase_type=chase_type,
                      chase_cause=f"    cause: {chase_cause}\n" if chase_cause else "")


def demand_frame(tmp_path: Path, weeks: int = 3, seed: int = 3) -> pd.DataFrame:
    """A demand sample of `weeks` weeks from Monday 5 January 2026: leaks (value), chasing (progress chasing)
    and missed visits (not done); busier on Mondays."""
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(7 * weeks):
        day = FIRST_DAY + pd.Timedelta(days=d)
        for _ in range(int(rng.integers(8, 14)) + (6 if day.day_of_week == 0 else 0)):
            minute = int(rng.integers(8 * 60, 18 * 60))
            kind = rng.choice(3, p=[0.5, 0.35, 0.15])
            demand_type = ("Report a leak", "Chasing a repair", "Nobody turned up")[kind]
            rows.append({"received_at": (day + pd.Timedelta(minutes=minute)).strftime("%Y-%m-%d %H:%M"),
                         "touchpoint": "Phone", "demand_type": demand_type})
    path = tmp_path / "demand.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return load_demand(path, catalogue=CATALOGUE).frame


@pytest.fixture(scope="module")
def frame(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    return demand_frame(tmp_path_factory.mktemp("demand"))


CHASING = Prevention(0.8, cause="progress chasing")


@pytest.fixture(scope="module")
def result(frame: pd.DataFrame) -> Comparison:
    """As is, and a redesign assumed to prevent 80% of progress chasing (also run without the assumption)."""
    maps = [parse_map(make_map(), "as_is.yaml"), parse_map(make_map("Redesign", design="worker-led"), "redesign.yaml")]
    return CompareSettings(replications=3, seed=5, prevented={"redesign.yaml": [CHASING]}).run(
        maps, frame, catalogue=CATALOGUE)


def originals(run: metrics.RunResult, measured_only: bool = True) -> pd.DataFrame:
    df = run.demands
    return df[(df["generated"] == "") & (df["measured"] | (not measured_only))]


# ------------------------------------------------------------------------------------------ Prevention


def test_a_prevention_names_a_cause_or_a_type_and_a_share() -> None:
    assert CHASING.words() == "80% of progress chasing"
    assert Prevention(0.125, demand_type="Nobody  turned up").words() == "12.5% of 'Nobody turned up' demand"
    assert CHASING.to_dict() == {"cause": "progress chasing", "share": 0.8}
    assert Prevention.from_dict(CHASING.to_dict()) == CHASING
    for bad in (dict(share=0.5), dict(share=0.5, cause="a", demand_type="b"), dict(share=1.2, cause="a"),
                dict(share=-0.1, cause="a"), dict(share=float("nan"), cause="a")):
        with pytest.raises(ValueError):
            Prevention(**bad)  # type: ignore[arg-type]
    assert assumption_words([]) == ""
    assert assumption_words([CHASING]) == "assumes 80% of progress chasing is prevented"
    assert assumption_words([CHASING, Prevention(0.5, cause="not done"), Prevention(1, demand_type="X")]) == (
        "assumes 80% of progress chasing, 50% of not done and 100% of 'X' demand are prevented")


def test_the_cli_form_of_a_prevention() -> None:
    assert parse_prevention("redesign.yaml:cause=progress chasing:80%") == ("redesign.yaml", CHASING)
    assert parse_prevention(" maps/r.yaml:type=Nobody turned up:12.5 ") == (
        "maps/r.yaml", Prevention(0.125, demand_type="Nobody turned up"))
    assert parse_prevention("C:/maps/r.yaml:cause=not done:100%")[0] == "C:/maps/r.yaml"
    for bad in ("redesign.yaml:progress chasing:80%", "redesign.yaml:cause=progress chasing",
                "redesign.yaml:cause=progress chasing:180%", "redesign.yaml:kind=x:5%", ":cause=x:5%"):
        with pytest.raises(ValueError, match="prevent|percent|does not read"):
            parse_prevention(bad)


def test_a_cause_matches_failure_demand_only_and_a_type_any_case() -> None:
    from workbench.flow.routing import DemandKind

    assert CHASING.matches(DemandKind("Chasing a repair", "failure", "Progress  Chasing", "Phone"))
    assert not CHASING.matches(DemandKind("Odd", "value", "progress chasing", "Phone"))
    assert Prevention(1, demand_type="chasing A repair").matches(DemandKind("Chasing a repair", "failure", "", ""))


# ------------------------------------------------------------------------------------------ which demands


def test_the_same_sample_demands_are_left_out_in_every_replication(frame: pd.DataFrame) -> None:
    """The draw is keyed by (seed, sample row) only: a row is in or out whatever the replication, the
    warm-up or the bootstrap that brought it."""
    decided: dict[int, bool] = {}
    for r in range(4):
        plan = plan_arrivals(frame, CATALOGUE, seed=5, replication=r, vary_arrivals=r % 2 == 1)
        out = prevented_rows(plan.arrivals, [CHASING], seed=5)
        for a in plan.arrivals:
            assert decided.setdefault(a.row, a.row in out) == (a.row in out)
    chasing = set(np.flatnonzero((frame[schema.FAILURE_CAUSE] == "progress chasing").to_numpy()))
    left_out = {row for row, out in decided.items() if out}
    assert left_out <= chasing  # only progress chasing is left out
    seen = chasing & set(decided)
    share = len(left_out) / len(seen)
    sd = (0.8 * 0.2 / len(seen)) ** 0.5
    assert abs(share - 0.8) < 4 * sd, (share, len(seen))
    # another seed leaves out other demands; a larger share leaves out the same ones and more
    plan = plan_arrivals(frame, CATALOGUE, seed=5, replication=0)
    assert prevented_rows(plan.arrivals, [CHASING], seed=6) != prevented_rows(plan.arrivals, [CHASING], seed=5)
    half = prevented_rows(plan.arrivals, [Prevention(0.5, cause="progress chasing")], seed=5)
    assert half < prevented_rows(plan.arrivals, [CHASING], seed=5)
    assert prevented_rows(plan.arrivals, [Prevention(1.0, cause="progress chasing")], seed=5) == {
        a.row for a in plan.arrivals if a.row in chasing}
    assert prevented_rows(plan.arrivals, [Prevention(0.0, cause="progress chasing")], seed=5) == set()


def _left_out_of(result: Comparison, name: str, r: int) -> Counter[tuple[float, str]]:
    """The measured sample demands in the run without the assumption that are not in the design's run, by
    (arrival minute, type): the same arrivals went to both, so these are the ones prevented."""
    design = next(d for d in result.designs if d.name == name)
    without = next(d for d in result.designs if d.variant_of == name)
    key = lambda df: Counter(zip(df["arrival"], df["demand_type"], strict=True))  # noqa: E731
    return key(originals(without.runs[r])) - key(originals(design.runs[r]))


def test_identical_demands_are_left_out_across_replications_and_designs(frame: pd.DataFrame) -> None:
    maps = [parse_map(make_map("One"), "one.yaml"),
            parse_map(make_map("Two", agent="advisor", chase_type="Chasing a repair"), "two.yaml")]
    result = compare(maps, frame, catalogue=CATALOGUE, replications=3, seed=5,
                     prevented={"one.yaml": [CHASING], "two.yaml": [CHASING]})
    assert [d.name for d in result.designs] == ["One", "One (nothing prevented)", "Two", "Two (nothing prevented)"]
    first = _left_out_of(result, "One", 0)
    assert first and {t for _, t in first} == {"Chasing a repair"}
    for r in range(3):
        assert _left_out_of(result, "One", r) == first  # every replication: the sample's own days, the same ones
        assert _left_out_of(result, "Two", r) == first  # and every design that assumes the same
    assert result.designs[0].left_out == [sum(first.values())] * 3
    # the chasing left in is the sample's other 20%, counted by hand from the frame
    measured_chasing = int((frame[schema.DEMAND_TYPE] == "Chasing a repair").sum())
    kept = originals(result.designs[0].runs[0])
    assert int((kept["demand_type"] == "Chasing a repair").sum()) == measured_chasing - sum(first.values())
    assert len(kept) == len(frame) - sum(first.values())


def test_failure_demand_the_design_generates_is_never_prevented(frame: pd.DataFrame) -> None:
    """Everything of cause 'progress chasing' in the sample prevented, and the design's own chases (the
    same cause, from the catalogue) still arrive, as many as without the assumption."""
    m = parse_map(make_map("Redesign", chase_type="Chasing a repair"), "r.yaml")
    result = compare([m], frame, catalogue=CATALOGUE, replications=1, seed=5,
                     prevented={"r.yaml": [Prevention(1.0, cause="progress chasing")]})
    run, without = result.designs[0].runs[0], result.designs[1].runs[0]
    assert not (originals(run, measured_only=False)["cause"] == "progress chasing").any()
    chases = run.demands[run.demands["generated"] == "chase"]
    assert len(chases) > 0 and set(chases["cause"]) == {"progress chasing"}
    assert len(chases) == len(without.demands[without.demands["generated"] == "chase"])


def test_without_the_assumption_is_the_design_run_as_before(frame: pd.DataFrame, result: Comparison) -> None:
    """The design without its assumption is exactly the comparison with no prevention: the same arrivals and
    draws, so the with/without difference is the assumption only."""
    plain = compare([parse_map(make_map("Redesign", design="worker-led"), "redesign.yaml")], frame,
                    catalogue=CATALOGUE, replications=3, seed=5)
    without = next(d for d in result.designs if d.variant_of == "Redesign")
    assert without.name == "Redesign (nothing prevented)" and not without.prevented
    assert without.replications == plain.designs[0].replications
    assert result.designs[0].replications == compare([parse_map(make_map(), "as_is.yaml")], frame,
                                                     catalogue=CATALOGUE, replications=3, seed=5).designs[0].replications
    redesign = next(d for d in result.designs if d.name == "Redesign")
    for r in range(len(redesign.runs)):
        assert redesign.replications[r]["demands"] == without.replications[r]["demands"] - redesign.left_out[r]
    # less failure demand in the sample, fewer staff hours on it
    assert redesign.metric("failure_staff_hours")[0] < without.metric("failure_staff_hours")[0]


def test_the_headline_table_and_json_say_what_was_assumed(result: Comparison) -> None:
    words = result.headline()
    assert "Redesign (assumes 80% of progress chasing is prevented):" in words or \
        "(Redesign (assumes 80% of progress chasing is prevented))" in words
    redesign = next(d for d in result.designs if d.name == "Redesign")
    without = next(d for d in result.designs if d.variant_of)
    hours = f"{redesign.metric('failure_staff_hours')[0]:,.0f}"
    hours_without = f"{without.metric('failure_staff_hours')[0]:,.0f}"
    assert (f"Redesign assumes 80% of progress chasing is prevented: with it, {hours} staff hours on failure demand"
            in words)
    assert f"without it (the whole sample), {hours_without} staff hours on failure demand" in words
    assert "The 95% intervals cover service times only" in words
    assert "nan" not in words
    names = [d.name for d in result.designs]
    table = side_by_side(result.table(), names, result.replications, result.assumptions(),
                         result.intervals_cover()).set_index("Measure")
    left = round(float(np.mean(redesign.left_out)))
    assert table.loc[ASSUMED_LABEL, "Redesign"] == (f"80% of progress chasing (on average {left:,} of the "
                                                    "sample's demands left out)")
    assert table.loc[ASSUMED_LABEL, "As is"] == "none"
    assert table.loc[ASSUMED_LABEL, "Redesign (nothing prevented)"] == "none: the same design on the whole sample"
    assert table.loc["Demands of the sample run", "Redesign"].split()[0] == f"{redesign.metric('demands')[0]:,.0f}"
    assert table.loc["The 95% intervals cover", "As is"] == "service times only"
    assert table.index[0] == ASSUMED_LABEL and table.index[-1] == "The 95% intervals cover"
    out = json.loads(json.dumps(result.to_json(), allow_nan=False))
    by_name = {d["name"]: d for d in out["designs"]}
    assert by_name["Redesign"]["prevented"] == [{"cause": "progress chasing", "share": 0.8}]
    assert by_name["Redesign"]["assumption"] == "assumes 80% of progress chasing is prevented"
    assert by_name["Redesign"]["left_out"] == pytest.approx(np.mean(redesign.left_out))
    assert by_name["Redesign (nothing prevented)"]["variant_of"] == "Redesign"
    assert by_name["As is"]["assumption"] is None and by_name["As is"]["prevented"] == []
    assert out["vary_arrivals"] is False and out["arrivals_vary"] is False
    assert out["intervals_cover"].startswith("service times only")


def test_no_assumption_no_extra_rows_or_designs(frame: pd.DataFrame) -> None:
    result = compare([parse_map(make_map(), "a.yaml"), parse_map(make_map("B"), "b.yaml")], frame,
                     catalogue=CATALOGUE, replications=1, seed=5)
    assert [d.name for d in result.designs] == ["As is", "B"]
    assert result.assumptions() == {}
    assert "demands" not in set(result.table()["metric"])
    table = side_by_side(result.table(), ["As is", "B"], 1, result.assumptions(), result.intervals_cover())
    assert ASSUMED_LABEL not in set(table["Measure"]) and "The 95% intervals cover" not in set(table["Measure"])
    assert "intervals" not in result.headline()  # one replication: no intervals to speak of


# ------------------------------------------------------------------------------------------ causes


def test_a_chase_for_missing_documents_carries_its_own_cause(frame: pd.DataFrame) -> None:
    """Before, every chase was labelled 'progress chasing' in the staff hours on failure demand."""
    m = parse_map(make_map(chase_cause="documents not asked for at the start"), "docs.yaml")
    assert m.chases[0].cause == "documents not asked for at the start"
    assert parse_map(to_yaml(m), "again.yaml").chases[0].cause == "documents not asked for at the start"
    result = compare([m], frame, catalogue=CATALOGUE, replications=1, seed=5)
    run = result.designs[0].runs[0]
    chases = run.demands[run.demands["generated"] == "chase"]
    assert len(chases) > 0 and set(chases["cause"]) == {"documents not asked for at the start"}
    hours = metrics.failure_hours(run, result.weeks)
    designed = hours[hours["source"] == "caused by this design"].set_index(["cause", "caused_by_step"])
    in_scope = chases[chases["case"].isin(set(metrics.case_view(run)["case"]))]
    assert designed.loc[("documents not asked for at the start", "fix"), "demands"] == len(in_scope)
    assert designed.loc[("documents not asked for at the start", "fix"), "staff_hours"] == pytest.approx(
        5 * len(in_scope) / 60)  # each chase: answered in 5 minutes, resolved (failure demand)
    sample = hours[hours["source"] == "in the demand sample"]
    assert "progress chasing" in set(sample["cause"])  # the sample's own chasing keeps its cause
    assert "progress chasing" not in set(hours[hours["source"] == "caused by this design"]["cause"])


def test_a_chase_without_a_cause_takes_the_catalogues_then_its_name(frame: pd.DataFrame) -> None:
    known = parse_map(make_map(chase_type="Nobody turned up"), "k.yaml")  # catalogue: not done
    unknown = parse_map(make_map(chase_type="Missing documents"), "u.yaml")  # not in the catalogue
    result = compare([known, unknown], frame, catalogue=CATALOGUE, replications=1, seed=5)
    causes = [set(d.runs[0].demands.query("generated == 'chase'")["cause"]) for d in result.designs]
    assert causes == [{"not done"}, {"Customers ask again about the documents"}]
    nameless = parse_map(make_map(chase_type="Missing documents").replace(
        "  - name: Customers ask again about the documents\n", "  - kind: chase\n").replace(
        "    kind: chase\n    every_days", "    every_days"), "n.yaml")
    assert nameless.chases[0].name == ""
    run = compare([nameless], frame, catalogue=CATALOGUE, replications=1, seed=5).designs[0].runs[0]
    assert set(run.demands.query("generated == 'chase'")["cause"]) == {"progress chasing"}


def test_a_recall_is_not_put_right_at_its_step_unless_the_catalogue_says(frame: pd.DataFrame) -> None:
    with_cause = parse_map(make_map(), "a.yaml")  # recall type 'Repair did not fix it': repeat / recall
    without = parse_map(make_map("B", recall="Came back again"), "b.yaml")
    result = compare([with_cause, without], frame, catalogue=CATALOGUE, replications=1, seed=5)
    causes = [set(d.runs[0].demands.query("generated == 'recall'")["cause"]) for d in result.designs]
    assert causes == [{"repeat / recall"}, {"not put right at Fix the leak"}]
    hours = metrics.failure_hours(result.designs[1].runs[0], result.weeks)
    assert "not put right at Fix the leak" in set(hours["cause"]) and "repeat / recall" not in set(hours["cause"])


# ------------------------------------------------------------------------------------------ arrivals


def _days(plan: object, start: float, n_days: int) -> list[Counter[tuple[float, str]]]:
    out = []
    for d in range(n_days):
        lo = start + d * DAY
        out.append(Counter((round(a.time - lo, 6), a.kind.demand_type) for a in plan.arrivals  # type: ignore[attr-defined]
                           if a.measured and lo <= a.time < lo + DAY))
    return out


def test_vary_arrivals_bootstraps_the_samples_days_by_weekday(frame: pd.DataFrame) -> None:
    sample_days = {}
    for day, part in frame.groupby(frame[schema.RECEIVED_AT].dt.normalize()):
        minutes = (part[schema.RECEIVED_AT] - day).dt.total_seconds() / 60
        sample_days[day] = Counter(zip(minutes.round(6), part[schema.DEMAND_TYPE], strict=True))
    by_weekday: dict[int, list[Counter[tuple[float, str]]]] = {}
    for day, content in sample_days.items():
        by_weekday.setdefault(day.day_of_week, []).append(content)
    fixed = plan_arrivals(frame, CATALOGUE, seed=5, replication=0)
    plans = [plan_arrivals(frame, CATALOGUE, seed=5, replication=r, vary_arrivals=True) for r in range(3)]
    n_days = len(sample_days)
    assert _days(fixed, fixed.measured_start, n_days) == list(sample_days.values())  # as before: the sample's days
    contents = []
    for plan in plans:
        assert (plan.measured_start, plan.measured_end, plan.weeks) == (
            fixed.measured_start, fixed.measured_end, fixed.weeks)  # the sample's own weeks and calendar
        days = _days(plan, plan.measured_start, n_days)
        for d, content in enumerate(days):
            weekday = (FIRST_DAY + pd.Timedelta(days=d)).day_of_week
            assert content in by_weekday[weekday]  # each day a real day of the sample, on the same weekday
        contents.append(days)
    assert contents[0] != contents[1] != contents[2]  # other days in other replications
    assert contents[0] != _days(fixed, fixed.measured_start, n_days)
    again = plan_arrivals(frame, CATALOGUE, seed=5, replication=1, vary_arrivals=True)
    assert _days(again, again.measured_start, n_days) == contents[1]  # reproducible


def test_the_intervals_say_what_they_cover(frame: pd.DataFrame) -> None:
    maps = [parse_map(make_map(), "a.yaml"), parse_map(make_map("B"), "b.yaml")]
    varied = CompareSettings(replications=3, seed=5, vary_arrivals=True).run(maps, frame, catalogue=CATALOGUE)
    assert varied.to_json()["vary_arrivals"] is True and varied.to_json()["arrivals_vary"] is True
    assert "The 95% intervals cover service times and which days arrive" in varied.headline()
    table = side_by_side(varied.table(), ["As is", "B"], 3, varied.assumptions(), varied.intervals_cover())
    assert table.set_index("Measure").loc["The 95% intervals cover", "B"] == "service times and which days arrive"
    # the replications differ in their demand now: the number of measured demands varies
    assert len({r["demands"] for r in varied.designs[0].replications}) > 1
    resampled = compare(maps, frame, catalogue=CATALOGUE, replications=2, seed=5, weeks=2)
    assert resampled.arrivals_vary and not resampled.vary_arrivals  # weeks set: days are drawn anyway
    assert CompareSettings(vary_arrivals=True).to_dict()["vary_arrivals"] is True


# ------------------------------------------------------------------------------------------ roles by name


def test_roles_are_compared_by_name_not_id(frame: pd.DataFrame) -> None:
    a = parse_map(make_map(agent="agent"), "a.yaml")
    b = parse_map(make_map("B", agent="advisor"), "b.yaml")  # another id, the same name: 'Contact agent'
    result = compare([a, b], frame, catalogue=CATALOGUE, replications=2, seed=5)
    table = result.table()
    rows = table[table["metric"].str.startswith("utilisation_")]
    assert set(rows["metric"]) == {"utilisation_Contact agent", "utilisation_Repairs crew"}
    agent = rows[rows["metric"] == "utilisation_Contact agent"].set_index("design")
    assert agent.loc["As is", "mean"] == pytest.approx(np.mean([r["utilisation_agent"]
                                                               for r in result.designs[0].replications]))
    assert agent.loc["B", "mean"] == pytest.approx(np.mean([r["utilisation_advisor"]
                                                           for r in result.designs[1].replications]))
    diffs = [x["utilisation_advisor"] - y["utilisation_agent"]
             for x, y in zip(result.designs[1].replications, result.designs[0].replications, strict=True)]
    assert agent.loc["B", "difference"] == pytest.approx(np.mean(diffs))
    shown = side_by_side(table, ["As is", "B"], 2)
    assert "Utilisation: Contact agent" in set(shown["Measure"]) and "Utilisation: agent" not in set(shown["Measure"])
    assert result.to_json()["designs"][1]["roles"] == [  # type: ignore[index]
        {"id": "advisor", "name": "Contact agent", "staff": 30.0, "people": 30},
        {"id": "crew", "name": "Repairs crew", "staff": 30.0, "people": 30}]


# ------------------------------------------------------------------------------------------ the snapshot


def test_the_snapshot_keeps_the_assumptions_and_old_ones_still_read(result: Comparison) -> None:
    data = json.loads(json.dumps(snapshot(result, FIRST_DAY), allow_nan=False))
    check_snapshot(data)
    snap = Snapshot(data)
    assert snap.assumptions() == result.assumptions()
    assert snap.assumed() == ["Redesign assumes 80% of progress chasing is prevented"]
    assert snap.intervals_cover == result.intervals_cover()
    assert [r["name"] for r in snap.roles("Redesign")] == ["Contact agent", "Repairs crew"]
    # a snapshot stored before these keys: still checked fine, and read as "nothing known"
    old = json.loads(json.dumps(data))
    for key in ("vary_arrivals", "arrivals_vary", "intervals_cover"):
        old.pop(key)
    for d in old["designs"]:
        for key in ("prevented", "assumption", "variant_of", "left_out", "roles"):
            d.pop(key)
    check_snapshot(old)
    assert Snapshot(old).assumptions() == {} and Snapshot(old).assumed() == [] and Snapshot(old).roles("As is") == []
    assert Snapshot(old).intervals_cover == ""
    bad = json.loads(json.dumps(data))
    bad["designs"][1]["prevented"] = [{"cause": "progress chasing", "share": 8}]
    with pytest.raises(SnapshotError, match="share"):
        check_snapshot(bad)
    bad = json.loads(json.dumps(data))
    bad["vary_arrivals"] = "yes"
    with pytest.raises(SnapshotError, match="vary_arrivals"):
        check_snapshot(bad)


def test_a_design_assumed_to_prevent_all_of_its_demand_says_so_and_has_no_figures(frame: pd.DataFrame) -> None:
    everything = [Prevention(1, demand_type=t) for t in ("Report a leak", "Chasing a repair", "Nobody turned up")]
    result = compare([parse_map(make_map(), "a.yaml"), parse_map(make_map("B"), "b.yaml")], frame,
                     catalogue=CATALOGUE, replications=2, seed=5, prevented={"b.yaml": everything})
    b = result.designs[1]
    assert b.name == "B" and b.nothing_left() and b.runs == []
    assert b.left_out == [len(frame)] * 2  # every measured demand of the sample
    assert result.headline().startswith("B assumes 100% of 'Report a leak' demand, 100% of 'Chasing a repair' "
                                        "demand and 100% of 'Nobody turned up' demand are prevented: that leaves "
                                        "none of the sample's demand to run")
    shown = side_by_side(result.table(), [d.name for d in result.designs], 2).set_index("Measure")
    assert shown.loc["End-to-end days (median)", "B"] == "–" and shown.loc["Staff hours (total)", "B"].startswith("0.00")
    data = json.loads(json.dumps(snapshot(result, FIRST_DAY), allow_nan=False))
    check_snapshot(data)
    assert "B" not in data["capability"] and {r["design"] for r in data["e2e_distribution"]} == {
        "As is", "B (nothing prevented)"}
    assert "nan" not in json.dumps(side_by_side(result.table(), [d.name for d in result.designs], 2).to_dict())


# ------------------------------------------------------------------------------------------ the command line


def _cli_files(tmp_path: Path) -> tuple[str, str, str]:
    (tmp_path / "as_is.yaml").write_text(make_map(), encoding="utf-8")
    (tmp_path / "redesign.yaml").write_text(make_map("Redesign", design="worker-led"), encoding="utf-8")
    demand = demand_frame(tmp_path, weeks=2)
    demand.assign(received_at=demand[schema.RECEIVED_AT].dt.strftime("%Y-%m-%d %H:%M"))[
        [schema.RECEIVED_AT, schema.TOUCHPOINT, schema.DEMAND_TYPE, schema.NATURE, schema.FAILURE_CAUSE]].to_csv(
        tmp_path / "d.csv", index=False)
    return str(tmp_path / "as_is.yaml"), str(tmp_path / "redesign.yaml"), str(tmp_path / "d.csv")


def test_compare_prevent_and_vary_arrivals_on_the_command_line(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    from workbench.cli import main

    as_is, redesign, demand = _cli_files(tmp_path)
    args = ["compare", as_is, redesign, "--demand", demand, "--replications", "2", "--seed", "5", "--quiet"]
    assert main([*args, "--format", "json", "--prevent", "redesign.yaml:cause=progress chasing:80%",
                 "--prevent", f"{redesign}:type=Nobody turned up:50", "--vary-arrivals"]) == 0
    out = json.loads(capsys.readouterr().out)
    by_name = {d["name"]: d for d in out["designs"]}
    assert list(by_name) == ["As is", "Redesign", "Redesign (nothing prevented)"]
    assert by_name["Redesign"]["prevented"] == [{"cause": "progress chasing", "share": 0.8},
                                                {"demand_type": "Nobody turned up", "share": 0.5}]
    assert by_name["Redesign"]["assumption"] == ("assumes 80% of progress chasing and 50% of 'Nobody turned up' "
                                                 "demand are prevented")
    assert out["vary_arrivals"] is True and out["intervals_cover"].startswith("service times and which days arrive")
    assert main([*args, "--prevent", "Redesign:cause=progress chasing:80%"]) == 0  # by the map's name too
    text = capsys.readouterr().out
    assert "Failure demand assumed prevented: Redesign assumes 80% of progress chasing is prevented" in text
    assert "the intervals cover service times only" in text and "nan" not in text
    for bad, says in (("other.yaml:cause=progress chasing:80%", "not one of the maps compared"),
                      ("redesign.yaml:progress chasing", "does not read as"),
                      ("redesign.yaml:cause=progress chasing:150%", "percent from 0 to 100")):
        assert main([*args, "--prevent", bad]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and says in err[0], err
