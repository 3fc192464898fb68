"""Event logs: reading (CSV, XES), the roll-up to one demand per case, directly-follows counts and variants,
bad input, the CLI. The expected figures are worked out here by plain Python loops over a hand-made log in
the conventions of pm4py's `running-example` (case:concept:name, concept:name, time:timestamp,
org:resource), independently of the vectorised code under test."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from guard import guarded_cli, guarded_python
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench import schema
from workbench.demand.read import read_table
from workbench.demand.report import DemandFileError
from workbench.eventlog import directly_follows, looks_like_event_log, read_log, rollup, summary, variants
from workbench.eventlog.analysis import END, START

# case, activity, time, resource: three cases, one with rework (examine twice) and one listed out of order
EVENTS = [
    ("1", "register request", "2010-12-30 11:02:00", "Pete"),
    ("1", "examine thoroughly", "2010-12-31 10:06:00", "Sue"),
    ("1", "check ticket", "2011-01-05 15:12:00", "Mike"),
    ("1", "decide", "2011-01-06 11:18:00", "Sara"),
    ("1", "reject request", "2011-01-07 14:24:00", "Pete"),
    ("2", "register request", "2010-12-30 11:32:00", "Mike"),
    ("2", "check ticket", "2010-12-30 12:12:00", "Mike"),
    ("2", "examine casually", "2010-12-30 14:16:00", "Sean"),
    ("2", "decide", "2011-01-05 11:22:00", "Sara"),
    ("2", "pay compensation", "2011-01-08 12:05:00", "Ellen"),
    ("3", "register request", "2010-12-30 14:32:00", "Pete"),
    ("3", "examine casually", "2010-12-30 15:06:00", "Mike"),
    ("3", "check ticket", "2010-12-30 16:34:00", "Ellen"),
    ("3", "decide", "2011-01-06 09:18:00", "Sara"),
    ("3", "reinitiate request", "2011-01-06 12:18:00", "Sara"),
    ("3", "examine thoroughly", "2011-01-06 13:06:00", "Sean"),
    ("3", "check ticket", "2011-01-08 11:43:00", "Pete"),
    ("3", "decide", "2011-01-09 09:55:00", "Sara"),
    ("3", "pay compensation", "2011-01-15 10:45:00", "Ellen"),
]


def _csv(rows: list[tuple[str, str, str, str]]) -> bytes:
    lines = ["case:concept:name,concept:name,time:timestamp,org:resource"]
    lines += [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def _by_case(rows: list[tuple[str, str, str, str]]) -> dict[str, list[tuple[str, datetime, str]]]:
    cases: dict[str, list[tuple[str, datetime, str]]] = {}
    for case, act, when, res in rows:
        cases.setdefault(case, []).append((act, datetime.fromisoformat(when), res))
    return {c: sorted(evs, key=lambda e: e[1]) for c, evs in cases.items()}


def test_rollup_one_demand_per_case_checked_by_hand() -> None:
    shuffled = EVENTS[:12] + [EVENTS[14], EVENTS[12], EVENTS[13]] + EVENTS[15:]  # case 3 out of order
    log = read_log(_csv(shuffled), "running-example.csv")
    demand = rollup(log)
    assert list(demand.columns[: len(schema.CLEAN_COLUMNS)]) == list(schema.CLEAN_COLUMNS)
    assert len(demand) == 3
    expected = _by_case(EVENTS)
    for case, evs in expected.items():
        got = demand[demand[schema.CASE_ID] == case].iloc[0]
        assert got[schema.RECEIVED_AT] == pd.Timestamp(evs[0][1])
        assert got[schema.RESOLVED_AT] == pd.Timestamp(evs[-1][1])
        assert got["events"] == len(evs)
        assert got["activities"] == len({a for a, _, _ in evs})
        assert got["rework"] == len(evs) - len({a for a, _, _ in evs})
        assert got["handoffs"] == sum(1 for a, b in zip(evs, evs[1:], strict=False) if a[2] != b[2])
    assert log.report.out_of_order_cases == 1 and log.report.out_of_order_events >= 1
    assert "out of time order" in " ".join(log.report.summary_lines())


def test_directly_follows_and_variants_checked_by_hand() -> None:
    log = read_log(_csv(EVENTS), "running-example.csv")
    dfg = directly_follows(log)
    expected: Counter[tuple[str, str]] = Counter()
    waits: dict[tuple[str, str], list[float]] = {}
    for evs in _by_case(EVENTS).values():
        names = [START, *(a for a, _, _ in evs), END]
        expected.update(zip(names, names[1:], strict=False))
        for a, b in zip(evs, evs[1:], strict=False):
            waits.setdefault((a[0], b[0]), []).append((b[1] - a[1]).total_seconds() / 3600)
    got = {(r["from"], r["to"]): int(r["count"]) for _, r in dfg.iterrows()}
    assert got == dict(expected)
    for pair, ws in waits.items():
        row = dfg[(dfg["from"] == pair[0]) & (dfg["to"] == pair[1])].iloc[0]
        assert row["median_wait_hours"] == pytest.approx(pd.Series(ws).median())
    var = variants(log)
    assert var["cases"].sum() == 3 and len(var) == 3
    assert var["variant"].iloc[0].startswith("register request")
    assert set(var["steps"]) == {5, 9}


def test_resolved_activity_and_summary() -> None:
    log = read_log(_csv(EVENTS), "running-example.csv")
    demand = rollup(log, resolved_activity="Pay compensation")
    assert demand[schema.RESOLVED_AT].notna().sum() == 2  # case 1 was rejected: never resolved that way
    data = summary(log, resolved_activity="pay compensation")
    assert data["cases"] == 3 and data["events"] == len(EVENTS) and data["completed_cases"] == 2
    assert data["end_to_end_days"]["median"] is not None


def test_bad_rows_are_set_aside_counted_and_said() -> None:
    rows = [*EVENTS[:5], EVENTS[4], ("", "decide", "2011-01-06 11:18:00", "Sara"),
            ("2", "decide", "not a date", "Sara"), *EVENTS[5:10], ("9", "register request", "2011-02-01 09:00", "Pete")]
    log = read_log(_csv(rows), "bad.csv")
    report = log.report
    assert report.duplicates == 1
    assert [s.row for s in report.set_aside] == [8, 9]  # header is row 1
    assert "no case id" in report.set_aside[0].reason and "not a date" in report.set_aside[1].reason
    assert report.single_event_cases == 1
    assert len(rollup(log)) == 3
    text = " ".join(report.summary_lines())
    assert "duplicate" in text and "set aside" in text


def test_a_case_whose_only_row_is_set_aside_is_not_a_case() -> None:
    rows = [*EVENTS[:2], ("7", "decide", "31/02/2011 10:00", "Sara"), *EVENTS[5:7]]
    log = read_log(_csv(rows), "gap.csv")
    assert [s.row for s in log.report.set_aside] == [4]
    demand = rollup(log)
    assert list(demand[schema.CASE_ID]) == ["1", "2"] and list(demand["events"]) == [2, 2]


def test_start_and_complete_timestamps_in_two_columns() -> None:
    text = ("Case ID,Activity,Resource,Start Timestamp,Complete Timestamp\n"
            "A,Register,Ann,2026-01-05 09:00,2026-01-05 09:20\n"
            "A,Repair,Bob,2026-01-06 10:00,2026-01-06 12:00\n"
            "B,Register,Ann,,2026-01-05 10:00\n")
    log = read_log(text.encode(), "disco.csv")
    assert log.report.mapping["timestamp"] == "Complete Timestamp"
    assert log.report.mapping["start"] == "Start Timestamp"
    demand = rollup(log)
    assert list(demand[schema.RECEIVED_AT]) == [pd.Timestamp("2026-01-05 09:00"), pd.Timestamp("2026-01-05 10:00")]
    assert demand[schema.RESOLVED_AT].iloc[0] == pd.Timestamp("2026-01-06 12:00")
    only_start = read_log(b"Case ID,Activity,Start Timestamp\nA,x,2026-01-05 09:00\nA,y,2026-01-05 10:00\n", "s.csv")
    assert only_start.report.mapping["timestamp"] == "Start Timestamp"


def test_lifecycle_start_events_time_not_sequence() -> None:
    text = ("case:concept:name,concept:name,time:timestamp,lifecycle:transition\n"
            "a,register,2026-01-05 09:00,start\na,register,2026-01-05 09:10,complete\n"
            "a,decide,2026-01-05 10:00,start\na,decide,2026-01-05 11:00,complete\n")
    log = read_log(text.encode(), "life.csv")
    assert log.report.not_complete == 2
    dfg = directly_follows(log)
    assert set(zip(dfg["from"], dfg["to"], strict=True)) == {(START, "register"), ("register", "decide"),
                                                            ("decide", END)}
    assert rollup(log)[schema.RECEIVED_AT].iloc[0] == pd.Timestamp("2026-01-05 09:00")


def test_helpdesk_style_names_and_looks_like_event_log() -> None:
    text = ("Case ID,Activity,Resource,Complete Timestamp,Variant,workgroup\n"
            "Case 1,Assign seriousness,Value 1,2012/10/09 14:50:17.000,Variant 1,Group A\n"
            "Case 1,Take in charge ticket,Value 1,2012/10/09 14:51:01.000,Variant 1,Group A\n"
            "Case 1,Closed,Value 2,2012/10/12 15:02:56.000,Variant 1,Group B\n")
    table = read_table(text.encode(), "helpdesk.csv")
    assert looks_like_event_log(table)
    demand_file = read_table(Path(__file__).parents[1] / "sample_data" / "housing_repairs_demand.csv")
    assert not looks_like_event_log(demand_file)
    log = read_log(text.encode(), "helpdesk.csv")
    assert log.report.mapping == {"case": "Case ID", "activity": "Activity", "timestamp": "Complete Timestamp",
                                  "resource": "Resource", "role": "workgroup"}
    assert rollup(log)["handoffs"].iloc[0] == 1


XES = """<?xml version="1.0" encoding="UTF-8" ?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <global scope="event"><string key="concept:name" value="__INVALID__"/></global>
  <trace>
    <string key="concept:name" value="1"/>
    <string key="channel" value="Phone"/>
    <event><string key="concept:name" value="register request"/><string key="org:resource" value="Pete"/>
      <date key="time:timestamp" value="2010-12-30T11:02:00.000+01:00"/></event>
    <event><string key="concept:name" value="decide"/><string key="org:resource" value="Sara"/>
      <date key="time:timestamp" value="2011-01-06T11:18:00.000+01:00"/>
      <list key="notes"><string key="concept:name" value="not an event attribute"/></list></event>
  </trace>
  <trace>
    <string key="concept:name" value="2"/>
    <event><string key="concept:name" value="register request"/><string key="org:resource" value="Mike"/>
      <date key="time:timestamp" value="2010-12-30T11:32:00.000+01:00"/></event>
  </trace>
