"""Does the as-is map fit reality? The measured as-is beside the simulated one: every figure worked out again
below by hand (a small demand and a comparison built by hand), with the csv module on the sample, and through
the CLI and the Compare page."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from app_pages import Screen, open_app
from streamlit.testing.v1 import AppTest

from workbench.cli import main
from workbench.demand import end_to_end
from workbench.demand.load import load_demand
from workbench.demand.reading import ReadOptions
from workbench.eventlog.analysis import ROLLUP_EXTRA
from workbench.sim import fit
from workbench.sim.compare import Comparison, DesignResult

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "housing_repairs_demand.csv"
AS_IS = ROOT / "process_maps" / "housing_repairs_standard_work.yaml"
REDESIGN = ROOT / "process_maps" / "housing_repairs_worker_led.yaml"

# A: met in 1 day. B: first contact 03-02 09:00, met by the latest resolved date 03-05 09:00: 3 days (its second
# contact has no one-stop recorded). C: 5 days. D: open. Met days 1, 3, 5: median 3; 85th percentile (linear)
# at position 0.85 x 2 = 1.7 between 3 and 5: 3 + 0.7 x 2 = 4.4. One stop recorded on 4 rows, 2 yes: 0.5.
DEMAND = """\
received_at,touchpoint,demand_type,nature,one_stop,case_id,resolved_at
2026-03-02 09:00,Phone,Leak,value,yes,A,2026-03-03 09:00
2026-03-02 09:00,Phone,Leak,value,no,B,2026-03-05 09:00
2026-03-03 09:00,Phone,Chasing,failure,,B,
2026-03-04 09:00,Phone,Leak,value,no,C,2026-03-09 09:00
2026-03-04 12:00,Phone,Leak,value,yes,D,
"""


def _design(name: str, design: str, reps: list[dict[str, float]]) -> DesignResult:
    return DesignResult(name, design, f"{name}.yaml", replications=reps)


def _comparison() -> Comparison:
    """Two replications of two designs; the as-is is the second (its design says so)."""
    redesign = _design("Redesign", "worker-led", [
        {"e2e_days_median": 1.0, "e2e_days_p85": 2.0, "one_stop_share": 0.8, "handoffs_mean": 0.5},
        {"e2e_days_median": 1.0, "e2e_days_p85": 2.0, "one_stop_share": 0.8, "handoffs_mean": 0.5}])
    as_is = _design("Today", "standard-work", [
        {"e2e_days_median": 3.4, "e2e_days_p85": 9.4, "one_stop_share": 0.2, "handoffs_mean": 2.0},
        {"e2e_days_median": 3.6, "e2e_days_p85": 9.4, "one_stop_share": 0.3, "handoffs_mean": 2.0}])
    return Comparison([redesign, as_is], weeks=1.0, replications=2, seed=1, demands=5)


@pytest.fixture(scope="module")
def demand() -> object:
    return load_demand(DEMAND.encode("utf-8"), "demand.csv").frame


def test_rows_measured_simulated_difference_and_verdict(demand) -> None:  # noqa: ANN001
    rows = fit.fit(demand, _comparison()).set_index("measure")
    assert list(rows.index) == ["e2e_days_median", "e2e_days_p85", "one_stop_share", "handoffs_mean"]
    assert list(rows["label"]) == ["End-to-end days (median)", "End-to-end days (85th percentile)",
                                   "Resolved at one stop", "Hand-offs per demand"]
    median = rows.loc["e2e_days_median"]
    assert median["measured"] == pytest.approx(3.0) and median["simulated"] == pytest.approx(3.5)
    assert median["difference"] == pytest.approx(0.5)
    assert median["verdict"] == "close: within 20%"  # 0.5 <= 20% of 3
    p85 = rows.loc["e2e_days_p85"]
    assert p85["measured"] == pytest.approx(4.4) and p85["simulated"] == pytest.approx(9.4)
    assert p85["difference"] == pytest.approx(5.0)
    assert p85["verdict"] == "the map is slower than reality by 5.0 days"
    one_stop = rows.loc["one_stop_share"]
    assert one_stop["measured"] == pytest.approx(0.5) and one_stop["simulated"] == pytest.approx(0.25)
    assert one_stop["difference"] == pytest.approx(-0.25)
    assert one_stop["verdict"] == "the map resolves fewer at one stop than reality: 25 points fewer"
    handoffs = rows.loc["handoffs_mean"]  # a demand file does not count hand-offs
    assert handoffs["measured"] is None and handoffs["difference"] is None
    assert handoffs["simulated"] == pytest.approx(2.0)
    assert handoffs["verdict"] == fit.NO_HANDOFFS


def test_the_as_is_is_the_standard_work_or_as_is_design_else_the_first(demand) -> None:  # noqa: ANN001
    comparison = _comparison()
    assert fit.as_is_design(comparison.designs) == "Today"
    comparison.designs[1].design = "As-Is "
    assert fit.as_is_design(comparison.designs) == "Today"
    comparison.designs[1].design = "worker-led"
    assert fit.as_is_design(comparison.designs) == "Redesign"
    chosen = fit.assess(demand, _comparison(), "Redesign")  # the person's choice
    assert chosen.as_is == "Redesign"
    p85 = chosen.rows.set_index("measure").loc["e2e_days_p85"]
    assert p85["difference"] == pytest.approx(2.0 - 4.4)
    assert p85["verdict"] == "the map is faster than reality by 2.4 days"
    with pytest.raises(ValueError, match="Nobody"):
        fit.assess(demand, _comparison(), "Nobody")


def test_hand_offs_are_measured_when_the_demand_counts_them(demand) -> None:  # noqa: ANN001
    assert "handoffs" in ROLLUP_EXTRA  # the event log's roll-up names the column fit reads
    counted = demand.assign(handoffs=[0, 3, 2, 4, 1])  # mean 2.0
    row = fit.fit(counted, _comparison()).set_index("measure").loc["handoffs_mean"]
    assert row["measured"] == pytest.approx(2.0) and row["difference"] == pytest.approx(0.0)
    assert row["verdict"] == "close: within 20%"
    row = fit.fit(counted.assign(handoffs=[1, 1, 1, 1, 1]), _comparison()).set_index("measure").loc["handoffs_mean"]
    assert row["verdict"] == "the map has more hand-offs than reality: 1.00 more per demand"


def test_a_design_that_resolved_nothing_says_so(demand) -> None:  # noqa: ANN001
    comparison = _comparison()
    for r in comparison.designs[1].replications:
        r.update(e2e_days_median=math.nan, e2e_days_p85=math.nan, one_stop_share=math.nan)
    rows = fit.fit(demand, comparison).set_index("measure")
    assert rows.loc["e2e_days_median", "simulated"] is None
    assert rows.loc["e2e_days_median", "verdict"] == fit.NOT_SIMULATED
    assert rows.loc["one_stop_share", "verdict"] == fit.NOT_SIMULATED


def test_no_resolved_dates_no_dates_and_nothing_met_give_a_reason_never_nan(demand) -> None:  # noqa: ANN001
    unresolved = load_demand(DEMAND.replace("resolved_at", "other").encode("utf-8"), "d.csv").frame
    result = fit.assess(unresolved, _comparison())
    assert not result.available and result.reason == end_to_end.NO_RESOLVED
    rows = result.rows.set_index("measure")
    assert rows.loc["e2e_days_median", "measured"] is None
    assert rows.loc["e2e_days_median", "verdict"] == end_to_end.NO_RESOLVED
    assert rows.loc["one_stop_share", "measured"] == pytest.approx(0.5)  # still recorded
    undated = load_demand(DEMAND.encode("utf-8"), "d.csv", ReadOptions(no_dates=True)).frame
    result = fit.assess(undated, _comparison())
    assert not result.available and result.reason == end_to_end.NO_DATES
    block = fit.to_json(result)
    assert block["reason"] == end_to_end.NO_DATES and block["rows"][0]["verdict"] == end_to_end.NO_DATES
    text = json.dumps(block)
    assert "NaN" not in text and "nan" not in text
    # dates resolved, but no usable met need: one is open, the other was resolved before it was received (a slip)
    slips = demand.copy()  # the loader sets such a date aside, so the frame is changed here
    slips["resolved_at"] = pd.NaT
    slips.loc[0, "resolved_at"] = slips.loc[0, "received_at"] - pd.Timedelta(days=1)
    slips["one_stop"] = pd.NA
    result = fit.assess(slips, _comparison())
    assert result.available and (result.needs, result.met, result.open) == (4, 1, 3)
    rows = result.rows.set_index("measure")
    assert rows.loc["e2e_days_median", "measured"] is None and rows.loc["e2e_days_median", "verdict"] == fit.NO_MET
    assert rows.loc["one_stop_share", "verdict"] == fit.NO_ONE_STOP  # none recorded


def test_readable_rows_for_the_page(demand) -> None:  # noqa: ANN001
    table = fit.readable(fit.assess(demand, _comparison()))
    assert list(table.columns) == ["Measure", "Measured", "Simulated", "Difference", "Verdict"]
    assert table.iloc[0].tolist() == ["End-to-end days (median)", "3.00", "3.50", "+0.50", "close: within 20%"]
    assert table.iloc[2].tolist()[:4] == ["Resolved at one stop", "50%", "25%", "-25 points"]
    assert table.iloc[3].tolist()[:4] == ["Hand-offs per demand", "–", "2.00", "–"]


# ------------------------------------------------------------------------------------------ the CLI


def _one_stop_share_by_csv() -> float:
    rows = list(csv.DictReader(io.StringIO(SAMPLE.read_text(encoding="utf-8"))))
    known = [r["one_stop"].strip().lower() for r in rows if r["one_stop"].strip()]
    return sum(v == "yes" for v in known) / len(known)


def test_cli_json_fit_block_on_the_sample(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "--format", "json", "--demand", str(SAMPLE), str(AS_IS), str(REDESIGN),
                 "--replications", "1", "--seed", "4"]) == 0
    data = json.loads(capsys.readouterr().out)
    block = data["fit"]
    assert block["as_is"] == "Housing repairs - as is" and block["available"] is True and block["reason"] is None
    e2e = end_to_end.measure(load_demand(SAMPLE).frame)
    assert (block["needs"], block["met"], block["open"]) == (e2e.needs, e2e.met, e2e.open)
    design = next(d for d in data["designs"] if d["name"] == "Housing repairs - as is")["metrics"]
    rows = {r["measure"]: r for r in block["rows"]}
    assert list(rows) == ["e2e_days_median", "e2e_days_p85", "one_stop_share", "handoffs_mean"]
    assert rows["e2e_days_median"]["measured"] == round(e2e.median_days, 2)
    assert rows["e2e_days_p85"]["measured"] == round(e2e.p85_days, 2)
    assert rows["one_stop_share"]["measured"] == round(_one_stop_share_by_csv(), 4)
    assert rows["handoffs_mean"]["measured"] is None and rows["handoffs_mean"]["verdict"] == fit.NO_HANDOFFS
    for key, digits in (("e2e_days_median", 2), ("e2e_days_p85", 2), ("one_stop_share", 4), ("handoffs_mean", 2)):
        row = rows[key]
        assert row["simulated"] == round(design[key], digits)
        if row["measured"] is not None:
            assert row["difference"] == pytest.approx(design[key] - row["measured"], abs=2 * 10 ** -digits)
            assert row["verdict"]


def test_cli_text_section_and_the_as_is_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = list(csv.DictReader(io.StringIO(SAMPLE.read_text(encoding="utf-8"))))
    unresolved = tmp_path / "unresolved.csv"
    with unresolved.open("w", newline="", encoding="utf-8") as f:
        names = [n for n in rows[0] if n != "resolved_at"]
        writer = csv.DictWriter(f, names, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    assert main(["compare", "--demand", str(unresolved), str(AS_IS), str(REDESIGN), "--replications", "1",
                 "--weeks", "1", "--quiet", "--as-is", "Housing repairs - redesign"]) == 0
    out = capsys.readouterr().out
    assert "Measured vs simulated (as-is: Housing repairs - redesign):" in out
    assert end_to_end.NO_RESOLVED in out and not re.search(r"\bnan\b", out, re.IGNORECASE)
    assert main(["compare", "--demand", str(unresolved), str(AS_IS), str(REDESIGN), "--as-is", "Nope"]) == 2
    assert "Nope" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------ the page


@pytest.fixture(scope="module")
def at() -> AppTest:
    return open_app("compare", timeout=180)


def _fit_table(at: AppTest):  # noqa: ANN202
    return next(t.value for t in at.table if "Verdict" in t.value.columns).set_index("Measure")


def test_the_compare_page_shows_whether_the_as_is_map_fits(at: AppTest) -> None:
    assert "Does the as-is map fit reality?" in [h.value for h in at.subheader]
    pick = Screen(at).selectbox("Which design is the as-is?")
    assert pick.value == "Housing repairs - as is"
    table = _fit_table(at)
    assert list(table.columns) == ["Measured", "Simulated", "Difference", "Verdict"]
    e2e = end_to_end.measure(load_demand(SAMPLE).frame)
    assert table.loc["End-to-end days (median)", "Measured"] == f"{e2e.median_days:.2f}"
    assert table.loc["Resolved at one stop", "Measured"] == f"{_one_stop_share_by_csv():.0%}"
    main_table = next(t.value for t in at.table if "Measure" in t.value.columns).set_index("Measure")
    simulated = main_table.loc["End-to-end days (median)", "Housing repairs - as is"].split()[0]
    assert table.loc["End-to-end days (median)", "Simulated"] == simulated
    assert table.loc["Hand-offs per demand", "Verdict"] == fit.NO_HANDOFFS
    before = table.loc["End-to-end days (median)", "Simulated"]
    Screen(at).choose("Which design is the as-is?", "Housing repairs - redesign")
    Screen(at).assert_no_exception()
    after = _fit_table(at).loc["End-to-end days (median)", "Simulated"]
    assert after == main_table.loc["End-to-end days (median)", "Housing repairs - redesign"].split()[0]
    assert after != before
