"""Write small event logs shaped like the history, audit and event exports of real systems: their column
names and order, quoting, encodings, line ends, date formats, report footers and the rows that change other
fields. Every row is made up here, from a fixed seed: nothing is copied from any system or data set. Where
each layout comes from is in docs/event-log-sources.md.

    python tests/exports/make_event_logs.py       # rewrites the files in tests/exports/event_logs/

tests/test_event_log_exports.py checks that this script gives the committed files byte for byte and reads
each one. Its expectations come from `LogExport.cases`: this script's own cases and events (what each case
went through, before it was written out in the system's format), in the order each case first appears in
the file.
"""

from __future__ import annotations

import csv
import gzip
import io
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import quoteattr

HERE = Path(__file__).resolve().parent / "event_logs"
START = datetime(2026, 3, 2, 8, 0)  # a Monday; cases open over four weeks from here


@dataclass
class Event:
    """One event as Workbench should read it: its activity, when it completed, who did it, when it started."""

    activity: str
    at: datetime
    resource: str = ""
    start: datetime | None = None


@dataclass
class Case:
    case: str
    events: list[Event]  # in time order


@dataclass
class LogExport:
    name: str  # file name
    system: str  # what it looks like
    data: bytes
    cases: list[Case]  # in the order each case first appears in the file
    set_aside: int = 0  # rows Workbench should set aside (an event with no completion time)
    timezone: str | None = None  # the zone to read with (times written with an offset or Z)
    truth_rows: int = 0  # rows of the file that are events of the log (after history rows are kept)
    extra: dict[str, object] = field(default_factory=dict)


def _csv(rows: list[list[str]], *, delimiter: str = ",", quoting: int = csv.QUOTE_MINIMAL,
         newline: str = "\r\n") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator=newline).writerows(rows)
    return out.getvalue()


def _walk(rng: random.Random, chain: dict[str, list[tuple[str, float]]], first: str, limit: int = 9) -> list[str]:
    """A sequence of states from `first`, each next state drawn from `chain`, until one with no way on."""
    out = [first]
    while out[-1] in chain and len(out) < limit:
        ways = chain[out[-1]]
        out.append(rng.choices([w for w, _ in ways], weights=[p for _, p in ways])[0])
    return out


def _times(rng: random.Random, n: int, lo: int = 10, hi: int = 2400, seconds: bool = True) -> list[datetime]:
    """`n` strictly increasing times: the first in the four weeks, in opening hours; then waits of lo..hi
    minutes."""
    t = START + timedelta(days=rng.randrange(27), minutes=rng.randrange(9 * 60),
                          seconds=rng.randrange(60) if seconds else 0)
    out = [t]
    for _ in range(n - 1):
        t = t + timedelta(minutes=rng.randint(lo, hi), seconds=rng.randrange(60) if seconds else 0)
        out.append(t)
    return out


def _order_of_appearance(cases: dict[str, Case], written: list[str]) -> list[Case]:
    seen: dict[str, None] = {}
    for c in written:
        seen.setdefault(c, None)
    return [cases[c] for c in seen]


# --- ServiceNow sys_audit, exported from the list as CSV (field names as headers, every field quoted) -----
# The state field is audited as stored: its code (1 New, 2 In Progress, 3 On Hold, 6 Resolved, 7 Closed).
_SN_CHAIN = {"1": [("2", 1.0)], "2": [("3", 0.25), ("6", 0.75)], "3": [("2", 1.0)],
             "6": [("7", 0.85), ("2", 0.15)]}
_SN_USERS = ["beth.anglin", "david.loo", "fred.luddy", "itil.user", "system"]