</log>
"""


@pytest.mark.parametrize("packed", [False, True])
def test_xes_read(packed: bool) -> None:
    data = XES.encode()
    name = "small.xes"
    if packed:
        data, name = gzip.compress(data), "small.xes.gz"
    log = read_log(data, name)
    assert log.report.kind == "xes"
    demand = rollup(log)
    assert list(demand[schema.CASE_ID]) == ["1", "2"]
    assert list(demand[schema.TOUCHPOINT]) == ["Phone", "unknown"]
    assert list(variants(log)["cases"]) == [1, 1]
    assert set(log.events["activity"]) == {"register request", "decide"}


def test_xes_doctype_and_entities_refused() -> None:
    bomb = ('<?xml version="1.0"?>\n<!DOCTYPE log [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>\n'
            '<log><trace><string key="concept:name" value="&b;"/></trace></log>')
    with pytest.raises(DemandFileError, match="DOCTYPE"):
        read_log(bomb.encode(), "bomb.xes")


def test_truncated_xes_gz_says_so() -> None:
    data = gzip.compress((XES * 1).encode())
    with pytest.raises(DemandFileError, match="cut short"):
        read_log(data[: len(data) // 2], "cut.xes.gz")
    with pytest.raises(DemandFileError, match="cut short"):
        read_log(XES[: len(XES) // 2].encode(), "cut.xes")


def test_cli_log_summary(tmp_path: Path) -> None:
    path = tmp_path / "running-example.csv"
    path.write_bytes(_csv(EVENTS))
    result = guarded_cli("log", "summary", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["cases"] == 3 and data["events"] == len(EVENTS)
    assert data["report"]["events_used"] == len(EVENTS)
    assert data["top_variants"][0]["cases"] == 1
    text = guarded_cli("log", "summary", str(path))
    assert text.returncode == 0 and "End-to-end days" in text.stdout
    bad = tmp_path / "bad.xes"
    bad.write_text('<?xml version="1.0"?><!DOCTYPE log SYSTEM "http://example.com/x.dtd"><log/>')
    refused = guarded_cli("log", "summary", str(bad))
    assert refused.returncode == 2 and refused.no_traceback() and "DOCTYPE" in refused.stderr
    undated = guarded_cli("log", "summary", str(path), "--no-dates")
    assert undated.returncode == 2 and "without dates" in undated.stderr
    mapped = guarded_cli("log", "summary", str(path), "--map", "activity=nope")
    assert mapped.returncode == 2 and "no column 'nope'" in mapped.stderr


CELLS = st.text(alphabet=st.sampled_from(list("ab1,;\"\n :-/T0259")), max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(CELLS, CELLS, CELLS), max_size=12), st.booleans())
def test_log_reader_never_crashes(rows: list[tuple[str, str, str]], xes: bool) -> None:
    if xes:
        body = "".join(f'<trace><string key="concept:name" value="{a}"/><event><string key="concept:name" '
                       f'value="{b}"/><date key="time:timestamp" value="{c}"/></event></trace>'
                       for a, b, c in rows)
        data = f"<?xml version='1.0'?><log>{body}</log>".encode()
        name = "fuzz.xes"
    else:
        data = ("case,activity,timestamp\n" + "\n".join(",".join(r) for r in rows)).encode()
        name = "fuzz.csv"
    try:
        log = read_log(data, name)
    except DemandFileError as exc:
        assert str(exc)
        return
    demand = rollup(log)
    assert len(demand) == log.cases
    assert int(demand["events"].sum()) == int(log.events["complete"].sum())
    dfg = directly_follows(log)
    assert int(dfg.loc[dfg["from"] == START, "count"].sum()) == log.cases


SAMPLE = Path(__file__).parents[1] / "sample_data"


def test_sample_event_log_regenerates_the_same_bytes(tmp_path: Path) -> None:
    result = guarded_python(
        "import runpy, sys; sys.argv = ['x']; ns = runpy.run_path('sample_data/make_event_log.py', "
        "run_name='not_main'); import pandas as pd; from workbench.flow.model import load_map; "
        "d = pd.read_csv('sample_data/housing_repairs_demand.csv', dtype=str, keep_default_na=False)"
        ".replace({'': None}); m = load_map('process_maps/housing_repairs_standard_work.yaml'); "
        f"open({str(tmp_path / 'events.csv')!r}, 'w').write(ns['build'](d, m).to_csv(index=False, lineterminator='\\n'))",
        cwd=str(SAMPLE.parent), seconds=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "events.csv").read_bytes() == (SAMPLE / "housing_repairs_events.csv").read_bytes()


def test_sample_event_log_rolls_up_to_the_sample_demand() -> None:
    log = read_log(SAMPLE / "housing_repairs_events.csv")
    demand = rollup(log)
    sample = pd.read_csv(SAMPLE / "housing_repairs_demand.csv", dtype=str, keep_default_na=False)
    with_ref = sample[sample["case_id"] != ""]
    first = with_ref.groupby("case_id")["received_at"].min().map(pd.Timestamp)
    assert demand[schema.CASE_ID].is_unique
    assert len(demand) == with_ref["case_id"].nunique() + int((sample["case_id"] == "").sum())
    got = demand.set_index(schema.CASE_ID)[schema.RECEIVED_AT]
    assert (got.loc[first.index] == first).all()
    assert log.report.set_aside == [] and log.report.duplicates == 0


def test_excel_event_log(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Case ID", "Activity", "Timestamp", "Resource"])
    for case, act, when, res in EVENTS:
        sheet.append([case, act, datetime.fromisoformat(when), res])
    path = tmp_path / "log.xlsx"
    book.save(path)
    log = read_log(path)
    assert log.report.kind == "excel" and log.report.set_aside == []
    demand = rollup(log)
    assert list(demand["events"]) == [5, 5, 9]
    assert demand[schema.RECEIVED_AT].iloc[2] == pd.Timestamp("2010-12-30 14:32:00")


def test_xes_over_the_event_and_byte_limits_is_refused_in_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "small.xes.gz"
    path.write_bytes(gzip.compress(XES.encode()))
    events = guarded_cli("log", "summary", str(path), env={"WORKBENCH_MAX_DEMAND_ROWS": "2"})
    assert events.returncode == 2 and events.no_traceback()
    assert "WORKBENCH_MAX_DEMAND_ROWS" in events.stderr and "events" in events.stderr
    # 300 MB of spaces inside the log packs into a few hundred kB: counted as it unpacks, refused at the limit
    bomb = tmp_path / "bomb.xes.gz"
    with gzip.open(bomb, "wb") as out:
        out.write(b'<?xml version="1.0"?><log>')
        for _ in range(300):
            out.write(b" " * 1_000_000)
        out.write(b"</log>")
    refused = guarded_cli("log", "summary", str(bomb), env={"WORKBENCH_MAX_DEMAND_BYTES": "50000000"})
    assert refused.returncode == 2 and refused.no_traceback() and not refused.timed_out
    assert "WORKBENCH_MAX_DEMAND_BYTES" in refused.stderr and "unpacked" in refused.stderr


def _dated(events: list[tuple[int, str, int, str]], unit: str) -> list[tuple[str, str, str, str]]:
    """(case number, activity, time in `unit` after a Monday, resource) as the CSV's rows."""
    base = datetime(2026, 1, 5)
    return [(f"c{c}", a, str(base + pd.Timedelta(**{unit: t})), r) for c, a, t, r in events]


