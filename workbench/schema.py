"""Column names of the clean demand frame: the one place they are spelled.

Every loader produces, and every analysis consumes, a DataFrame with these columns. Pages, charts and the
CLI refer to them through these constants so that a rename is a one-line change.
"""

from __future__ import annotations

# Canonical demand fields, in display order.
RECEIVED_AT = "received_at"
TOUCHPOINT = "touchpoint"
CUSTOMER_WORDS = "customer_words"
DEMAND_TYPE = "demand_type"
NATURE = "nature"
FAILURE_CAUSE = "failure_cause"
ONE_STOP = "one_stop"
HANDLING_MINUTES = "handling_minutes"
CASE_ID = "case_id"
RESOLVED_AT = "resolved_at"
QUEUE_SECONDS = "queue_seconds"  # how long the caller waited in the queue, in seconds (optional; call logs)
ABANDONED = "abandoned"  # the caller gave up waiting (hung up in the queue): True / False / blank

# Columns the loader adds.
ROW = "row"  # the row number in the user's file (as a spreadsheet would number it), for messages
TOUCHPOINT_KEY = "touchpoint_key"  # trimmed, case-folded touchpoint used for grouping
NATURE_SOURCE = "nature_source"  # where the nature came from: "data", "catalogue" or "" (unclassified)

FIELDS: tuple[str, ...] = (
    RECEIVED_AT,
    TOUCHPOINT,
    CUSTOMER_WORDS,
    DEMAND_TYPE,
    NATURE,
    FAILURE_CAUSE,
    ONE_STOP,
    HANDLING_MINUTES,
    CASE_ID,
    RESOLVED_AT,
    QUEUE_SECONDS,
    ABANDONED,
)
REQUIRED_FIELDS: tuple[str, ...] = (RECEIVED_AT,)

# A time of day kept in a column of its own beside a date column: joined with it when the file is read. These
# are mapped like fields but are not columns of the clean frame.
RECEIVED_TIME = "received_time"
RESOLVED_TIME = "resolved_time"
TIME_FIELDS: dict[str, str] = {RECEIVED_TIME: RECEIVED_AT, RESOLVED_TIME: RESOLVED_AT}  # time -> its date
MAPPED_FIELDS: tuple[str, ...] = (*FIELDS, *TIME_FIELDS)  # what a mapping may name
CLEAN_COLUMNS: tuple[str, ...] = (ROW, *FIELDS, TOUCHPOINT_KEY, NATURE_SOURCE)

# Natures of demand.
VALUE = "value"
FAILURE = "failure"
UNCLASSIFIED = "unclassified"
NATURES: tuple[str, ...] = (VALUE, FAILURE, UNCLASSIFIED)

UNKNOWN_TOUCHPOINT = "unknown"

# Plain-language labels for people (tables, selectboxes, chart axes).
FIELD_LABELS: dict[str, str] = {
    RECEIVED_AT: "Date received",
    TOUCHPOINT: "Touchpoint",
    CUSTOMER_WORDS: "Customer's words",
    DEMAND_TYPE: "Demand type",
    NATURE: "Value or failure",
    FAILURE_CAUSE: "Failure cause",
    ONE_STOP: "Resolved at first contact",
    HANDLING_MINUTES: "Handling minutes",
    CASE_ID: "Case id",
    RESOLVED_AT: "Date resolved",
    QUEUE_SECONDS: "Seconds waiting in the queue",
    ABANDONED: "Gave up waiting",
    RECEIVED_TIME: "Time received (own column)",
    RESOLVED_TIME: "Time resolved (own column)",
    ROW: "Row in file",
}