def _sys_id(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def servicenow_audit() -> LogExport:
    rng = random.Random(1101)
    rows: list[tuple[datetime, list[str]]] = []
    cases: dict[str, Case] = {}
    for _ in range(40):
        key = _sys_id(rng)
        states = _walk(rng, _SN_CHAIN, "1")
        times = _times(rng, len(states))
        events = []
        for i, (state, t) in enumerate(zip(states, times, strict=True)):
            user = rng.choice(_SN_USERS)
            old = states[i - 1] if i else ""
            rows.append((t, [_sys_id(rng), "incident", key, "state", old, state, user, f"{t:%Y-%m-%d %H:%M:%S}",
                             "1" if i == 0 else str(i + 1)]))
            events.append(Event(state, t, user))
            if i == 0 or rng.random() < 0.4:  # assignment, priority and work notes audited too
                what = rng.choice(["assigned_to", "assignment_group", "priority", "work_notes"])
                value = {"priority": str(rng.randint(1, 4)), "work_notes": "Called the user, no answer.\nRetry"
                         " tomorrow."}.get(what, _sys_id(rng))
                t2 = t + timedelta(seconds=rng.randint(1, 50))
                rows.append((t2, [_sys_id(rng), "incident", key, what, "", value, user,
                                  f"{t2:%Y-%m-%d %H:%M:%S}", str(i + 1)]))
        cases[key] = Case(key, events)
    rows.sort(key=lambda r: r[0], reverse=True)  # the list as shown: newest first
    header = ["sys_id", "tablename", "documentkey", "fieldname", "oldvalue", "newvalue", "user", "sys_created_on",
              "record_checkpoint"]
    text = _csv([header, *(r for _, r in rows)], quoting=csv.QUOTE_ALL)
    return LogExport("servicenow_sys_audit.csv", "ServiceNow sys_audit list export (CSV)", text.encode("utf-8"),
                     _order_of_appearance(cases, [r[2] for _, r in rows]),
                     truth_rows=sum(len(c.events) for c in cases.values()))


# --- ServiceNow metric_instance for a field value duration metric on the incident state ------------------
_SN_LABELS = {"1": "New", "2": "In Progress", "3": "On Hold", "6": "Resolved"}


def _sn_duration(d: timedelta) -> str:
    days, rest = divmod(int(d.total_seconds()), 86400)
    hours, rest = divmod(rest, 3600)
    parts = [(days, "Day"), (hours, "Hour"), (rest // 60, "Minute")]
    return " ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n) or "0 Minutes"


def servicenow_metric() -> LogExport:
    rng = random.Random(1102)
    rows: list[tuple[datetime, list[str]]] = []
    cases: dict[str, Case] = {}
    open_instances = 0
    for i in range(45):
        number = f"INC{10100 + i:07d}"
        states = _walk(rng, _SN_CHAIN, "1")
        times = _times(rng, len(states))
        still_open = states[-1] != "7" or rng.random() < 0.08
        if states[-1] == "7":  # closing ends every duration and starts none
            states, times = states[:-1], times
        events = []
        for j, state in enumerate(states):
            start, end = times[j], times[j + 1] if j + 1 < len(times) else None
            if still_open and j == len(states) - 1:
                end = None
            if end is None:
                open_instances += 1
                rows.append((start, ["Incident State Duration", number, _SN_LABELS[state],
                                     f"{start:%Y-%m-%d %H:%M:%S}", "", "", "false"]))
                continue
            rows.append((start, ["Incident State Duration", number, _SN_LABELS[state],
                                 f"{start:%Y-%m-%d %H:%M:%S}", f"{end:%Y-%m-%d %H:%M:%S}", _sn_duration(end - start),
                                 "true"]))
            events.append(Event(_SN_LABELS[state], end, "", start))
        if events:
            cases[number] = Case(number, events)
    rows.sort(key=lambda r: r[0])
    header = ["definition", "id", "field_value", "start", "end", "duration", "calculation_complete"]
    text = _csv([header, *(r for _, r in rows)], quoting=csv.QUOTE_ALL)
    written = [r[1] for _, r in rows if r[4]]
    return LogExport("servicenow_metric_instance.csv", "ServiceNow metric_instance list export (CSV)",
                     text.encode("utf-8"), _order_of_appearance(cases, written), set_aside=open_instances,
                     truth_rows=len(written))


# --- Jira Data Center data pipeline: issue_history (RFC 4180, CRLF, blanks as ,,; UTC to the minute) ------
_JIRA_STATUS = {"Waiting for support": "10001", "In Progress": "3", "Waiting for customer": "10002",
                "Resolved": "5", "Closed": "6"}
_JIRA_CHAIN = {"Waiting for support": [("In Progress", 1.0)],
               "In Progress": [("Waiting for customer", 0.3), ("Resolved", 0.7)],
               "Waiting for customer": [("In Progress", 1.0)],
               "Resolved": [("Closed", 0.8), ("Waiting for support", 0.2)]}


def jira_history() -> LogExport:
    rng = random.Random(1103)
    rows: list[list[str]] = []
    cases: dict[str, Case] = {}
    changelog = 20000
    for i in range(45):
        issue = str(10300 + i)
        states = _walk(rng, _JIRA_CHAIN, "Waiting for support")
        times = _times(rng, len(states), seconds=False)
        events = []
        for j in range(1, len(states)):
            changelog += 1
            author = str(10000 + rng.randint(1, 6))
            t = times[j]
            stamp = f"{t:%Y-%m-%dT%H:%M:00Z}"
            rows.append([issue, str(changelog), author, f"JIRAUSER{author}", stamp, "status", "jira",
                         _JIRA_STATUS[states[j - 1]], states[j - 1], _JIRA_STATUS[states[j]], states[j]])
            events.append(Event(states[j], t, author))
            if states[j] == "Resolved":  # the same change sets the resolution
                rows.append([issue, str(changelog), author, f"JIRAUSER{author}", stamp, "resolution", "jira",
                             "", "", "10000", "Done"])
            if j == 1:  # taking it in charge assigns it
                rows.append([issue, str(changelog), author, f"JIRAUSER{author}", stamp, "assignee", "jira", "", "",
                             f"JIRAUSER{author}", f"Agent {author[-1]}"])
        cases[issue] = Case(issue, events)
    header = ["issue_id", "changelog_id", "author_id", "author_key", "created_date", "field", "field_type", "from",
              "from_string", "to", "to_string"]
    return LogExport("jira_issue_history.csv", "Jira Data Center data pipeline issue_history export",
                     _csv([header, *rows]).encode("utf-8"), _order_of_appearance(cases, [r[0] for r in rows]),
                     timezone="UTC", truth_rows=sum(len(c.events) for c in cases.values()))


# --- Jira REST changelog (GET /rest/api/3/issue/{key}/changelog), one row per item, written by a script ---
def jira_rest_changelog() -> LogExport:
    rng = random.Random(1110)
    rows: list[list[str]] = []
    cases: dict[str, Case] = {}
    for i in range(40):
        key = f"SD-{500 + i}"
        states = _walk(rng, _JIRA_CHAIN, "Waiting for support")
        times = _times(rng, len(states))
        events = []
        for j in range(1, len(states)):
            author = rng.choice(["Ada Byron", "Grace Hopper", "Alan Kay"])
            t = times[j] + timedelta(milliseconds=rng.randrange(1000))
            stamp = f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond // 1000:03d}+0000"
            rows.append([key, stamp, author, "status", "jira", _JIRA_STATUS[states[j - 1]], states[j - 1],
                         _JIRA_STATUS[states[j]], states[j]])
            events.append(Event(states[j], t, author))
            if rng.random() < 0.3:
                rows.append([key, stamp, author, "description", "jira", "", "The laptop will not start.", "",
                             "The laptop will not start.\nIt shows a blue screen, code 0x7B."])
        cases[key] = Case(key, events)
    header = ["key", "created", "author", "field", "fieldtype", "from", "fromString", "to", "toString"]
    return LogExport("jira_rest_changelog.csv", "Jira REST changelog items written to CSV",
                     _csv([header, *rows], newline="\n").encode("utf-8"),
                     _order_of_appearance(cases, [r[0] for r in rows]), timezone="UTC",
                     truth_rows=sum(len(c.events) for c in cases.values()))


# --- Zendesk ticket field history (Fivetran's ticket_field_history table, exported as CSV) ----------------
_ZD_CHAIN = {"new": [("open", 1.0)], "open": [("pending", 0.35), ("hold", 0.1), ("solved", 0.55)],
             "pending": [("open", 0.6), ("solved", 0.4)], "hold": [("open", 1.0)],
             "solved": [("closed", 0.9), ("open", 0.1)]}


def zendesk_history() -> LogExport:
    rng = random.Random(1104)
    rows: list[tuple[datetime, list[str]]] = []
    cases: dict[str, Case] = {}
    for i in range(40):
        ticket = str(35600 + i)
        states = _walk(rng, _ZD_CHAIN, "new")
        times = _times(rng, len(states))
        events = []
        for j, (state, t) in enumerate(zip(states, times, strict=True)):
            user = str(rng.choice([360001234501, 360001234502, 360001234503, -1]))
            synced = t + timedelta(hours=2)
            rows.append((t, [f"{synced:%Y-%m-%dT%H:%M:%SZ}", "status", ticket, f"{t:%Y-%m-%dT%H:%M:%SZ}", user,
                             state]))
            events.append(Event(state, t, user))
            if j == 0:  # created with a priority and a group too
                for what, value in (("priority", rng.choice(["low", "normal", "high"])), ("group_id", "360000987654")):
                    rows.append((t, [f"{synced:%Y-%m-%dT%H:%M:%SZ}", what, ticket, f"{t:%Y-%m-%dT%H:%M:%SZ}", user,
                                     value]))
            elif state == "open" and rng.random() < 0.5:
                rows.append((t, [f"{synced:%Y-%m-%dT%H:%M:%SZ}", "assignee_id", ticket, f"{t:%Y-%m-%dT%H:%M:%SZ}",
                                 user, str(rng.randint(10**11, 10**12))]))
        cases[ticket] = Case(ticket, events)
    rows.sort(key=lambda r: r[0])
    header = ["_fivetran_synced", "field_name", "ticket_id", "updated", "user_id", "value"]
    return LogExport("zendesk_ticket_field_history.csv", "Zendesk ticket field history (Fivetran table, CSV)",
                     _csv([header, *(r for _, r in rows)], newline="\n").encode("utf-8"),
                     _order_of_appearance(cases, [r[2] for _, r in rows]), timezone="UTC",
                     truth_rows=sum(len(c.events) for c in cases.values()))


# --- Salesforce Case History report, exported as CSV (UTF-8 with BOM, quoted, US dates, report footer) ----
_SF_CHAIN = {"New": [("Working", 1.0)], "Working": [("Escalated", 0.2), ("On Hold", 0.15), ("Closed", 0.65)],
             "Escalated": [("Working", 1.0)], "On Hold": [("Working", 1.0)]}
_SF_USERS = ["Amy Lee", "Ben Okafor", "Cara Singh", "Dev Patel"]


def _us(t: datetime) -> str:
    return f"{t.month}/{t.day}/{t.year} {(t.hour - 1) % 12 + 1}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}"


def salesforce_history() -> LogExport:
    rng = random.Random(1105)
    rows: list[list[str]] = []
    cases: dict[str, Case] = {}
    for i in range(40):
        number = f"{2040 + i:08d}"
        subject = rng.choice(["Generator will not start", "Invoice shows the wrong amount", "Engineer did not come",
                              "Change of address"])
        states = _walk(rng, _SF_CHAIN, "New")
        times = _times(rng, len(states), seconds=False)
        owner = "Service Queue"
        creator = rng.choice(_SF_USERS)
        rows.append([number, subject, owner, creator, "Created.", "", "", _us(times[0])])
        events = [Event("Created", times[0], creator)]
        for j in range(1, len(states)):
            user = rng.choice(_SF_USERS)
            t = times[j]
            if owner == "Service Queue":  # the first change takes it from the queue
                rows.append([number, subject, user, user, "Case Owner", owner, user, _us(t)])
                owner = user
            rows.append([number, subject, owner, user, "Status", states[j - 1], states[j], _us(t)])
            events.append(Event(states[j], t, user))
            if states[j] == "Escalated":
                rows.append([number, subject, owner, user, "Priority", "Medium", "High", _us(t)])
        for r in rows:
            if r[0] == number:
                r[2] = owner  # the report shows the case's owner now, on every row
        cases[number] = Case(number, events)
    header = ["Case Number", "Subject", "Case Owner", "Edited By", "Field / Event", "Old Value", "New Value",
              "Edit Date"]
    footer = [[""], [f"Grand Totals ({len(rows)} records)"], [""], ["Confidential Information - Do Not Distribute"],
              ["Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."]]
    text = _csv([header, *rows], quoting=csv.QUOTE_ALL) + _csv(footer, quoting=csv.QUOTE_ALL)
    return LogExport("salesforce_case_history_report.csv", "Salesforce Case History report export (CSV)",
                     text.encode("utf-8-sig"), _order_of_appearance(cases, [r[0] for r in rows]),
                     truth_rows=sum(len(c.events) for c in cases.values()), extra={"footer_rows": len(footer)})


# --- Process-mining tools: Disco's CSV export, a PM4Py table written to CSV (and gzipped), XES (gzipped) ---
_HD_CHAIN = {"Log ticket": [("Triage", 1.0)], "Triage": [("Take in charge", 0.85), ("Resolve", 0.15)],
             "Take in charge": [("Wait for customer", 0.3), ("Resolve", 0.7)],
             "Wait for customer": [("Take in charge", 1.0)], "Resolve": [("Close", 1.0)]}
_HD_AGENTS = [f"Agent {n}" for n in range(1, 7)]


def _helpdesk_cases(seed: int, n: int, prefix: str) -> list[Case]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        acts = _walk(rng, _HD_CHAIN, "Log ticket")
        times = _times(rng, len(acts), lo=5, hi=900)
        events = []
        for a, t in zip(acts, times, strict=True):
            start = t - timedelta(minutes=rng.randint(1, 4)) if a != "Log ticket" else t
            events.append(Event(a, t, rng.choice(_HD_AGENTS), start))
        out.append(Case(f"{prefix}{i + 1}", events))
    return out


def _disco(t: datetime) -> str:
    return f"{t:%Y/%m/%d %H:%M:%S}.000"


def disco() -> LogExport:
    cases = _helpdesk_cases(1106, 45, "Case ")
    variants: dict[tuple[str, ...], int] = {}
    for c in cases:
        variants[tuple(e.activity for e in c.events)] = variants.get(tuple(e.activity for e in c.events), 0) + 1
    ranked = {v: i + 1 for i, v in enumerate(sorted(variants, key=lambda v: (-variants[v], v)))}
    header = ["Case ID", "Activity", "Resource", "Start Timestamp", "Complete Timestamp", "Variant", "Variant index"]
    rows = [header]
    for c in cases:
        index = ranked[tuple(e.activity for e in c.events)]
        for e in c.events:
            rows.append([c.case, e.activity, e.resource, _disco(e.start or e.at), _disco(e.at), f"Variant {index}",
                         str(index)])
    return LogExport("disco_export.csv", "Fluxicon Disco CSV export", _csv(rows).encode("utf-8"), cases,
                     truth_rows=len(rows) - 1)


_CHANNELS = ["email", "phone", "web"]


def _pm4py_text(cases: list[Case], channels: list[str]) -> str:
    rows = [["case:concept:name", "concept:name", "time:timestamp", "org:resource", "lifecycle:transition",
             "case:channel"]]
    for c, ch in zip(cases, channels, strict=True):
        for e in c.events:
            rows.append([c.case, e.activity, f"{e.at:%Y-%m-%d %H:%M:%S}+00:00", e.resource, "complete", ch])
    return _csv(rows, newline="\n")


def _complete_only(cases: list[Case]) -> list[Case]:
    return [Case(c.case, [Event(e.activity, e.at, e.resource) for e in c.events]) for c in cases]


def pm4py_csv() -> LogExport:
    cases = _complete_only(_helpdesk_cases(1107, 40, "T-"))
    channels = [random.Random(1107 + i).choice(_CHANNELS) for i in range(len(cases))]
    return LogExport("pm4py_log.csv", "a PM4Py event table written with pandas' to_csv",
                     _pm4py_text(cases, channels).encode("utf-8"), cases, timezone="UTC",
                     truth_rows=sum(len(c.events) for c in cases), extra={"channels": channels})


def pm4py_csv_gz() -> LogExport:
    plain = pm4py_csv()
    return LogExport("pm4py_log.csv.gz", "the same PM4Py CSV, gzipped", gzip.compress(plain.data, mtime=0),
                     plain.cases, timezone="UTC", truth_rows=plain.truth_rows, extra=plain.extra)


def _xes_text(cases: list[Case]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8" ?>',
             '<log xes.version="1849-2016" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">',
             '\t<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>',
             '\t<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>',
             '\t<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>',
             '\t<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>',
             '\t<global scope="trace">', '\t\t<string key="concept:name" value="__INVALID__"/>', "\t</global>",
             '\t<global scope="event">', '\t\t<string key="concept:name" value="__INVALID__"/>',
             '\t\t<date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>', "\t</global>",
             '\t<classifier name="Activity" keys="concept:name"/>']
    for c in cases:
        lines += ["\t<trace>", f"\t\t<string key=\"concept:name\" value={quoteattr(c.case)}/>"]
        for e in c.events:
            lines += ["\t\t<event>", f"\t\t\t<string key=\"concept:name\" value={quoteattr(e.activity)}/>",
                      f"\t\t\t<string key=\"org:resource\" value={quoteattr(e.resource)}/>",
                      f"\t\t\t<date key=\"time:timestamp\" value=\"{e.at:%Y-%m-%dT%H:%M:%S}.000+00:00\"/>",
                      '\t\t\t<string key="lifecycle:transition" value="complete"/>', "\t\t</event>"]
        lines.append("\t</trace>")
    lines.append("</log>")
    return "\n".join(lines) + "\n"


def xes_gz() -> LogExport:
    cases = _complete_only(_helpdesk_cases(1108, 35, "case-"))
    return LogExport("helpdesk_log.xes.gz", "an XES log (IEEE 1849-2016), gzipped",
                     gzip.compress(_xes_text(cases).encode("utf-8"), mtime=0), cases, timezone="UTC",
                     truth_rows=sum(len(c.events) for c in cases))


# --- BPI Challenge 2014 layout: incident activity (semicolons, day-month-year times) -----------------------
_BPI_CHAIN = {"Open": [("Assignment", 1.0)], "Assignment": [("Operator Update", 0.5), ("Reassignment", 0.2),
                                                            ("Closed", 0.3)],
              "Reassignment": [("Operator Update", 1.0)], "Operator Update": [("Closed", 0.7), ("Reassignment", 0.3)]}


def bpi2014() -> LogExport:
    rng = random.Random(1109)
    rows = [["Incident ID", "DateStamp", "IncidentActivity_Number", "IncidentActivity_Type", "Assignment Group",
             "KM number"]]
    cases = []
    for i in range(40):
        incident = f"IM{4100 + i:07d}"
        acts = _walk(rng, _BPI_CHAIN, "Open")
        times = _times(rng, len(acts))
        events = []
        for a, t in zip(acts, times, strict=True):
            group = f"TEAM{rng.randint(1, 9):04d}"
            rows.append([incident, f"{t:%d-%m-%Y %H:%M:%S}", f"{rng.getrandbits(40):011X}", a, group,
                         f"KM{rng.randint(1, 999):07d}"])
            events.append(Event(a, t, ""))
        cases.append(Case(incident, events))
    return LogExport("bpic2014_incident_activity.csv", "BPI Challenge 2014 incident activity layout (CSV)",
                     _csv(rows, delimiter=";").encode("utf-8"), cases, truth_rows=len(rows) - 1)


MAKERS: tuple[Callable[[], LogExport], ...] = (servicenow_audit, servicenow_metric, jira_history, jira_rest_changelog,
                                               zendesk_history,
                                               salesforce_history, disco, pm4py_csv, pm4py_csv_gz, xes_gz, bpi2014)


def build() -> dict[str, LogExport]:
    exports = [make() for make in MAKERS]
    return {e.name: e for e in exports}


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else HERE
    target.mkdir(parents=True, exist_ok=True)
    for name, export in build().items():
        (target / name).write_bytes(export.data)
        print(f"{name}: {len(export.cases)} cases, {export.truth_rows} events, {len(export.data):,} bytes "
              f"({export.system})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
