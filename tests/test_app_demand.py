"""The Demand page through Streamlit's AppTest: what a user sees after each step."""

from __future__ import annotations

import csv

import pytest
from app_pages import DemandScreen, open_app
from streamlit.testing.v1 import AppTest

from independent import MESSY_CSV, SAMPLE_CSV, messy_expected, sample_expected


@pytest.fixture
def at() -> AppTest:
    return open_app()


@pytest.fixture
def demand(at: AppTest) -> DemandScreen:
    return DemandScreen(at)


def test_opens_on_the_sample_with_its_headline_figures(at: AppTest, demand: DemandScreen) -> None:
    exp = sample_expected()
    assert demand.headline("Demands") == f"{exp.rows:,}"
    assert demand.headline("Value demand") == f"{exp.value:,}"
    assert demand.headline("Failure demand") == f"{exp.failure:,}"
    assert demand.headline("Not yet classified") == f"{exp.unclassified:,}"
    assert demand.headline("Failure demand share") == f"{exp.failure_share:.0%}"
    assert any("(sample)" in h.value for h in at.subheader)
    assert any("Housing repairs sample" in c.value for c in at.caption)  # the sample study
    assert not at.error


def test_uploading_a_messy_csv_reports_set_aside_rows_and_updates_tiles(at: AppTest, demand: DemandScreen) -> None:
    exp = messy_expected()
    demand.upload(MESSY_CSV.name, MESSY_CSV.read_bytes())
    demand.assert_no_exception()
    assert demand.headline("Demands") == f"{exp.rows:,}"
    # the catalogue choice (the sample catalogue, ticked at first start) carries over to the upload
    report = demand.warnings()
    for row in exp.set_aside_rows:
        assert str(row) in report
    assert "Set aside" in report
    # mapping was recognised from the team's own column names
    labels = {s.label: s.value for s in at.selectbox}
    assert labels["Date received (needed)"] == "Date received"
    assert labels["Touchpoint"] == "Channel"
    assert labels["Value or failure"] == "V/F"


def test_catalogue_fills_value_and_failure_and_can_be_switched_off(at: AppTest, demand: DemandScreen) -> None:
    exp = messy_expected()
    demand.upload(MESSY_CSV.name, MESSY_CSV.read_bytes())
    # a file of one's own is not read with the sample's catalogue unless the person says so
    assert demand.catalogue_checkbox().value is False
    demand.use_sample_catalogue(True)
    assert demand.headline("Value demand") == f"{exp.value:,}"
    assert demand.headline("Failure demand") == f"{exp.failure:,}"
    assert demand.headline("Not yet classified") == f"{exp.unclassified:,}"
    demand.use_sample_catalogue(False)
    assert not at.exception
    without = messy_expected(use_catalogue=False)
    assert without.unclassified > exp.unclassified
    assert demand.headline("Not yet classified") == f"{without.unclassified:,}"
    assert demand.headline("Value demand") == f"{without.value:,}"


def test_a_file_without_a_date_column_is_refused_and_the_sample_stays(at: AppTest, demand: DemandScreen) -> None:
    data = b"Where,What\nPhone,leak\nEmail,boiler\n"
    demand.upload("nodates.csv", data)
    assert not at.exception
    errors = demand.errors()
    assert "nodates.csv" in errors and "no date column" in errors
    assert demand.headline("Demands") == f"{sample_expected().rows:,}"  # nothing the user had is lost


def test_mapping_a_column_by_hand_loads_the_file(at: AppTest, demand: DemandScreen) -> None:
    data = b"Stamp,Where,Said\n05/01/2026 09:00,Phone,leak\n06/01/2026 10:00,Email,boiler\n07/01/2026,Phone,x\n"
    demand.upload("odd.csv", data)
    assert "no date column" in demand.errors()
    demand.choose("Date received (needed)", "Stamp")
    demand.choose("Touchpoint", "Where")
    assert not at.exception
    assert not at.error
    assert demand.headline("Demands") == "3"
    assert any("odd.csv" in h.value for h in at.subheader)


