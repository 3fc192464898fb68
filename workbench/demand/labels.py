"""Normalising the labels people actually type: value/failure, yes/no, column headers.

Teams write `V`, `Value `, `value demand`, `FD`, `failure demand`, `Faliure`. Each normaliser takes one raw
label and returns the canonical value (or None when it cannot tell), so callers can apply it to the unique
labels of a column only: a million rows rarely hold more than a few dozen distinct labels.
"""

from __future__ import annotations

import difflib
import re
from typing import Literal

from workbench import schema

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(text: object) -> str:
    """Case-fold, trim and collapse punctuation and spaces: the key two spellings are compared by."""
    if text is None:
        return ""
    s = str(text).casefold()
    return " ".join(_NON_ALNUM.sub(" ", s).split())


def fold_keep(text: object) -> str:
    """Trim and case-fold but keep punctuation: for touchpoints and types, where `Web form` == ` web form`."""
    if text is None:
        return ""
    return " ".join(str(text).split()).casefold()


_VALUE_WORDS = {"v", "value", "value demand", "val", "vd", "valu", "value d"}
_FAILURE_WORDS = {"f", "fd", "failure", "failure demand", "fail", "failed", "failure d", "failue"}
_BLANK_WORDS = {"", "unclassified", "unknown", "not classified", "na", "n a", "tbc", "tbd", "none", "nan", "not sure"}
_FUZZY_TARGETS = {"value": schema.VALUE, "value demand": schema.VALUE, "failure": schema.FAILURE,
                  "failure demand": schema.FAILURE}


def nature_label(raw: object) -> str | None:
    """Map a value/failure label to `value`, `failure` or `unclassified`; None if it is not recognisable.

    Blank and "don't know" labels mean *not yet classified*. Close misspellings ("faliure") are accepted
    because a workshop's spreadsheet is typed in a hurry; anything else is reported to the user.
    """
    key = fold(raw)
    if key in _VALUE_WORDS:
        return schema.VALUE
    if key in _FAILURE_WORDS:
        return schema.FAILURE
    if key in _BLANK_WORDS or set(key) <= {"?", " ", "-"}:
        return schema.UNCLASSIFIED
    close = difflib.get_close_matches(key, list(_FUZZY_TARGETS), n=1, cutoff=0.75)
    if close:
        return _FUZZY_TARGETS[close[0]]
    return None


_TRUE_WORDS = {"yes", "y", "true", "t", "1", "yes resolved", "resolved", "one stop", "ok", "x"}
_FALSE_WORDS = {"no", "n", "false", "f", "0", "not resolved", "handed off", "passed on"}


def yes_no(raw: object) -> bool | None:
    """Read a yes/no cell: True, False, or None for blank or unrecognised."""
    if isinstance(raw, bool):
        return raw
    key = fold(raw)
    if key in _TRUE_WORDS or str(raw).strip() in {"✓", "✔"}:
        return True
    if key in _FALSE_WORDS or str(raw).strip() in {"✗", "✘"}:
        return False
    return None


