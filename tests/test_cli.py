"""The command line: `workbench demand summary|export`, checked against figures computed independently."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import openpyxl
import pytest
import yaml

from workbench import cli

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "housing_repairs_demand.csv"
CATALOGUE = ROOT / "sample_data" / "housing_repairs_catalogue.yaml"
MESSY_CSV = ROOT / "sample_data" / "messy_upload.csv"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def summary_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    code, out, err = run(capsys, "demand", "summary", *argv, "--format", "json")
    assert code == 0, err
    return json.loads(out)


# ------------------------------------------------------------------------------------------ independent


def independent_sample() -> dict:
    """The bundled sample's figures with the csv module, the catalogue YAML and plain Python."""
    with SAMPLE.open(encoding="utf-8", newline="") as fh:
        records = list(csv.DictReader(fh))
    nature_of = {t["type"]: t["nature"] for t in yaml.safe_load(CATALOGUE.read_text("utf-8"))["types"]}
    totals = Counter()
    by_tp: dict[str, Counter] = defaultdict(Counter)
    by_type: dict[str, Counter] = defaultdict(Counter)
    weeks: dict[dt.date, Counter] = defaultdict(Counter)
    for r in records:
        nature = r["nature"] or nature_of.get(r["demand_type"], "") or "unclassified"
        totals[nature] += 1
        by_tp[r["touchpoint"]][nature] += 1
        by_type[r["demand_type"] or "Not yet typed"][nature] += 1
        day = dt.datetime.strptime(r["received_at"], "%Y-%m-%d %H:%M").date()
        weeks[day - dt.timedelta(days=day.weekday())][nature] += 1
    types = []
    for name, c in by_type.items():
        classified = {k: c[k] for k in ("value", "failure") if c[k]}
        nature = max(classified, key=lambda k: (classified[k], k == "value")) if classified else "unclassified"
        types.append({"demand_type": name, "nature": nature, "count": sum(c.values())})
    weekly = []
    for start in sorted(weeks):
        c = weeks[start]
        share = c["failure"] / (c["value"] + c["failure"])
        weekly.append({"week_start": start.isoformat(), "total": sum(c.values()), "share": share})
    return {"records": records, "totals": totals, "by_tp": by_tp, "types": types, "weekly": weekly}


def xmr_signals(values: list[float], lower: float = 0.0, upper: float = 1.0) -> list[list[str]]:
    """Wheeler's three rules written out from DOMAIN.md, for one phase."""
    n = len(values)
    mean = sum(values) / n
    mr_bar = sum(abs(b - a) for a, b in zip(values, values[1:], strict=False)) / (n - 1)
    lcl, ucl = max(mean - 2.66 * mr_bar, lower), min(mean + 2.66 * mr_bar, upper)
    sigma = mr_bar / 1.128
    out: list[list[str]] = [[] for _ in values]
    for i, v in enumerate(values):
        if v < lcl or v > ucl:
            out[i].append("outside the limits")
    side = [(v > mean) - (v < mean) for v in values]
    run_flags = [False] * n
    i = 0
    while i < n:
        j = i
        while j < n and side[j] == side[i]:
            j += 1
        if side[i] != 0 and j - i >= 8:
            for k in range(i, j):
                run_flags[k] = True
        i = j
    near = [False] * n
    for beyond in ([v > mean + 1.5 * sigma for v in values], [v < mean - 1.5 * sigma for v in values]):
        for start in range(n - 3):
            if sum(beyond[start:start + 4]) >= 3:
                for k in range(start, start + 4):
                    near[k] = near[k] or beyond[k]
    for i in range(n):
        if run_flags[i]:
            out[i].append("8 or more in a row on one side")
        if near[i]:
            out[i].append("3 of 4 near a limit")
    return out


@pytest.fixture(scope="module")
def expected() -> dict:
    return independent_sample()


# ------------------------------------------------------------------------------------------ summary


