"""History, audit and event exports of real systems read as event logs with no options but the time zone:
ServiceNow sys_audit and metric_instance, Jira's issue history, Zendesk's ticket field history, a Salesforce
Case History report, Disco, PM4Py (plain and gzipped), XES (gzipped), the BPI Challenge 2014 layout. The
files are made by tests/exports/make_event_logs.py (shaped like each export, every value made up); what is
read is compared with that script's own cases and events, and the history exports also with a plain
`csv` reading of the file.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections import Counter
from pathlib import Path

import pytest

from workbench.demand.reading import ReadOptions
from workbench.eventlog import EventLogError, directly_follows, read_log, rollup
from workbench.eventlog.xes import is_xes

from exports.make_event_logs import HERE, LogExport, build

EXPORTS = build()

EXPECTED_MAPPING: dict[str, dict[str, str]] = {
    "servicenow_sys_audit.csv": {"case": "documentkey", "activity": "newvalue", "timestamp": "sys_created_on",
                                 "resource": "user"},
    "servicenow_metric_instance.csv": {"case": "id", "activity": "field_value", "timestamp": "end",
                                       "start": "start"},
    "jira_issue_history.csv": {"case": "issue_id", "activity": "to_string", "timestamp": "created_date",
                               "resource": "author_id"},
    "jira_rest_changelog.csv": {"case": "key", "activity": "toString", "timestamp": "created", "resource": "author"},
    "zendesk_ticket_field_history.csv": {"case": "ticket_id", "activity": "value", "timestamp": "updated",
                                         "resource": "user_id"},
    "salesforce_case_history_report.csv": {"case": "Case Number", "activity": "New Value", "timestamp": "Edit Date",
                                           "resource": "Edited By", "customer_words": "Subject"},
    "disco_export.csv": {"case": "Case ID", "activity": "Activity", "timestamp": "Complete Timestamp",
                         "start": "Start Timestamp", "resource": "Resource"},
    "pm4py_log.csv": {"case": "case:concept:name", "activity": "concept:name", "timestamp": "time:timestamp",
                      "resource": "org:resource", "lifecycle": "lifecycle:transition", "touchpoint": "case:channel"},
    "pm4py_log.csv.gz": {"case": "case:concept:name", "activity": "concept:name", "timestamp": "time:timestamp",
                         "resource": "org:resource", "lifecycle": "lifecycle:transition",
                         "touchpoint": "case:channel"},
    "helpdesk_log.xes.gz": {"case": "case:concept:name", "activity": "concept:name", "timestamp": "time:timestamp",
                            "resource": "org:resource", "lifecycle": "lifecycle:transition"},
    "bpic2014_incident_activity.csv": {"case": "Incident ID", "activity": "IncidentActivity_Type",
                                       "timestamp": "DateStamp", "role": "Assignment Group"},
}


def _read(export: LogExport):  # type: ignore[no-untyped-def]
    return read_log(HERE / export.name, options=ReadOptions(timezone=export.timezone))


def _pairs(export: LogExport) -> Counter[tuple[str, str]]:
    """Directly-follows counts from the script's own cases: (start) -> first, each step, last -> (end)."""
    out: Counter[tuple[str, str]] = Counter()
    for case in export.cases:
        acts = ["(start)", *(e.activity for e in case.events), "(end)"]
        out.update(zip(acts[:-1], acts[1:], strict=True))
    return out


def test_the_script_makes_the_committed_files_byte_for_byte() -> None:
    on_disk = {p.name for p in HERE.iterdir() if p.is_file()}
    assert on_disk == set(EXPORTS) == set(EXPECTED_MAPPING)
    for name, export in EXPORTS.items():
        assert (HERE / name).read_bytes() == export.data, f"{name}: run python tests/exports/make_event_logs.py"


