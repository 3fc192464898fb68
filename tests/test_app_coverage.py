"""Maps that do not fit the study's demand (AppTest): the Flow and Compare pages say how far each map knows
this demand; Compare does not run by itself below the coverage the person asks for, and a run made anyway
is marked low coverage. Expected figures are recounted from the files with plain csv/yaml reading."""

from __future__ import annotations

import csv
from pathlib import Path

import yaml
from app_pages import DemandScreen, Screen, open_app

ROOT = Path(__file__).resolve().parent.parent
BENEFITS = ROOT / "sample_data" / "benefits_demand.csv"
CATALOGUE = ROOT / "process_maps" / "catalogues" / "housing_repairs_catalogue.yaml"


def _known_share() -> float:
    with BENEFITS.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["received_at"].strip()]
    listed = {t["type"].casefold() for t in yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))["types"]}
    return sum(1 for r in rows if r["demand_type"].strip().casefold() in listed) / len(rows)


def test_another_services_demand_is_not_compared_by_itself_and_a_run_anyway_says_low_coverage() -> None:
    demand = DemandScreen(open_app(author="Ann", timeout=180))
    demand.use_sample_catalogue(False)
    demand.upload(BENEFITS.name, BENEFITS.read_bytes())
    demand.assert_no_exception()
    at = demand.at
    at.switch_page("views/compare.py").run()
    page = Screen(at)
    page.assert_no_exception()
    share = f"{_known_share():.0%}"
    assert page.says("warning", f"Housing repairs - as is knows the type of {share} of this demand")
    assert page.says("info", "does not run by itself")
    assert not any("resolved at first contact" in s.value for s in at.success)  # nothing ran
    page.press("Run the comparison anyway")
    page.assert_no_exception()
    assert page.says("warning", "Low coverage")
    assert any("resolved at first contact" in s.value for s in at.success)
    # the person can lower the coverage a map needs: then it runs by itself, without the warning
    at.number_input(key=next(k for k in at.session_state if str(k).startswith("cmp_coverage_"))).set_value(0).run()
    assert not page.says("warning", "Low coverage")


def test_the_flow_page_says_how_far_the_map_fits_the_demand() -> None:
    demand = DemandScreen(open_app(author="Ann", timeout=180))
    demand.use_sample_catalogue(False)
    demand.upload(BENEFITS.name, BENEFITS.read_bytes())
    at = demand.at
    at.switch_page("views/flow.py").run()
    page = Screen(at)
    page.assert_no_exception()
    assert page.says("warning", "This map does not fit this demand well")
    assert page.says("warning", "It has never heard of")


def test_a_run_made_anyway_is_stored_and_shown_on_the_dashboard_as_low_coverage() -> None:
    from app_helpers import in_sample_study

    from workbench.store import studies

    demand = DemandScreen(open_app(author="Ann", timeout=180))
    demand.use_sample_catalogue(False)
    demand.upload(BENEFITS.name, BENEFITS.read_bytes())
    at = demand.at
    at.switch_page("views/compare.py").run()
    Screen(at).press("Run the comparison anyway")
    Screen(at).press("Show on the dashboard")
    run = in_sample_study(studies.latest_comparison_run)
    assert run is not None and run.settings["low_coverage"] == ["Housing repairs - as is", "Housing repairs - redesign"]
    at.switch_page("views/dashboard.py").run()
    page = Screen(at)
    page.assert_no_exception()
    assert page.says("warning", "Low coverage")


def test_a_comparison_of_one_day_of_demand_all_open_gives_a_page() -> None:
    data = (b"received_at,touchpoint,demand_type,nature\n2026-01-05 09:00,Phone,Report a leak,value\n"
            b"2026-01-05 10:00,Phone,Chasing a repair,failure\n2026-01-05 11:00,Phone,Report a leak,value\n")
    demand = DemandScreen(open_app(author="Ann", timeout=180))
    demand.upload("one_day.csv", data)
    at = demand.at
    at.switch_page("views/compare.py").run()
    page = Screen(at)
    page.assert_no_exception()
    assert any("resolved at first contact" in s.value for s in at.success)  # it ran by itself: the maps know it
    text = " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.success, *at.info, *at.warning])
    assert " nan" not in text and "NaN" not in text


def test_a_design_that_resolves_nothing_in_the_period_says_so_instead_of_a_chart() -> None:
    import dataclasses

    from app_helpers import in_sample_study

    from workbench.flow.model import Duration, parse_map, to_yaml
    from workbench.store import studies

    at = open_app(author="Ann", timeout=240)
    saved = in_sample_study(lambda s, sid: studies.get_map_version(s, sid, "Housing repairs - redesign"))
    m = parse_map(saved.yaml_text, "redesign.yaml")
    long_wait = Duration(min=1000, likely=1000, max=1000, unit="days")  # before every step: nothing finishes
    m.steps = [dataclasses.replace(step, wait=long_wait) for step in m.steps]
    in_sample_study(lambda s, sid: studies.save_map_version(s, sid, saved.name, to_yaml(m), "Ann", saved.version,
                                                            "a thousand days' wait before the first step"))
    at.switch_page("views/compare.py").run()
    page = Screen(at)
    page.assert_no_exception()
    radio = next(r for r in at.radio if r.label == "Design")
    radio.set_value("Housing repairs - redesign").run()
    page.assert_no_exception()
    assert page.says("info", "No demand was resolved in the period in Housing repairs - redesign")
    assert page.says("info", "still open at the end of the run are not in it")