def test_summary_json_of_the_bundled_sample(capsys: pytest.CaptureFixture[str], expected: dict) -> None:
    data = summary_json(capsys, SAMPLE, "--catalogue", CATALOGUE)
    totals = expected["totals"]
    assert data["rows"] == len(expected["records"]) == 2532
    assert data["set_aside"] == []
    assert (data["value"], data["failure"], data["unclassified"]) == (
        totals["value"], totals["failure"], totals["unclassified"])
    assert data["failure_share"] == round(totals["failure"] / (totals["value"] + totals["failure"]), 4)
    assert data["by_touchpoint"] == {
        tp: {n: c[n] for n in ("value", "failure", "unclassified")} for tp, c in expected["by_tp"].items()}
    assert len(data["catalogue_conflicts"]) == 3
    # by_type: same entries, most common first.
    counts = [t["count"] for t in data["by_type"]]
    assert counts == sorted(counts, reverse=True)
    key = lambda t: t["demand_type"]  # noqa: E731
    assert sorted(data["by_type"], key=key) == sorted(expected["types"], key=key)


def test_summary_weekly_with_signals(capsys: pytest.CaptureFixture[str], expected: dict) -> None:
    data = summary_json(capsys, SAMPLE, "--catalogue", CATALOGUE)
    weekly = data["weekly"]
    assert [w["week_start"] for w in weekly] == [w["week_start"] for w in expected["weekly"]]
    assert len(weekly) == 12
    assert all(dt.date.fromisoformat(w["week_start"]).weekday() == 0 for w in weekly)
    assert [w["total"] for w in weekly] == [w["total"] for w in expected["weekly"]]
    assert [w["failure_share"] for w in weekly] == [round(w["share"], 4) for w in expected["weekly"]]
    assert [w["signals"] for w in weekly] == xmr_signals([w["share"] for w in expected["weekly"]])


def test_split_at_computes_limits_per_phase(capsys: pytest.CaptureFixture[str], expected: dict) -> None:
    data = summary_json(capsys, SAMPLE, "--catalogue", CATALOGUE, "--split-at", "2026-02-16")
    shares = [w["share"] for w in expected["weekly"]]
    assert expected["weekly"][6]["week_start"] == "2026-02-16"
    assert [w["signals"] for w in data["weekly"]] == xmr_signals(shares[:6]) + xmr_signals(shares[6:])
    whole = summary_json(capsys, SAMPLE, "--catalogue", CATALOGUE)
    assert [w["signals"] for w in whole["weekly"]] == xmr_signals(shares)
    # The sample's story: one set of limits over the redesign reacts to the step change; split, it is quiet.
    assert any("outside the limits" in w["signals"] for w in whole["weekly"])
    assert all(w["signals"] == [] for w in data["weekly"])


def test_summary_text(capsys: pytest.CaptureFixture[str], expected: dict) -> None:
    code, out, err = run(capsys, "demand", "summary", SAMPLE, "--catalogue", CATALOGUE)
    assert code == 0 and err == ""
    assert "Read 2,532 rows from housing_repairs_demand.csv; using 2,532." in out
    assert "Demand: 2,532 from 2026-01-05 to 2026-03-29" in out
    totals = expected["totals"]
    assert f"value {totals['value']:,}   failure {totals['failure']:,}" in out
    assert "3 row(s) disagree with the catalogue" in out
    assert "  2026-01-05 " in out and "  2026-03-23 " in out