def test_every_log_has_100_to_400_events() -> None:
    for export in EXPORTS.values():
        assert 100 <= export.truth_rows <= 400, export.name
        assert export.truth_rows == sum(len(c.events) for c in export.cases)


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_each_export_is_read_as_the_cases_it_holds(name: str) -> None:
    export = EXPORTS[name]
    log = _read(export)
    assert log.report.mapping == EXPECTED_MAPPING[name]
    assert log.cases == len(export.cases)
    assert log.report.events_used == export.truth_rows
    assert len(log.report.set_aside) == export.set_aside
    assert log.report.duplicates == 0

    demand = rollup(log)
    assert len(demand) == len(export.cases)
    first = export.cases[0]
    assert demand["case_id"].iloc[0] == first.case
    assert demand["received_at"].iloc[0] == min(e.start or e.at for e in first.events)
    assert demand["resolved_at"].iloc[0] == first.events[-1].at
    assert list(demand["case_id"]) == [c.case for c in export.cases]
    assert list(demand["events"]) == [len(c.events) for c in export.cases]


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_directly_follows_counts_match_the_cases(name: str) -> None:
    export = EXPORTS[name]
    flows = directly_follows(_read(export))
    got = {(str(f), str(t)): int(n) for f, t, n in zip(flows["from"], flows["to"], flows["count"], strict=True)}
    expected = _pairs(export)
    assert got == dict(expected)
    # the most frequent pair between two activities (not the start or end of a case)
    inner = sorted(((n, f, t) for (f, t), n in expected.items() if "(start)" not in (f, t) and "(end)" not in (f, t)),
                   key=lambda x: (-x[0], x[1], x[2]))
    real = flows[(flows["from"] != "(start)") & (flows["to"] != "(end)")].iloc[0]
    assert (real["from"], real["to"], int(real["count"])) == (inner[0][1], inner[0][2], inner[0][0])


def _csv_rows(name: str, encoding: str = "utf-8") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((HERE / name).read_bytes().decode(encoding))))


@pytest.mark.parametrize(("name", "field", "new", "case", "status", "created", "encoding"), [
    ("servicenow_sys_audit.csv", "fieldname", "newvalue", "documentkey", "state", None, "utf-8"),
    ("jira_issue_history.csv", "field", "to_string", "issue_id", "status", None, "utf-8"),
    ("jira_rest_changelog.csv", "field", "toString", "key", "status", None, "utf-8"),
    ("zendesk_ticket_field_history.csv", "field_name", "value", "ticket_id", "status", None, "utf-8"),
    ("salesforce_case_history_report.csv", "Field / Event", "New Value", "Case Number", "Status", "Created.",
     "utf-8-sig"),
])
def test_a_history_export_keeps_the_rows_that_change_the_status(name: str, field: str, new: str, case: str,
                                                                 status: str, created: str | None,
                                                                 encoding: str) -> None:
    """Counted with the csv module: the status rows (and the creation rows) are the events, their new value
    the activity; every other field's rows, and a report's footer, are left out and said so."""
    rows = _csv_rows(name, encoding)
    kept = [r for r in rows if r.get(field) in {status, created}]
    others = [r for r in rows if r.get(field) and r[field] not in {status, created}]
    log = _read(EXPORTS[name])
    assert log.report.events_used == len(kept)
    assert log.cases == len({r[case] for r in kept})
    expected_acts = Counter("Created" if r[field] == created else r[new] for r in kept)
    assert Counter(str(a) for a in log.events["activity"]) == expected_acts
    note = next(n for n in log.report.notes if n.startswith("A history export"))
    assert f"'{field}' is the status" in note
    assert f"{len(others):,} row(s) changing other fields" in note


def test_the_salesforce_report_footer_is_left_out_not_set_aside() -> None:
    export = EXPORTS["salesforce_case_history_report.csv"]
    log = _read(export)
    assert log.report.set_aside == []
    note = next(n for n in log.report.notes if n.startswith("A history export"))
    assert f"{export.extra['footer_rows']} row(s) naming no field (blank lines, report totals or footers)" in note
    assert any("month/day/year" in n for n in log.report.date_notes)


def test_open_metric_instances_are_set_aside_for_their_blank_end() -> None:
    export = EXPORTS["servicenow_metric_instance.csv"]
    log = _read(export)
    blank_end = [i + 2 for i, r in enumerate(_csv_rows(export.name)) if not r["end"]]
    assert [s.row for s in log.report.set_aside] == blank_end
    assert all("end" in s.reason for s in log.report.set_aside)


def test_a_sys_audit_list_newest_first_is_put_in_time_order() -> None:
    log = _read(EXPORTS["servicenow_sys_audit.csv"])
    assert log.report.out_of_order_cases == len(EXPORTS["servicenow_sys_audit.csv"].cases)


def test_a_gzipped_csv_reads_as_the_csv_it_holds() -> None:
    plain = _read(EXPORTS["pm4py_log.csv"])
    packed = _read(EXPORTS["pm4py_log.csv.gz"])
    assert packed.report.kind == "csv"
    assert packed.events.drop(columns=["row"]).equals(plain.events.drop(columns=["row"]))
    assert packed.report.notes[0] == f"Unpacked from gzip: {len(EXPORTS['pm4py_log.csv'].data):,} bytes of CSV."