def test_correcting_a_row_updates_the_headline(at: AppTest, demand: DemandScreen) -> None:
    exp = sample_expected()
    assert demand.editor_version == 0
    # the editor lists demands in file order: its first row is the sample's first data row
    with SAMPLE_CSV.open(encoding="utf-8", newline="") as f:
        first = next(csv.DictReader(f))
    old = first["nature"]
    assert old in ("value", "failure")
    new = "failure" if old == "value" else "value"
    demand.correct(row=0, field="nature", value=new)
    demand.assert_no_exception()
    value, failure, unclassified = exp.value, exp.failure, exp.unclassified
    counts = {"value": value, "failure": failure, "unclassified": unclassified}
    counts[old] -= 1
    counts[new] += 1
    assert demand.headline("Failure demand") == f"{counts['failure']:,}"
    assert demand.headline("Value demand") == f"{counts['value']:,}"
    assert demand.says("success", "Saved: 1 correction(s)")
    # a new session (a refresh, another person) finds it saved in the study
    fresh = DemandScreen(open_app())
    assert fresh.headline("Failure demand") == f"{counts['failure']:,}"
    # undo puts it back, as a new correction (history is kept)
    demand.undo()
    assert demand.headline("Failure demand") == f"{exp.failure:,}"


def _type_counts(demand: DemandScreen) -> dict[str, int]:
    frame = next(d.value for d in demand.at.get("dataframe")
                 if "decision" in d.value.columns and "examples" in d.value.columns)
    return {str(t): int(n) for t, n in zip(frame["type"], frame["demands"], strict=True)}


def test_a_type_correction_reaches_the_types_table_and_a_value_failure_one_leaves_it(
        at: AppTest, demand: DemandScreen) -> None:
    # The types table is kept between corrections that cannot change it (value/failure, cause): this checks
    # that a type correction still reaches it, and that the other kind really leaves it as it was.
    with SAMPLE_CSV.open(encoding="utf-8", newline="") as f:
        first = next(csv.DictReader(f))
    before = _type_counts(demand)
    old_type = first["demand_type"]
    assert old_type in before
    demand.correct(row=0, field="nature", value="failure" if first["nature"] == "value" else "value")
    demand.assert_no_exception()
    assert demand.says("success", "Saved: 1 correction(s)")
    assert _type_counts(demand) == before
    new_type = next(t for t in before if t != old_type and t != "(no type)")
    demand.correct(row=0, field="demand_type", value=new_type)
    demand.assert_no_exception()
    after = _type_counts(demand)
    expected = dict(before)
    expected[old_type] -= 1
    expected[new_type] += 1
    assert {t: n for t, n in after.items() if n} == {t: n for t, n in expected.items() if n}


def test_reading_the_file_differently_keeps_the_corrections() -> None:
    """A new date order (or mapping, sheet, header row) for the same file is stored on that file: its rows
    are the same rows, so the corrections made on them stay."""
    from workbench.store import db, studies
    from workbench.store.sample import SAMPLE_STUDY

    demand = DemandScreen(open_app())
    demand.correct(row=0, field="nature", value="unclassified")
    failure = demand.headline("Failure demand")
    demand.choose("Dates are written", "day-first")
    demand.assert_no_exception()
    assert demand.headline("Failure demand") == failure
    assert demand.says("success", "Saved: 1 correction(s)")
    engine = db.engine_for()
    try:
        with db.sessions(engine)() as s:
            found = studies.find_study(s, SAMPLE_STUDY)
            assert found is not None
            current = studies.current_demand_source(s, found.id, with_data=False)
            assert current is not None and current.date_order == "day-first"
            assert len(studies.correction_log(s, found.id)) == 1
    finally:
        engine.dispose()


def test_an_earlier_file_can_be_used_again_with_its_corrections() -> None:
    exp, messy = sample_expected(), messy_expected()
    demand = DemandScreen(open_app(author="Ann"))
    demand.correct(row=0, field="nature", value="unclassified")
    assert demand.headline("Failure demand") == f"{exp.failure - 1:,}"
    demand.upload(MESSY_CSV.name, MESSY_CSV.read_bytes())
    assert demand.headline("Demands") == f"{messy.rows:,}"  # the new file, without the sample's correction
    pick = demand.selectbox("Earlier demand files of this study")
    assert "housing_repairs_demand.csv" in pick.options[0] and "1 correction(s)" in pick.options[0]
    demand.press("Use this file again")
    demand.assert_no_exception()
    assert demand.headline("Demands") == f"{exp.rows:,}"
    assert demand.headline("Failure demand") == f"{exp.failure - 1:,}"  # its correction came back with it
    assert demand.says("success", "Saved: 1 correction(s)")


# ------------------------------------------------------------------------------------------ reading options

COMPLAINTS = (b"Product,Consumer complaint narrative,Submitted via\n"
              b"Mortgage,I was charged twice,Web\nCredit card,No letter came,Phone\nCredit card,Where is my card,Web\n")
