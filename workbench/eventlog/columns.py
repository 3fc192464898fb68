"""Which column of an event log is which field: the names process-mining tools and ticket systems export.

Where the names come from:
- PM4Py and the XES standard (IEEE 1849-2016): `case:concept:name` (the case), `concept:name` (the activity),
  `time:timestamp`, `org:resource`, `org:role`, `org:group`, `lifecycle:transition` (start / complete ...).
  In an XES file the trace's attributes are read with a `case:` prefix, as PM4Py converts them.
- Fluxicon Disco's CSV export and the widely used "Helpdesk" log (4,580 tickets, 21,348 events): `Case ID`,
  `Activity`, `Resource`, `Start Timestamp`, `Complete Timestamp`, `Variant`, `workgroup`, `service_type`.
- Celonis activity tables: `_CASE_KEY`, `ACTIVITY_EN`, `EVENTTIME`.
- BPI Challenge logs: 2013 (Volvo IT incidents) `SR Number`, `Change Date+Time`, `Status`, `Involved ST`,
  `Owner First Name`; 2014 (Rabobank incident activity) `Incident ID`, `DateStamp`, `IncidentActivity_Type`,
  `Assignment Group`; 2012/2017 (loan applications, XES) the standard names above.
- ServiceNow incident exports and its audit (`sys_audit`) / metric (`metric_instance`) tables: `number`,
  `sys_created_on`, `sys_created_by`, `assignment_group`, `state`, `contact_type`, `short_description`.
- Jira's changelog exports: `Issue key`, `Created`, `Author`, `Status`.
Names are compared as `workbench.demand.labels.fold` folds them (case, spaces and punctuation ignored, camelCase
split). Tiers as for demand files: a second-choice name is used only when no first-choice column is there.
"""

from __future__ import annotations

import re

import pandas as pd

from workbench.demand.labels import fold

CASE = "case"
ACTIVITY = "activity"
TIMESTAMP = "timestamp"
START = "start"  # when the activity started, in a column of its own beside its completion (Disco's export)
RESOURCE = "resource"
ROLE = "role"
LIFECYCLE = "lifecycle"
TOUCHPOINT = "touchpoint"
DEMAND_TYPE = "demand_type"
CUSTOMER_WORDS = "customer_words"
LOG_FIELDS: tuple[str, ...] = (CASE, ACTIVITY, TIMESTAMP, START, RESOURCE, ROLE, LIFECYCLE, TOUCHPOINT,
                               DEMAND_TYPE, CUSTOMER_WORDS)
REQUIRED_LOG_FIELDS: tuple[str, ...] = (CASE, ACTIVITY, TIMESTAMP)

_FIRST: dict[str, set[str]] = {
    CASE: {"case concept name", "case id", "caseid", "case", "case key", "case number", "case ref",
           "ticket id", "ticket", "ticket number", "incident id", "incident number", "sr number",
           "trace id", "process instance", "request id", "issue key", "case reference"},
    ACTIVITY: {"concept name", "activity", "activity name", "activity en", "event", "event name", "task",
               "task name", "step", "action", "incidentactivity type", "incident activity type"},
    TIMESTAMP: {"time timestamp", "timestamp", "complete timestamp", "end timestamp", "completed at",
                "event time", "eventtime", "datestamp", "date stamp", "change date time", "sys created on",
                "date time", "datetime", "event timestamp", "time stamp"},
    START: {"start timestamp", "start time", "starttime", "start date time", "started at", "start"},
    RESOURCE: {"org resource", "resource", "user", "performed by", "agent", "assignee", "owner",
               "owner first name", "sys created by", "changed by", "employee", "staff", "operator",
               "handler", "author"},
    ROLE: {"org role", "role", "org group", "assignment group", "group", "team", "department", "workgroup",
           "support section", "involved st", "responsible section"},
    LIFECYCLE: {"lifecycle transition", "lifecycle", "transition", "event type"},
    TOUCHPOINT: {"case channel", "channel", "touchpoint", "contact channel", "contact type", "origin",
                 "case origin", "source"},
    DEMAND_TYPE: {"case demand type", "demand type", "case type", "request type", "category", "ticket type",
                  "service type", "case category"},
    CUSTOMER_WORDS: {"customer words", "case description", "description", "short description", "summary",
                     "subject"},
}
_SECOND: dict[str, set[str]] = {
    CASE: {"number", "id", "document key", "documentkey", "application", "order id"},
    ACTIVITY: {"status", "state", "stage", "sub status", "new value", "newvalue"},
    TIMESTAMP: {"time", "date", "created", "created at", "updated", "sys updated on"},
    ROLE: {"queue", "org group"},
    DEMAND_TYPE: {"type", "product", "case concept type"},
}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _keys(header: object) -> list[str]:
    text = "" if header is None else str(header)
    keys = []
    for variant in (text, _CAMEL.sub(" ", text), re.sub(r"\(.*?\)", "", text)):
        key = fold(variant)
        if key and key not in keys:
            keys.append(key)
    return keys


def log_field_for(header: object) -> tuple[str, int] | None:
    """The log field a column header means and its tier (0 first choice, 1 second), if it is known."""
    keys = _keys(header)
    for tier, table in enumerate((_FIRST, _SECOND)):
        for fld, words in table.items():
            if any(k in words for k in keys):
                return fld, tier
    return None


def guess_columns(columns: list[str]) -> dict[str, str]:
    """field -> column from the names alone: the first column of the best tier, each column used once. A
    start-time column alone (no completion time) is the timestamp."""
    found: dict[str, tuple[int, int, str]] = {}
    for i, col in enumerate(columns):
        match = log_field_for(col)
        if match is None:
            continue
        fld, tier = match
        if fld not in found or (tier, i) < found[fld][:2]:
            found[fld] = (tier, i, col)
    if START in found and TIMESTAMP not in found:
        found[TIMESTAMP] = found.pop(START)
    out: dict[str, str] = {}
    used: set[str] = set()
    for fld in LOG_FIELDS:
        if fld in found and found[fld][2] not in used:
            out[fld] = found[fld][2]
            used.add(found[fld][2])
    return out


def looks_like_event_log(table: object) -> bool:
    """Whether a table (a `RawTable` or a DataFrame) is an event log rather than a demand file: it has a case
    column whose values repeat and an activity column."""
    frame = getattr(table, "frame", table)
    if not isinstance(frame, pd.DataFrame) or frame.empty:
        return False
    cols = guess_columns([str(c) for c in frame.columns])
    if CASE not in cols or ACTIVITY not in cols:
        return False
    cases = frame[cols[CASE]].astype("str").str.strip()
    cases = cases[cases != ""]
    return len(cases) > 0 and cases.nunique() < len(cases)