# Column-name synonyms, folded, in tiers. A field takes the file's column whose name is in its first tier;
# only when no column is in the first tier does a column of the second tier count, and so on. That is how a
# file with both `description` and `short_description` (ServiceNow), `Issue` and `Product` (consumer
# complaints) or `resolved_at` and `closed_at` gets the better column whatever their order. Where the names
# come from (vendors' documented export fields): docs/data-contracts.md, "Systems recognised".
HEADER_SYNONYMS: dict[str, set[str]] = {
    schema.RECEIVED_AT: {
        "received at", "received", "date received", "received date", "date", "date time", "datetime",
        "timestamp", "contact date", "date of contact", "created", "created at", "date created", "opened",
        "logged", "date logged", "time received", "when", "date and time", "contact date time",
        "received on", "date raised", "raised",
        # ticket and case systems, call logs
        "opened at", "opened on", "date opened", "date time opened", "opened date", "created on",
        "created date", "created time", "createdon", "createddate", "date submitted", "submitted at",
        "submitted on", "reported at", "reported on", "date reported", "start time", "call start",
        "call start time", "start date time", "call date", "date of call", "initiation timestamp",
    },
    schema.TOUCHPOINT: {
        "touchpoint", "touch point", "channel", "contact channel", "source", "method", "contact method",
        "route in", "how contacted", "medium", "how received", "access channel", "channel used",
        # how the customer got in touch, as ticket and case systems name it: never the demand type
        "contact type", "type of contact", "origin", "case origin", "caseorigincode", "case origin code",
        "origin code", "via", "via channel", "submitted via", "received via", "ticket source",
        "request channel", "request channel type", "channel type", "media type", "contact medium",
    },
    schema.CUSTOMER_WORDS: {
        "customer words", "what the customer said", "customer said", "what they said", "verbatim",
        "customers words", "customer s words", "in their words", "what matters", "comments", "comment",
        "notes", "description", "request", "the customer s words", "what was said", "customer verbatim",
        # the customer's own account, as systems name it (longer than a subject line)
        "consumer complaint narrative", "complaint narrative", "narrative", "complaint what happened",
        "what happened", "description text", "case description", "issue description", "problem description",
        "customer description", "details",
    },
    schema.DEMAND_TYPE: {
        "demand type", "category", "reason", "reason for contact", "contact reason", "type of demand",
        "demand", "request type", "customer request type", "case reason", "call reason", "issue",
        "complaint type", "ticket category", "incident category", "enquiry type", "inquiry type",
    },
    schema.NATURE: {
        "nature", "v f", "vf", "value failure", "value or failure", "classification", "demand nature",
        "v or f", "value failure demand", "value or failure demand", "vd fd", "class",
    },
    schema.FAILURE_CAUSE: {
        "failure cause", "cause", "reason for failure", "failure reason", "root cause", "cause of failure",
        "failure type", "why failure",
    },
    schema.ONE_STOP: {
        "one stop", "resolved first time", "sorted first time", "first contact resolution", "fcr",
        "resolved at first contact", "resolved first contact", "one stop resolution", "right first time",
        "dealt with first time", "resolved at first point of contact", "first call resolution",
    },
    schema.HANDLING_MINUTES: {
        "handling minutes", "mins", "minutes", "duration", "handling time", "time taken", "aht",
        "duration mins", "handle time", "time spent", "minutes spent", "time mins",
        "average handle time", "average handling time", "handle duration", "ser time", "service time",
        "call duration",
    },
    schema.CASE_ID: {
        "case id", "case", "case ref", "case reference", "reference", "ref", "case number", "case no",
        "job number", "job no", "customer ref",
        "number", "ticket id", "ticket number", "ticket no", "ticketnumber", "incident number",
        "complaint id", "issue key", "key", "request number", "casenumber",
    },
    schema.RESOLVED_AT: {
        "resolved at", "date resolved", "resolved on", "completed", "completion date", "resolution date",
        "date completed", "resolved", "resolved date", "resolved time", "date time resolved", "solved at",
        "solved", "date solved",
    },
    # call logs and contact-centre exports (Genesys Cloud, Five9, Amazon Connect): the wait in the queue and
    # whether the caller hung up while waiting
    schema.QUEUE_SECONDS: {
        "queue seconds", "seconds waiting", "seconds waiting in the queue", "seconds in queue", "queue wait time", "queue wait", "queue time",
        "queue duration", "time in queue", "queue info duration", "queueinfo duration", "wait time",
        "waiting time", "wait seconds", "wait duration", "queued time", "time queued", "total queue",
        "queue wait seconds", "queue time seconds", "wait time seconds",
    },
    schema.ABANDONED: {
        "abandoned", "abandon", "is abandoned", "call abandoned", "abandoned call", "abandoned flag",
        "abandon flag", "gave up", "gave up waiting", "caller abandoned", "hung up in queue",
    },
    # a time of day in a column of its own beside the date (call logs: 'Call date', 'Call time')
    schema.RECEIVED_TIME: {
        "time", "call time", "time of call", "contact time", "time of contact", "time of day",
        "received time of day",
    },
    schema.RESOLVED_TIME: {"time resolved", "time closed", "time completed", "time solved"},
}

