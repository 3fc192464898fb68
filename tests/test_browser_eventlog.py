"""Real-browser journey of an event log: upload it on the Demand page, see how the work flows, create a draft map
from it, open that map on the Flow page, and check on the Compare page that the measured end-to-end time is the
log's own. Every expected figure is worked out here from the CSV with pandas, not with Workbench's code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from pages import ARTIFACTS, ComparePage, DemandPage

pytestmark = pytest.mark.browser

EVENTS_CSV = Path(__file__).resolve().parents[1] / "sample_data" / "housing_repairs_events.csv"
DRAFT = "housing_repairs_events (discovered)"  # the name the page gives a map drafted from this file
REDESIGN = "Housing repairs - redesign"  # a map of the sample study, which every fresh server has
START, END = "(start)", "(end)"  # how the transitions table marks a case's first and last activity


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    times: int


@dataclass(frozen=True)
class Expected:
    cases: int
    events: int
    top: list[Transition]  # the transitions by how often they happen, most frequent first, (start) and (end) too
    median_days: float  # per case, last event minus first, in days; the median over the cases


def _expected() -> Expected:
    events = pd.read_csv(EVENTS_CSV, dtype=str)
    events["at"] = pd.to_datetime(events["timestamp"], format="%Y-%m-%d %H:%M")
    # a case's events in time order; events at the same minute in the order of the file
    events = events.sort_values(["case_id", "at"], kind="stable")
    pairs: dict[tuple[str, str], int] = {}
    for _, activities in events.groupby("case_id", sort=False)["activity"]:
        walk = [START, *activities, END]
        for pair in zip(walk, walk[1:], strict=False):
            pairs[pair] = pairs.get(pair, 0) + 1
    top = [Transition(a, b, n) for (a, b), n in sorted(pairs.items(), key=lambda kv: -kv[1])]
    times = events.groupby("case_id")["at"]
    days = (times.max() - times.min()).dt.total_seconds() / 86_400
    return Expected(cases=events["case_id"].nunique(), events=len(events), top=top,
                    median_days=float(days.median()))


def _days_as_shown(days: float) -> str:
    """Days as the Compare page's tables write them: 2 decimals under 10, 1 under 100."""
    assert days < 100
    return f"{days:.2f}" if days < 10 else f"{days:.1f}"


def test_an_event_log_from_upload_to_a_draft_map_that_is_compared_with_the_log(page: Page, app_server) -> None:
    exp = _expected()
    assert exp.cases < exp.events  # several events per case: the file really is an event log
    # the rows checked below are the first two of the table whatever the order of equal counts
    assert exp.top[0].times > exp.top[1].times > exp.top[2].times
    first_between_activities = next(t for t in exp.top if START not in (t.source, t.target)
                                    and END not in (t.source, t.target))

    # 1. the Demand page reads the upload as an event log: one demand per case
    demand = DemandPage(page, app_server.url).open()
    demand.upload(EVENTS_CSV)
    demand.expect_read_as_event_log(exp.cases, exp.events)

    # 2. how the work flows: the most frequent transitions, and the draft map drawn
    demand.open_flow_tab()
    expect(page.get_by_text(f"{exp.cases:,} cases, {exp.events:,} events.")).to_be_visible()
    for row in (0, 1):
        demand.expect_transition(row, exp.top[row].source, exp.top[row].target, exp.top[row].times)
    expect(demand.diagram_node(first_between_activities.source)).to_have_count(1)
    expect(demand.diagram_node(first_between_activities.target)).to_have_count(1)
    demand.expect_no_exception()
    ARTIFACTS.mkdir(exist_ok=True)
    demand.screenshot(ARTIFACTS / "eventlog-flow-tab.png")

    # 3. a draft map from the log, opened on the Flow page with its diagram
    demand.create_draft_map(DRAFT)
    flow = demand.open_draft_on_flow_page()
    flow.expect_open_map(DRAFT, version=1)
    expect(flow.diagram_node(first_between_activities.source)).to_have_count(1)
    expect(flow.diagram_node(first_between_activities.target)).to_have_count(1)
    flow.expect_no_exception()

    # 4. Compare: the draft (as-is) against the redesign; the measured as-is is the log's own
    flow.go_to("Compare")
    compare = ComparePage(page, app_server.url)
    compare.choose_designs([DRAFT, REDESIGN])
    compare.run_comparison()
    compare.expect_results_of([DRAFT, REDESIGN])
    compare.choose_as_is(DRAFT)
    expect(compare.fit_caption()).to_contain_text(
        f"Measured from {exp.cases:,} needs in the demand ({exp.cases:,} met, 0 still open)")
    expect(compare.fit_cell("End-to-end days (median)", "Measured")).to_have_text(_days_as_shown(exp.median_days))
    expect(compare.fit_cell("End-to-end days (median)", "Simulated")).to_have_text(re.compile(r"^\d+(\.\d+)?$"))
    compare.expect_no_exception()
    compare.screenshot(ARTIFACTS / "eventlog-compare.png")
