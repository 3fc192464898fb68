"""Which column of an event log is which field: the names process-mining tools and ticket systems export.

Where the names come from (each checked against the source named; docs/event-log-sources.md has the links):
- The XES standard and PM4Py: `case:concept:name` (the case), `concept:name` (the activity),
  `time:timestamp`, `org:resource`, `org:role`, `org:group`, `lifecycle:transition`; PM4Py's
  `format_dataframe` renames a table's columns to these. In an XES file the trace's attributes are read with
  a `case:` prefix, as PM4Py converts them.
- bupaR's event log mapping: `case_id`, `activity_id`, `activity_instance_id`, `lifecycle_id`, `resource_id`,
  `timestamp`.
- BPI Challenge logs as published in CSV: 2013 (Volvo IT incidents) `SR Number`, `Change Date+Time`,
  `Status`, `Sub Status`, `Involved ST`; 2014 (Rabobank incident activity) `Incident ID`, `DateStamp`,
  `IncidentActivity_Number`, `IncidentActivity_Type`, `Assignment Group`; the "Helpdesk" log `Case ID`,
  `Activity`, `Resource`, `Complete Timestamp`, `Variant`, `workgroup` (as code that reads these files spells
  them).
- ServiceNow: a CSV export's header is the field *name* (`documentkey`, `sys_created_on`), an Excel export's
  the label (`Document key`, `Created`). `sys_audit` (`tablename`, `fieldname`, `documentkey`, `user`,
  `oldvalue`, `newvalue`, `sys_created_on`) and `metric_instance` (`definition`, `id`, `field_value`, `start`,
  `end`, `duration`, `calculation_complete`).
- Jira: the REST changelog (the issue's `key`; `created`, `author`, items `field`, `fromString`, `toString`)
  and Jira Data Center's data pipeline `issue_history` file (`issue_id`, `changelog_id`, `author_id`,
  `author_key`, `created_date`, `field`, `field_type`, `from`, `from_string`, `to`, `to_string`).
- Zendesk: ticket audits (`ticket_id`, `created_at`, `author_id`; change events with `field_name`, `value`,
  `previous_value`) and the incremental ticket event export (`ticket_id`, `created_at`, `child_events`); the
  `ticket_field_history` table of Fivetran's Zendesk connector (`ticket_id`, `field_name`, `value`, `updated`,
  `user_id`).
- Salesforce: the `CaseHistory` object (`CaseId`, `Field`, `OldValue`, `NewValue`, `CreatedDate`,
  `CreatedById`); a Case History report's CSV (`Case Number`, `Field / Event`, `Old Value`, `New Value`,
  `Edited By`, `Edit Date`) as code that reads those reports spells it (not in Salesforce's own docs).
- Dynamics 365 (Dataverse) audit table display names: `Changed Date`, `Event`, `Changed Field`.
Kept from earlier lists, not checked against a vendor's documentation: Fluxicon Disco's `Start Timestamp`,
Celonis's `_CASE_KEY` / `ACTIVITY_EN` / `EVENTTIME`, and the generic words (`case`, `step`, `agent`...).

A history export (one row per field change: `Field / Event`, `fieldname`, `field`, `field_name` beside
`New Value`, `newvalue`, `to_string`, `value`) is an event log of its status field: `history_columns` finds
the two columns and `is_status_field` the rows whose field is the status, whose new value is the activity
(`workbench.eventlog.log` keeps those rows).

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
           "trace id", "process instance", "request id", "issue key", "issue id", "case reference"},
    ACTIVITY: {"concept name", "activity", "activity id", "activity name", "activity en", "event", "event name",
               "task", "task name", "step", "action", "incidentactivity type", "incident activity type"},
    TIMESTAMP: {"time timestamp", "timestamp", "complete timestamp", "end timestamp", "completed at",
                "event time", "eventtime", "datestamp", "date stamp", "change date time", "sys created on",
                "date time", "datetime", "event timestamp", "time stamp", "edit date", "changed date"},
    START: {"start timestamp", "start time", "starttime", "start date time", "started at", "start"},
    RESOURCE: {"org resource", "resource", "resource id", "user", "performed by", "agent", "assignee", "owner",
               "owner first name", "sys created by", "changed by", "edited by", "employee",
               "staff", "operator", "handler", "author"},
    ROLE: {"org role", "role", "org group", "assignment group", "group", "team", "department", "workgroup",
           "support section", "involved st", "responsible section"},
    LIFECYCLE: {"lifecycle transition", "lifecycle", "lifecycle id", "transition"},
    TOUCHPOINT: {"case channel", "channel", "touchpoint", "contact channel", "contact type", "origin",
                 "case origin", "source"},
    DEMAND_TYPE: {"case demand type", "demand type", "case type", "request type", "category", "ticket type",
                  "service type", "case category"},
    CUSTOMER_WORDS: {"customer words", "case description", "description", "short description", "summary",
                     "subject"},
}
_SECOND: dict[str, set[str]] = {
    CASE: {"number", "id", "key", "document key", "documentkey", "application", "order id"},
    ACTIVITY: {"status", "state", "stage", "sub status", "new value", "newvalue", "field value"},
    TIMESTAMP: {"time", "date", "created", "created at", "created date", "createddate", "updated",
                "sys updated on", "end"},
    RESOURCE: {"author id", "author key", "user id", "created by id", "createdbyid"},
    ROLE: {"queue", "org group"},
    DEMAND_TYPE: {"type", "product", "case concept type"},
}
# A history export: one row per change of one field, naming the field and its new value.
_FIELD_NAMES = ("field event", "field name", "fieldname", "field", "changed field")  # first found wins
_NEW_VALUE_NAMES = ("new value", "newvalue", "to string", "tostring", "value")
_STATUS_FIELDS = {"status", "state", "stage", "case status", "ticket status", "issue status", "incident state",
                  "status reason", "statuscode"}
_CREATED_EVENTS = {"created", "case created", "ticket created", "issue created", "record created"}
CREATED = "Created"  # the activity of a history row that records the case's creation
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
    column whose values repeat and an activity column (or, for a history export, a field-name and a new-value
    column)."""
    frame = getattr(table, "frame", table)
    if not isinstance(frame, pd.DataFrame) or frame.empty:
        return False
    names = [str(c) for c in frame.columns]
    cols = guess_columns(names)
    if CASE not in cols or (ACTIVITY not in cols and history_columns(names) is None):
        return False
    cases = frame[cols[CASE]].astype("str").str.strip()
    cases = cases[cases != ""]
    return len(cases) > 0 and cases.nunique() < len(cases)


def history_columns(columns: list[str]) -> tuple[str, str] | None:
    """The (field name, new value) columns of a history export, one row per change of one field (Salesforce's
    `Field / Event` and `New Value`, ServiceNow's `fieldname` and `newvalue`, Jira's `field` and `toString`,
    Zendesk's `field_name` and `value`); None when the table is not one, or names an activity column of its
    own."""
    keyed = [(col, _keys(col)) for col in columns]
    if any(k in _FIRST[ACTIVITY] for _, keys in keyed for k in keys):
        return None

    def first(names: tuple[str, ...]) -> str | None:
        for name in names:
            for col, keys in keyed:
                if name in keys:
                    return col
        return None

    fld, new = first(_FIELD_NAMES), first(_NEW_VALUE_NAMES)
    return (fld, new) if fld and new and fld != new else None


def is_status_field(value: object) -> bool:
    """Whether a history row's field is the case's status (`Status`, `state`, `incident_state`...)."""
    return fold(value) in _STATUS_FIELDS


def is_created_event(value: object) -> bool:
    """Whether a history row's field records the creation of the case (Salesforce's `Created.`)."""
    return fold(value) in _CREATED_EVENTS