def _listed(rows: list[tuple[str, str, str, str]]) -> tuple[dict[str, list[tuple[str, str, str]]], int]:
    """Plain Python: per case in order of first appearance, its events as listed (time, activity, resource),
    exact duplicates dropped, and how many were dropped."""
    seen: set[tuple[str, str, str, str]] = set()
    listed: dict[str, list[tuple[str, str, str]]] = {}
    duplicates = 0
    for row in rows:
        if row in seen:
            duplicates += 1
            continue
        seen.add(row)
        listed.setdefault(row[0], []).append((row[2], row[1], row[3]))
    return listed, duplicates


STAMPS = st.integers(min_value=0, max_value=10_000)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 6), st.sampled_from("ABCD"), STAMPS, st.sampled_from(["x", "y", ""])),
                min_size=1, max_size=40))
def test_rollup_and_directly_follows_agree_with_plain_python(events: list[tuple[int, str, int, str]]) -> None:
    rows = _dated(events, "minutes")
    log = read_log(_csv(rows), "prop.csv")
    # plain Python: duplicates (case, activity, time, resource) dropped, each case in time order (file order
    # breaking ties)
    cases, _ = _listed(rows)
    for evs in cases.values():
        evs.sort(key=lambda e: e[0])
    demand = rollup(log).set_index(schema.CASE_ID)
    assert sorted(demand.index) == sorted(cases)
    for case, evs in cases.items():
        got = demand.loc[case]
        assert got[schema.RECEIVED_AT] == pd.Timestamp(evs[0][0])
        assert got[schema.RESOLVED_AT] == pd.Timestamp(evs[-1][0])
        assert got["events"] == len(evs) and got["activities"] == len({e[1] for e in evs})
        people = [e[2] for e in evs]
        assert got["handoffs"] == sum(1 for a, b in zip(people, people[1:], strict=False) if a and b and a != b)
    expected: Counter[tuple[str, str]] = Counter()
    for evs in cases.values():
        names = [START, *(e[1] for e in evs), END]
        expected.update(zip(names, names[1:], strict=False))
    dfg = directly_follows(log)
    assert {(f, t): int(c) for f, t, c in zip(dfg["from"], dfg["to"], dfg["count"], strict=True)} == dict(expected)
    assert int(variants(log)["cases"].sum()) == len(cases)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300), st.sampled_from(["x.xes", "x.xes.gz", "x.csv"]))
