"""Event logs (many rows per case: ticket systems, case management, process-mining exports): read from CSV,
Excel or XES, rolled up to one demand per case, directly-follows counts and variants.

Core: imports `workbench.demand`, `limits` and `schema` only; the CLI and the app use it."""

from workbench.eventlog.analysis import directly_follows, rollup, summary, variants
from workbench.eventlog.columns import LOG_FIELDS, looks_like_event_log
from workbench.eventlog.log import EventLog, EventLogError, LogReport, read_log

__all__ = ["LOG_FIELDS", "EventLog", "EventLogError", "LogReport", "directly_follows", "looks_like_event_log",
           "read_log", "rollup", "summary", "variants"]