CALLS = (b"date,vru_entry,ser_time,type\n"
         b"990201,7:02:47,120,PS\n990201,13:50:00,90,PS\n990208,1:50 PM,30,NE\n")


def test_a_file_without_dates_loads_when_the_person_says_so(at: AppTest, demand: DemandScreen) -> None:
    demand.upload("complaints.csv", COMPLAINTS)
    assert "No dates in this file" in demand.errors() or "--no-dates" in demand.errors()
    assert demand.headline("Demands") == f"{sample_expected().rows:,}"  # refused: the sample stays
    demand.read_without_dates()
    demand.assert_no_exception()
    assert not at.error
    assert demand.headline("Demands") == "3"
    assert demand.headline("Not yet classified") == "3"
    infos = " ".join(i.value for i in at.info)
    assert "read without dates" in infos  # the charts over time say why they are not there
    report = " ".join(i.value for i in at.info) + demand.warnings()
    assert "Read without dates, as asked" in report
    # the touchpoint column of a complaints export is the touchpoint, not the type
    labels = {s.label: s.value for s in at.selectbox}
    assert labels["Touchpoint"] == "Submitted via" and labels["Demand type"] == "Product"
    # stored with the study: a new session reads it the same way; Compare says why it cannot run
    again = open_app()
    assert DemandScreen(again).headline("Demands") == "3"
    compare = open_app("compare")
    assert "read without dates" in " ".join(i.value for i in compare.info)
    assert not compare.exception


def test_date_format_time_column_and_handling_unit_are_chosen_in_the_panel(at: AppTest,
                                                                           demand: DemandScreen) -> None:
    demand.upload("calls.csv", CALLS)
    demand.assert_no_exception()
    assert demand.headline("Demands") == "3"  # YYMMDD read without being told
    demand.choose("Time received (own column)", "vru_entry")
    demand.assert_no_exception()
    report = " ".join(i.value for i in at.info) + demand.warnings()
    assert ("Times received joined from two columns: the date from 'date' and the time of day from 'vru_entry' "
            "('7:02:47'), for 3 of 3 rows.") in report
    assert "Handling times in 'ser_time' read as seconds (its name says so)" in report
    demand.handling_unit("minutes")
    report = " ".join(i.value for i in at.info) + demand.warnings()
    assert "Handling times in 'ser_time' read as minutes, as chosen." in report
    demand.date_format("%y%m%d")
    report = " ".join(i.value for i in at.info) + demand.warnings()
    assert "Dates in 'date' read with the format '%y%m%d' as given: 3 of 3 ('990201')." in report
    demand.date_format("%d/%m/%Y")  # a format that reads nothing: refused, what was shown stays
    assert "does not fit" in demand.errors() or "reads with the date format '%d/%m/%Y'" in demand.errors()
    assert demand.headline("Demands") == "3"
    demand.time_zone("Europe/London")
    demand.assert_no_exception()


# ------------------------------------------------------------------------------------------ end to end


def test_end_to_end_tab_shows_the_customers_clock_of_the_sample(at: AppTest, demand: DemandScreen) -> None:
    from e2e_expected import independent, percentile, sample_catalogue

    exp = independent(SAMPLE_CSV.read_text(encoding="utf-8"), sample_catalogue())
    met = [n["days"] for n in exp["needs"].values() if n["met"]]
    still_open = len(exp["needs"]) - len(met)
    assert demand.headline("Half of needs met within") == f"{percentile(met, 50):,.1f} days"
    assert demand.headline("85 in 100 met within") == f"{percentile(met, 85):,.1f} days"
    assert demand.headline("95 in 100 met within") == f"{percentile(met, 95):,.1f} days"
    assert demand.headline("Needs still open") == f"{still_open:,}" and still_open > 0
    assert demand.says("caption", f"{len(exp['needs']):,} needs: {len(met):,} met, {still_open:,} still open")
    titles = demand.chart_titles("End to end")
    assert any(t.startswith("Capability: average days") and "week" in t for t in titles)
    assert "How long customers wait for their need to be met" in titles
    assert "Share of needs met within so many days" in titles
    for spec in demand.chart_specs("End to end"):  # aggregated frames only: never a row per demand
        assert all(len(rows) < 400 for rows in spec.get("datasets", {}).values())
    # the repeat contacts: suggested as failure demand, never applied
    suggested = [r for r in exp["repeats"] if r["nature"] != "failure"]
    assert demand.says("info", f"These {len(suggested):,} later contacts are about needs already raised")
    assert demand.headline("Failure demand") == f"{sample_expected().failure:,}"  # nothing changed
    table = demand.table_with("Demand type of the later contact")
    assert int(table["Later contacts"].sum()) == len(exp["repeats"])
    assert int(table["Suggested"].sum()) == len(suggested)
    # by type, then by touchpoint; per day; split before / after a change
    assert "Demand type" in demand.table_with("Median days").columns
    demand.end_to_end_by("Touchpoint")
    by_touchpoint = demand.table_with("Median days").set_index("Touchpoint")
    phone = [n["days"] for n in exp["needs"].values() if n["met"] and n["touchpoint"] == "Phone"]
    assert by_touchpoint.loc["Phone", "Median days"] == pytest.approx(percentile(phone, 50))
    assert int(by_touchpoint["Still open"].sum()) == still_open
    demand.end_to_end_by("Value or failure")
    assert set(demand.table_with("Median days")["Value or failure"]) <= {"value", "failure", "unclassified"}
    demand.end_to_end_per("Day")
    demand.end_to_end_split()
    demand.assert_no_exception()
    # by the day a need arrived (until issue 14: the day it was met, which on a short sample charts only the
    # quick needs and climbs at its end)
    assert any("by the day it arrived" in t for t in demand.chart_titles("End to end"))