def test_map_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("Logged when,Route,V or F?\n2026-01-05 09:00,Phone,V\n2026-01-06 10:00,Email,F\n"
                    "2026-01-06 11:00,Email,F\n", encoding="utf-8")
    code, _, err = run(capsys, "demand", "summary", path, "--format", "json")
    assert code == 2 and err.startswith("workbench: odd.csv: no date column")
    data = summary_json(capsys, path, "--map", "received_at=Logged when", "--map", "touchpoint=Route",
                        "--map", "nature=V or F?")
    assert data["rows"] == 3
    assert data["mapping"] == {"received_at": "Logged when", "touchpoint": "Route", "nature": "V or F?"}
    assert data["by_touchpoint"] == {"Email": {"value": 0, "failure": 2, "unclassified": 0},
                                     "Phone": {"value": 1, "failure": 0, "unclassified": 0}}
    assert data["failure_share"] == round(2 / 3, 4)


def test_sheet_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Week 1"
    first.append(["Date received", "Channel"])
    first.append([dt.datetime(2026, 1, 5, 9), "Phone"])
    second = book.create_sheet("Week 2")
    second.append(["Date received", "Channel"])
    for day in (12, 13, 14):
        second.append([dt.datetime(2026, 1, day, 9), "Letter"])
    path = tmp_path / "weeks.xlsx"
    book.save(path)
    assert summary_json(capsys, path)["rows"] == 1
    data = summary_json(capsys, path, "--sheet", "Week 2")
    assert data["rows"] == 3
    assert (data["first_date"], data["last_date"]) == ("2026-01-12", "2026-01-14")
    assert data["by_touchpoint"] == {"Letter": {"value": 0, "failure": 0, "unclassified": 3}}
    code, _, err = run(capsys, "demand", "summary", path, "--sheet", "Week 3")
    assert code == 2
    assert err.splitlines() == [err.rstrip("\n")]
    assert err.startswith("workbench: weeks.xlsx: no sheet named 'Week 3'; sheets are: Week 1, Week 2")


def test_dayfirst_and_monthfirst(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ambiguous.csv"
    path.write_text("Date received,Channel\n01/02/2026,Phone\n03/02/2026,Phone\n02/03/2026,Phone\n",
                    encoding="utf-8")
    auto = summary_json(capsys, path)
    day = summary_json(capsys, path, "--dayfirst")
    month = summary_json(capsys, path, "--monthfirst")
    assert (day["first_date"], day["last_date"]) == ("2026-02-01", "2026-03-02")
    assert day["date_order"] == "day-first"
    assert (auto["first_date"], auto["last_date"]) == ("2026-02-01", "2026-03-02")  # ambiguous: day-first
    assert (month["first_date"], month["last_date"]) == ("2026-01-02", "2026-03-02")
    assert month["date_order"] == "month-first"
    assert [w["week_start"] for w in month["weekly"]][0] == "2025-12-29"  # Fri 2 Jan 2026's Monday


def test_set_aside_rows_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    data = summary_json(capsys, MESSY_CSV, "--catalogue", CATALOGUE)
    assert [s["row"] for s in data["set_aside"]] == [43, 176, 267]
    assert all(set(s) == {"row", "reason"} for s in data["set_aside"])
    assert "not known" in data["set_aside"][0]["reason"]
    assert data["rows"] == 297
    assert data["unknown_types"] == {"Parking permit": 2}


# ------------------------------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"", "empty.csv", "empty.csv: the file is empty"),
        (b"Date received,Channel\n", "header.csv", "header.csv: there is a header row but no data rows"),
        (b"%PDF-1.4\n", "scan.csv", "scan.csv: this is a PDF"),
        (b"Channel\nPhone\n", "nodate.csv", "nodate.csv: no date column"),
    ],
)
def test_unusable_input_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              content: bytes, name: str, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    code, out, err = run(capsys, "demand", "summary", path, "--format", "json")
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith(f"workbench: {expected}")


