"""Failure demand a redesign is assumed to prevent, on the Compare page and the managers' dashboard (AppTest):
the person says which failure demand a design prevents and how much; the headline and the table say what was
assumed and show the design with and without it; after "Show on the dashboard" the dashboard says the same,
with what else the comparison assumed (demand, staffing per role by name, the maps' versions)."""

from __future__ import annotations

import csv
from pathlib import Path

import yaml
from app_helpers import in_sample_study
from app_pages import Screen, open_app
from streamlit.testing.v1 import AppTest

from workbench.app.text import literal

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "housing_repairs_demand.csv"
CATALOGUE = ROOT / "sample_data" / "housing_repairs_catalogue.yaml"
REDESIGN_MAP = ROOT / "process_maps" / "housing_repairs_worker_led.yaml"
AS_IS, REDESIGN = "Housing repairs - as is", "Housing repairs - redesign"
WITHOUT = f"{REDESIGN} (nothing prevented)"
ASSUMED = "Failure demand assumed prevented"


def _chasing() -> int:
    """The sample's demands whose type the study's catalogue says is progress chasing, counted with csv/yaml."""
    types = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))["types"]
    chasing = {t["type"].casefold() for t in types if t.get("cause") == "progress chasing"}
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        return sum(1 for r in csv.DictReader(f) if r["demand_type"].strip().casefold() in chasing)


def _table(at: AppTest):  # noqa: ANN202 - a DataFrame
    return next(t.value for t in at.table if "Measure" in t.value.columns).set_index("Measure")


def _first(cell: str) -> float:
    return float(cell.split()[0].rstrip("%").replace(",", ""))


def test_an_assumed_prevention_is_in_the_headline_the_table_and_on_the_dashboard() -> None:
    from workbench.store import studies

    at = open_app("compare", author="Ann", timeout=240)
    page = Screen(at)
    assert ASSUMED not in _table(at).index  # nothing assumed: no such row, no extra design
    # roles are compared by name on the Compare page's utilisation rows
    roles = yaml.safe_load(REDESIGN_MAP.read_text(encoding="utf-8"))["roles"]
    assert {f"Utilisation: {r['name']}" for r in roles} <= set(_table(at).index)
    assert not any(f"Utilisation: {r['id']}" in _table(at).index for r in roles)

    # the team's assumption: the redesign prevents 80% of progress chasing (the default share offered)
    next(n for n in at.number_input if n.label == "Replications").set_value(2)
    at.multiselect(key=f"cmp_prevent_{REDESIGN}").set_value(["cause=progress chasing"]).run()
    share = next(n for n in at.number_input if n.label == f"% of progress chasing that {REDESIGN} prevents")
    assert share.value == 80
    assert page.says("warning", "settings have changed")
    page.press("Run the comparison")
    page.assert_no_exception()

    headline = at.success[0].value
    assert f"{REDESIGN} (assumes 80% of progress chasing is prevented)" in headline
    assert f"{REDESIGN} assumes 80% of progress chasing is prevented: with it," in headline
    assert "without it (the whole sample)" in headline
    assert "The 95% intervals cover service times only" in headline
    assert "nan" not in headline.lower().replace("nance", "")
    table = _table(at)
    assert list(table.columns[:3]) == [AS_IS, REDESIGN, WITHOUT]
    assert table.index[0] == ASSUMED
    assert table.loc[ASSUMED, AS_IS] == "none"
    assert table.loc[ASSUMED, WITHOUT] == "none: the same design on the whole sample"
    words = table.loc[ASSUMED, REDESIGN]
    assert words.startswith("80% of progress chasing (on average ")
    left_out = int(words.split("on average ")[1].split()[0].replace(",", ""))
    chasing = _chasing()
    assert 0.7 * chasing < left_out < 0.9 * chasing  # about 80% of the sample's progress chasing
    # the same demands every replication: the interval of the demands run has no width
    run = table.loc["Demands of the sample run"]
    total = int(_first(run[AS_IS]))
    assert _first(run[WITHOUT]) == total
    assert run[REDESIGN] == f"{total - left_out:,}  ({total - left_out:,} to {total - left_out:,})"
    # less failure demand arrives, fewer staff hours on it
    hours = table.loc["Staff hours on failure demand"]
    assert _first(hours[REDESIGN]) < _first(hours[WITHOUT])
    assert table.loc["The 95% intervals cover", AS_IS] == "service times only"

    # published: stored with its settings, and the dashboard says what was assumed
    page.press("Show on the dashboard")
    page.assert_no_exception()
    stored = in_sample_study(studies.latest_comparison_run)
    assert stored is not None
    assert stored.settings["prevented"] == {REDESIGN: [{"cause": "progress chasing", "share": 0.8}]}
    assert stored.settings["vary_arrivals"] is False
    at.switch_page("views/dashboard.py").run()
    board = Screen(at)
    board.assert_no_exception()
    assert any(f"{REDESIGN} (assumes 80% of progress chasing is prevented)" in s.value for s in at.success)
    said = " ".join(m.value for m in at.markdown)
    assert literal(f"Failure demand assumed prevented: {REDESIGN} assumes 80% of progress chasing is "
                   "prevented.") in said
    weeks = stored.summary["weeks"]
    assert literal(f"Demand: the sample's own {weeks:g} weeks, day by day, at the sample's own volume; "
                   "2 replication(s), the 95% intervals cover service times only") in said
    staffing = ", ".join(f"{r['name']} {r['staff']:g}" for r in roles)
    assert literal(f"Staffing of {REDESIGN}: {staffing}.") in said
    assert literal(f"Maps: {AS_IS} (version 1), {REDESIGN} (version 1).") in said
    shown = _table(at)
    assert shown.loc[ASSUMED, REDESIGN] == table.loc[ASSUMED, REDESIGN]
    assert shown.loc["Demands of the sample run", REDESIGN] == run[REDESIGN]
    assert {f"Utilisation: {r['name']}" for r in roles} <= set(shown.index)