def test_the_capability_chart_says_which_arrival_days_it_covers_and_its_mean(demand: DemandScreen) -> None:
    """The caption and subtitle name the window of arrival days worked out here again in plain Python
    (Kaplan-Meier run-out, then the last day whose needs all had that long), and the caption's average is the
    mean of exactly the needs that arrived in it and were met."""
    import datetime as dt

    from e2e_expected import independent

    exp = independent(SAMPLE_CSV.read_text(encoding="utf-8"))
    needs = list(exp["needs"].values())
    received = [(n["met_at"] if n["met"] else exp["as_of"]) - dt.timedelta(days=n["days"]) for n in needs]
    survival, run_out = 1.0, None
    for t in sorted({n["days"] for n in needs if n["met"]}):
        waiting = sum(1 for n in needs if n["days"] >= t)
        survival *= 1 - sum(1 for n in needs if n["met"] and n["days"] == t) / waiting
        if survival <= 0.05 + 1e-9:
            run_out = t
            break
    assert run_out is not None
    first = min(received).replace(hour=0, minute=0, second=0, microsecond=0)
    span = (exp["as_of"] - first).total_seconds() / 86400
    last = first + dt.timedelta(days=int(span - run_out - 1))
    charted = [n["days"] for n, r in zip(needs, received, strict=True) if n["met"] and r < last + dt.timedelta(days=1)]
    words = f"Needs that arrived from {first.day} {first:%b} to {last.day} {last:%b}; later arrivals had not had time"
    assert demand.says("caption", f"Average {sum(charted) / len(charted):.1f} days, the mean of the {len(charted):,} "
                                  "needs charted")
    assert demand.says("caption", words)
    spec = next(s for s in demand.chart_specs("End to end") if isinstance(s.get("title"), dict)
                and s["title"]["text"].startswith("Capability: average days"))
    subtitle = " ".join(spec["title"]["subtitle"])
    assert words in subtitle
    assert "Limits are provisional: drawn from" in subtitle  # about 9 weeks: fewer than 20 points


def test_end_to_end_without_dates_or_resolved_dates_says_why(at: AppTest, demand: DemandScreen) -> None:
    from workbench.demand import end_to_end

    demand.upload("no_resolved.csv", b"received_at,touchpoint,demand_type,case_id\n"
                                     b"2026-03-02 09:00,Phone,Leak,C1\n2026-03-03 09:00,Phone,Chasing,C1\n"
                                     b"2026-03-04 09:00,Email,Door,C2\n")
    demand.assert_no_exception()
    assert demand.headline("Demands") == "3"
    assert demand.says("info", end_to_end.NO_RESOLVED[:60])
    assert "Half of needs met within" not in demand.headline_labels()
    assert demand.says("markdown", "1 contacts (33% of demand) came after the first contact of 1 cases")
    demand.upload("complaints.csv", COMPLAINTS)
    demand.read_without_dates()
    demand.assert_no_exception()
    assert demand.says("info", end_to_end.NO_DATES[:60])
    assert demand.chart_titles("End to end") == []