def test_any_bytes_are_read_or_refused_in_words(data: bytes, name: str) -> None:
    if name.endswith(".gz"):
        data = gzip.compress(b'<?xml version="1.0"?><log>' + data)
    try:
        log = read_log(data, name)
    except DemandFileError as exc:
        assert str(exc)
        return
    assert len(rollup(log)) == log.cases


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 5), st.sampled_from("AB"), st.integers(0, 6), st.sampled_from(["x", "y"])),
                min_size=1, max_size=40))
def test_duplicates_and_out_of_order_counts_agree_with_plain_python(events: list[tuple[int, str, int, str]]) -> None:
    """Few cases, activities and times, so ties, duplicates and events listed out of order are common."""
    rows = _dated(events, "hours")
    log = read_log(_csv(rows), "counts.csv")
    listed, duplicates = _listed(rows)
    back = {case: sum(1 for a, b in zip(evs, evs[1:], strict=False) if b[0] < a[0]) for case, evs in listed.items()}
    assert log.report.duplicates == duplicates
    assert log.report.out_of_order_events == sum(back.values())
    assert log.report.out_of_order_cases == sum(1 for v in back.values() if v)
    # the events as kept: cases in order of first appearance, each in time order with file order breaking ties
    expected = [(case, pd.Timestamp(e[0]), e[1], e[2]) for case, evs in listed.items()
                for e in sorted(evs, key=lambda e: e[0])]
    ev = log.events
    got = list(zip(ev["case"].astype(str), ev["timestamp"], ev["activity"].astype(str),
                   ev["resource"].astype(str), strict=True))
    assert got == expected
    assert list(ev["case_code"]) == [list(listed).index(case) for case, *_ in expected]


def test_distinct_activities_are_the_same_counted_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """A flag table per case and activity (the usual way) and hashing (for logs too wide for it) agree."""
    from workbench.eventlog import analysis

    log = read_log(_csv(EVENTS), "running-example.csv")
    flags = rollup(log)["activities"].tolist()
    monkeypatch.setattr(analysis, "FLAG_TABLE_CELLS", 0)
    assert rollup(log)["activities"].tolist() == flags == [len({a for a, _, _ in evs})
                                                           for evs in _by_case(EVENTS).values()]