def test_an_old_stored_comparison_without_these_keys_still_opens_on_the_dashboard() -> None:
    from workbench.store import db, studies
    from workbench.store.sample import SAMPLE_STUDY

    at = open_app("compare", author="Ann", timeout=240)
    Screen(at).press("Show on the dashboard")
    stored = in_sample_study(studies.latest_comparison_run)
    assert stored is not None
    summary = {k: v for k, v in stored.summary.items() if k not in ("vary_arrivals", "arrivals_vary",
                                                                     "intervals_cover")}
    summary["designs"] = [{k: v for k, v in d.items() if k not in ("prevented", "assumption", "variant_of",
                                                                   "left_out", "roles")}
                          for d in summary["designs"]]
    ids: dict[str, str] = {}
    for row in summary["table"]:  # utilisation rows by role id, as they were stored then
        if row["metric"].startswith("utilisation_"):
            row["metric"] = ids.setdefault(row["metric"], f"utilisation_role{len(ids) + 1}")
    settings = {k: v for k, v in stored.settings.items() if k not in ("prevented", "vary_arrivals")}
    settings["staffing"] = {REDESIGN: {"coordinator": 5}}
    engine = db.engine_for()
    try:
        with db.sessions(engine)() as s:
            found = studies.find_study(s, SAMPLE_STUDY)
            assert found is not None
            studies.save_comparison_run(s, found.id, settings, summary, "Ann")
    finally:
        engine.dispose()
    at.switch_page("views/dashboard.py").run()
    board = Screen(at)
    board.assert_no_exception()
    assert not board.says("warning", "cannot be shown")
    said = " ".join(m.value for m in at.markdown)
    assert literal("Failure demand assumed prevented: not recorded (stored before Workbench asked); none was "
                   "left out.") in said
    assert literal(f"{REDESIGN}: coordinator 5") in said  # by id: the names were not kept then
    assert ASSUMED not in _table(at).index