def test_missing_file_bad_map_and_bad_catalogue(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "demand", "summary", tmp_path / "missing.csv")
    assert (code, err) == (2, "workbench: missing.csv: file not found.\n")
    code, _, err = run(capsys, "demand", "summary", SAMPLE, "--map", "received_at")
    assert code == 2 and len(err.splitlines()) == 1 and err.startswith("workbench: --map needs FIELD=COLUMN")
    code, _, err = run(capsys, "demand", "summary", SAMPLE, "--map", "received_at=Nope")
    assert code == 2 and len(err.splitlines()) == 1 and "'Nope'" in err
    bad = tmp_path / "cat.yaml"
    bad.write_text("types:\n  - type: A\n    nature: perhaps\n", encoding="utf-8")
    code, _, err = run(capsys, "demand", "summary", SAMPLE, "--catalogue", bad)
    assert code == 2 and len(err.splitlines()) == 1
    assert err.startswith("workbench: cat.yaml, line 2:")


# ------------------------------------------------------------------------------------------ export


def test_export_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str], expected: dict) -> None:
    out_path = tmp_path / "clean.csv"
    code, out, err = run(capsys, "demand", "export", SAMPLE, "--catalogue", CATALOGUE, "--out", out_path)
    assert code == 0, err
    assert out.strip() == f"Wrote 2,532 rows to {out_path}"
    data = out_path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) == len(expected["records"])
    assert Counter(r["nature"] for r in rows) == expected["totals"]
    assert "touchpoint_key" not in rows[0]
    assert [r["case_id"] for r in rows] == [r["case_id"] for r in expected["records"]]


def test_export_xlsx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_path = tmp_path / "clean.xlsx"
    code, out, err = run(capsys, "demand", "export", MESSY_CSV, "--catalogue", CATALOGUE, "--out", out_path)
    assert code == 0, err
    assert "Wrote 297 rows" in out
    book = openpyxl.load_workbook(out_path, read_only=True)
    assert book.sheetnames == ["Demand", "Set aside"]
    demand = list(book["Demand"].iter_rows(values_only=True))
    aside = list(book["Set aside"].iter_rows(values_only=True))
    assert len(demand) == 1 + 297
    assert len(aside) == 1 + 3
    header = list(demand[0])
    assert header[0] == "row"
    assert [r[header.index("row")] for r in aside[1:]] == [43, 176, 267]
    book.close()


# ------------------------------------------------------------------------------------------ subprocess


def _workbench_executable() -> str:
    beside = Path(sys.executable).parent / "workbench"
    if beside.exists():
        return str(beside)
    found = shutil.which("workbench")
    if not found:
        pytest.skip("the workbench console script is not installed")
    return found