# Second choices: used only when the file has no column of the first tier for that field.
SECOND_CHOICE_SYNONYMS: dict[str, set[str]] = {
    schema.RECEIVED_AT: {"sys created on", "sys created", "start"},
    schema.CUSTOMER_WORDS: {
        "subject", "short description", "summary", "title", "case title", "case subject", "ticket subject",
        "raw subject",
    },
    schema.DEMAND_TYPE: {
        "type", "ticket type", "case type", "casetypecode", "case type code",
        "issue type", "subcategory", "sub category", "product", "sub issue", "sub product", "queue",
        "queue name",
    },
    schema.HANDLING_MINUTES: {"talk time", "talk duration", "conversation duration"},
    schema.CASE_ID: {"id", "issue id", "incident id", "request id"},
    schema.RESOLVED_AT: {
        "closed at", "date closed", "closed date", "closed time", "closed on", "date time closed",
        "closeddate", "closed at date",
    },
}

# Last choices: a bare "Closed" is often a yes/no flag beside the closing date.
LAST_CHOICE_SYNONYMS: dict[str, set[str]] = {
    schema.RESOLVED_AT: {"closed"},
}

SYNONYM_TIERS: tuple[dict[str, set[str]], ...] = (HEADER_SYNONYMS, SECOND_CHOICE_SYNONYMS, LAST_CHOICE_SYNONYMS)

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_CUSTOM_FIELD = re.compile(r"^\s*custom\s*field\s*\((.*)\)\s*$", re.IGNORECASE)  # Jira: "Custom field (X)"
_UNIT_WORDS = {"s", "sec", "secs", "second", "seconds", "min", "mins", "minute", "minutes", "m", "h", "hr",
               "hrs", "hour", "hours", "in"}


def _header_keys(header: object) -> tuple[list[str], list[str]]:
    """(keys the header is looked up by, keys that count for handling time only).

    `received_at`, `Received At`, `receivedAt`, `received.at` and `Date received (UTC)` give the same key;
    `Custom field (Request Type)` is read as `Request Type`; a handling-time name may end in its unit
    (`talk_time_seconds`, `duration_sec`, `AHT (s)`)."""
    text = "" if header is None else str(header)
    custom = _CUSTOM_FIELD.match(text)
    if custom:
        text = custom.group(1)
    keys: list[str] = []
    for variant in (text, _CAMEL.sub(" ", text)):
        for key in (fold(variant), fold(re.sub(r"\(.*?\)", "", variant))):  # "Duration (mins)" -> "duration"
            if key and key not in keys:
                keys.append(key)
    unit_free: list[str] = []
    for key in keys:
        words = key.split()
        while len(words) > 1 and words[-1] in _UNIT_WORDS:
            words.pop()
        stripped = " ".join(words)
        if stripped not in keys and stripped not in unit_free:
            unit_free.append(stripped)
    return keys, unit_free


def header_match(header: object) -> tuple[str, int] | None:
    """The field a column header means and its tier (0 first choice, 1 second, 2 last), if it is known."""
    keys, unit_free = _header_keys(header)
    for tier, synonyms in enumerate(SYNONYM_TIERS):
        for field, words in synonyms.items():
            if any(k in words or (tier == 0 and k == field.replace("_", " ")) for k in keys):
                return field, tier
            if field == schema.HANDLING_MINUTES and any(k in words for k in unit_free):
                return field, tier
    return None


def field_for_header(header: object) -> str | None:
    """The canonical field a column header means, if it is a known synonym (of any tier)."""
    match = header_match(header)
    return match[0] if match else None


DurationUnit = Literal["seconds", "minutes", "hours"]
_SECONDS_WORDS = {"s", "sec", "secs", "second", "seconds"}
_HOURS_WORDS = {"h", "hr", "hrs", "hour", "hours"}
# Names documented as seconds without saying so: a call-centre log's service (agent) time.
_SECONDS_NAMES = {"ser time"}


def duration_unit(header: object) -> DurationUnit:
    """The unit a handling-time column's name says its numbers are in: seconds (`ser_time`, `duration_sec`,
    `talk_time_seconds`, `AHT (s)`, `Handle Time (secs)`), hours (`Time spent (hrs)`), else minutes."""
    text = re.sub(r"(?<=\w)\(s\)", "", "" if header is None else str(header))  # "time(s)": a plural
    words = fold(_CAMEL.sub(" ", text)).split()
    if " ".join(words) in _SECONDS_NAMES:
        return "seconds"
    tail = words[-2:] if len(words) > 1 else []  # the unit is the name's last word (or the one before "in")
    if any(w in _SECONDS_WORDS for w in tail):
        return "seconds"
    if any(w in _HOURS_WORDS for w in tail):
        return "hours"
    return "minutes"