def test_only_xes_names_or_xml_content_are_xes() -> None:
    csv_gz = EXPORTS["pm4py_log.csv.gz"].data
    xes_gz = EXPORTS["helpdesk_log.xes.gz"].data
    assert not is_xes(csv_gz, "log.csv.gz")
    assert not is_xes(csv_gz, "log.gz")
    assert is_xes(xes_gz, "log.xes.gz")
    assert is_xes(xes_gz, "log.gz")  # gzip whose content starts with <?xml
    assert is_xes(gzip.compress(b"<log xes.version='1.0'></log>"), "export.gz")
    assert not is_xes(b"case,activity,timestamp\n", "log.csv")


def test_a_gzipped_csv_is_held_to_the_byte_limit_once_unpacked(monkeypatch: pytest.MonkeyPatch) -> None:
    data = EXPORTS["pm4py_log.csv.gz"].data
    monkeypatch.setenv("WORKBENCH_MAX_DEMAND_BYTES", "5000")  # the packed file (2.5 kB) is under it
    assert len(data) < 5000
    with pytest.raises(EventLogError, match=r"pm4py_log\.csv\.gz \(unpacked\).*WORKBENCH_MAX_DEMAND_BYTES"):
        read_log(data, "pm4py_log.csv.gz")


def test_a_gzip_bomb_is_refused_without_unpacking_it_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_MAX_DEMAND_BYTES", "1000000")
    bomb = gzip.compress(b"case,activity,timestamp\n" + b"1,a,2026-03-02 09:00\n" * 2_000_000, mtime=0)
    assert len(bomb) < 1_000_000
    with pytest.raises(EventLogError, match="unpacked"):
        read_log(bomb, "bomb.csv.gz")


def test_a_cut_gzipped_csv_says_so(tmp_path: Path) -> None:
    data = EXPORTS["pm4py_log.csv.gz"].data
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(EventLogError, match="cut short or damaged"):
        read_log(path)


def test_a_history_export_with_an_activity_named_is_read_as_mapped() -> None:
    """--map activity=COLUMN wins: every row is an event, the history rule stays out."""
    export = EXPORTS["salesforce_case_history_report.csv"]
    log = read_log(HERE / export.name, options=ReadOptions(mapping_pairs=(("activity", "Field / Event"),)))
    assert not any(n.startswith("A history export") for n in log.report.notes)
    rows = _csv_rows(export.name, "utf-8-sig")
    assert log.report.events_read == len(rows)


def test_the_demand_reader_takes_a_gzipped_csv_too() -> None:
    """The app previews every upload with the demand reader before it is read as an event log, and a demand
    export may come gzipped as well: both read the CSV inside."""
    from workbench.demand.load import load_demand, read_table

    plain = read_table(HERE / "pm4py_log.csv")
    packed = read_table(HERE / "pm4py_log.csv.gz")
    assert packed.kind == "csv" and packed.frame.equals(plain.frame)
    demand = HERE.parent / "servicenow_incident.csv"
    loaded = load_demand(gzip.compress(demand.read_bytes(), mtime=0), "servicenow_incident.csv.gz")
    assert loaded.frame.equals(load_demand(demand).frame)


@pytest.mark.parametrize(("columns", "found"), [
    (["Case Number", "Edited By", "Field / Event", "Old Value", "New Value", "Edit Date"],
     ("Field / Event", "New Value")),
    (["documentkey", "fieldname", "oldvalue", "newvalue", "user", "sys_created_on"], ("fieldname", "newvalue")),
    (["key", "created", "author", "field", "fromString", "toString"], ("field", "toString")),
    (["issue_id", "created_date", "field", "from", "from_string", "to", "to_string"], ("field", "to_string")),
    (["ticket_id", "field_name", "updated", "user_id", "value"], ("field_name", "value")),
    (["Case ID", "Activity", "Field", "New Value", "Timestamp"], None),  # an activity column of its own
    (["case", "field", "timestamp"], None),  # no new value
    (["case", "value", "timestamp"], None),  # no field
])
def test_the_columns_of_a_history_export(columns: list[str], found: tuple[str, str] | None) -> None:
    from workbench.eventlog.columns import history_columns

    assert history_columns(columns) == found


def test_a_history_export_looks_like_an_event_log_a_demand_file_does_not() -> None:
    import pandas as pd

    from workbench.eventlog import looks_like_event_log

    history = pd.DataFrame({"issue_id": ["1", "1", "2"], "field": ["status"] * 3, "to_string": ["a", "b", "a"],
                            "created_date": ["2026-03-02T09:00:00Z"] * 3})
    assert looks_like_event_log(history)
    assert not looks_like_event_log(history.assign(issue_id=["1", "2", "3"]))  # one row per case