def test_console_script_matches_main(capsys: pytest.CaptureFixture[str], expected: dict) -> None:
    argv = ["demand", "summary", str(SAMPLE), "--catalogue", str(CATALOGUE), "--format", "json"]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([_workbench_executable(), *argv], capture_output=True, text=True, timeout=120,
                          env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    from_process = json.loads(done.stdout)
    assert from_process == summary_json(capsys, *argv[2:-2])
    assert from_process["rows"] == len(expected["records"])


def test_console_script_unusable_input(tmp_path: Path) -> None:
    path = tmp_path / "junk.csv"
    path.write_bytes(b"\x00\x01\x02binary\x00" * 50)
    done = subprocess.run([_workbench_executable(), "demand", "summary", str(path)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [done.stderr.rstrip("\n")]
    assert done.stderr.startswith("workbench: junk.csv: this looks like a binary file")


def test_app_opens_the_study_database_first(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    """A database that cannot be opened is one line and exit 2 before any server starts; a good one is
    migrated and named, then Streamlit is started with the app."""
    monkeypatch.setenv("WORKBENCH_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    started: list[list[str]] = []
    monkeypatch.setattr(cli, "_serve", lambda command, env=None: started.append(command) or 0)
    code, _, err = run(capsys, "app", "--headless")
    assert code == 2 and started == []
    assert err.startswith("workbench: the study database could not be opened") and err.count("\n") == 1
    monkeypatch.setenv("WORKBENCH_DATABASE_URL", f"sqlite:///{tmp_path / 'w.db'}")
    code, _, err = run(capsys, "app", "--headless", "--port", "8123")
    assert code == 0 and (tmp_path / "w.db").exists()
    assert "(schema 0006)" in err
    (command,) = started
    assert command[1:4] == ["-m", "streamlit", "run"] and command[command.index("--server.port") + 1] == "8123"


# ------------------------------------------------------------------------------------------ reading options

CALLS = ("date,vru_entry,ser_time,type\n"
         "990201,7:02:47,120,PS\n"
         "990201,13:50:00,90,PS\n"
         "990208,1:50 PM,30,NE\n")
COMPLAINTS = "Product,Consumer complaint narrative\nMortgage,charged twice\nCard,no letter\nCard,where is it\n"
STANDARD_MAP = ROOT / "process_maps" / "housing_repairs_standard_work.yaml"


def test_every_command_that_reads_demand_takes_the_same_reading_options(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    calls = tmp_path / "calls.csv"
    calls.write_text(CALLS, encoding="utf-8")
    options = ["--map", "received_at=date+vru_entry", "--date-format", "%y%m%d", "--handling-unit", "minutes",
               "--timezone", "Europe/London"]
    data = summary_json(capsys, calls, *options)
    assert (data["rows"], data["first_date"], data["last_date"]) == (3, "1999-02-01", "1999-02-08")
    assert data["date_notes"] == [
        "Dates in 'date' read with the format '%y%m%d' as given: 3 of 3 ('990201').",
        "Times received joined from two columns: the date from 'date' and the time of day from 'vru_entry' "
        "('7:02:47'), for 3 of 3 rows."]
    assert data["mapping"] == {"received_at": "date", "demand_type": "type", "handling_minutes": "ser_time",
                               "received_time": "vru_entry"}
    assert "Handling times in 'ser_time' read as minutes, as chosen." in data["notes"]

    out = tmp_path / "calls_out.csv"
    code, _, err = run(capsys, "demand", "export", calls, *options, "--out", out)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r["received_at"][:19] for r in rows] == ["1999-02-01 07:02:47", "1999-02-01 13:50:00",
                                                     "1999-02-08 13:50:00"]
    assert [float(r["handling_minutes"]) for r in rows] == [120.0, 90.0, 30.0]  # minutes, as chosen

    code, out_text, err = run(capsys, "map", "show", STANDARD_MAP, "--demand", calls, *options,
                              "--format", "json")
    assert code == 0, err
    assert int(json.loads(out_text)["totals"]["demands"]) == 3
    code, _, err = run(capsys, "compare", STANDARD_MAP, "--demand", calls, "--map", "received_at=nothing+here")
    assert code == 2 and "there is no column 'nothing'" in err  # compare reads with the options too


def test_no_dates_reads_counts_and_words_and_says_what_is_not_available(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    complaints = tmp_path / "complaints.csv"
    complaints.write_text(COMPLAINTS, encoding="utf-8")
    code, _, err = run(capsys, "demand", "summary", complaints)
    assert code == 2 and "--no-dates" in err
    data = summary_json(capsys, complaints, "--no-dates")
    assert (data["rows"], data["dated"], data["weekly"], data["first_date"]) == (3, False, [], None)
    assert data["no_dates"].startswith("This demand was read without dates")
    assert [(t["demand_type"], t["count"]) for t in data["by_type"]] == [("Card", 2), ("Mortgage", 1)]
    code, text, _ = run(capsys, "demand", "summary", complaints, "--no-dates")
    assert code == 0 and "Demand: 3 (read without dates)" in text and "Week starting" not in text
    code, _, err = run(capsys, "compare", STANDARD_MAP, "--demand", complaints, "--no-dates")
    assert code == 2 and "needs a date column" in err


@pytest.mark.parametrize(("flag", "value", "words"), [
    ("--timezone", "Mars/Base", "'Mars/Base' is not a time zone"),
    ("--date-format", "dd/mm/yyyy", "'dd/mm/yyyy' is not a date format"),
])
def test_bad_reading_options_are_refused_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     flag: str, value: str, words: str) -> None:
    calls = tmp_path / "calls.csv"
    calls.write_text(CALLS, encoding="utf-8")
    code, out, err = run(capsys, "demand", "summary", calls, flag, value)
    assert code == 2 and out == "" and words in err and len(err.strip().splitlines()) == 1


# ------------------------------------------------------------------------------------------ event logs
def test_demand_summary_warns_when_the_file_is_an_event_log(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Read as a demand file, an event log counts every event as a demand: the summary still runs, and says so
    on stderr, naming the command that reads it one demand per case."""
    path = tmp_path / "tickets_log.csv"
    path.write_text("Case ID,Activity,Date\n"
                    "C1,Log ticket,2026-03-02 09:00\nC1,Resolve,2026-03-02 11:00\n"
                    "C2,Log ticket,2026-03-03 10:00\nC2,Triage,2026-03-03 10:30\nC2,Resolve,2026-03-04 09:00\n",
                    encoding="utf-8")
    code, out, err = run(capsys, "demand", "summary", path, "--format", "json")
    assert code == 0
    assert json.loads(out)["rows"] == 5  # read as asked: one demand per row
    assert err.startswith("warning: tickets_log.csv looks like an event log")
    assert f"'workbench log summary {path}'" in err and "--event-log" in err
    assert "Read as an event log" in err
    code, out, err = run(capsys, "demand", "summary", path)
    assert code == 0 and "looks like an event log" in err and "looks like an event log" not in out
    code, out, err = run(capsys, "demand", "summary", path, "--event-log", "--format", "json")
    assert code == 0 and err == "" and json.loads(out)["rows"] == 2  # read as asked: one demand per case


def test_demand_summary_warns_for_a_history_export(capsys: pytest.CaptureFixture[str]) -> None:
    """A history export (one row per field change) names no activity column, yet is an event log."""
    path = Path(__file__).parent / "exports" / "event_logs" / "jira_issue_history.csv"
    code, _, err = run(capsys, "demand", "summary", path, "--format", "json")
    assert code == 0 and err.startswith("warning: jira_issue_history.csv looks like an event log")


def test_the_warning_comes_before_an_event_log_fails_as_a_demand_file(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """A PM4Py table has no column a demand file's date goes by: the warning explains the error after it."""
    path = tmp_path / "log.csv"
    path.write_text("case:concept:name,concept:name,time:timestamp\n"
                    "1,a,2026-03-02 09:00\n1,b,2026-03-02 10:00\n2,a,2026-03-02 11:00\n", encoding="utf-8")
    code, out, err = run(capsys, "demand", "summary", path)
    assert code != 0 and out == ""
    first, second = err.splitlines()[:2]
    assert first.startswith("warning: log.csv looks like an event log")
    assert second.startswith("workbench: log.csv:")


def test_demand_summary_of_a_demand_file_has_no_event_log_warning(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "demand", "summary", SAMPLE, "--catalogue", CATALOGUE, "--format", "json")
    assert code == 0 and err == ""


@pytest.mark.parametrize("argv", [
    ["demand", "export", "sample_data/messy_upload.csv", "--out", "{missing}/rows.csv"],
    ["map", "draw", "process_maps/housing_repairs_worker_led.yaml", "-o", "{missing}/map.svg"],
])
def test_an_output_in_a_missing_folder_is_a_sentence_and_nothing_is_written(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str]) -> None:
    missing = tmp_path / "no such folder"
    argv = [a.replace("{missing}", str(missing)) for a in argv]
    argv = [str(ROOT / a) if a.startswith(("sample_data/", "process_maps/")) else a for a in argv]
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert err.strip() == f"workbench: cannot write {argv[-1]}: No such file or directory"
    assert not missing.exists()
