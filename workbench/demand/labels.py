"""Normalising the labels people actually type: value/failure, yes/no, column headers.

Teams write `V`, `Value `, `value demand`, `FD`, `failure demand`, `Faliure`. Each normaliser takes one raw
label and returns the canonical value (or None when it cannot tell), so callers can apply it to the unique
labels of a column only: a million rows rarely hold more than a few dozen distinct labels.
"""

from __future__ import annotations

import difflib
import re

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


# Column-name synonyms, folded. The first column whose folded header is in a field's set is mapped to it.
HEADER_SYNONYMS: dict[str, set[str]] = {
    schema.RECEIVED_AT: {
        "received at", "received", "date received", "received date", "date", "date time", "datetime",
        "timestamp", "contact date", "date of contact", "created", "created at", "date created", "opened",
        "logged", "date logged", "time received", "when", "date and time", "contact date time",
        "received on", "date raised", "raised",
    },
    schema.TOUCHPOINT: {
        "touchpoint", "touch point", "channel", "contact channel", "source", "method", "contact method",
        "route in", "how contacted", "medium", "how received", "access channel", "channel used",
    },
    schema.CUSTOMER_WORDS: {
        "customer words", "what the customer said", "customer said", "what they said", "verbatim",
        "customers words", "customer s words", "in their words", "what matters", "comments", "comment",
        "notes", "description", "request", "the customer s words", "what was said", "customer verbatim",
    },
    schema.DEMAND_TYPE: {
        "demand type", "type", "category", "reason", "reason for contact", "contact reason",
        "type of demand", "demand", "type of contact", "contact type",
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
        "dealt with first time", "resolved at first point of contact",
    },
    schema.HANDLING_MINUTES: {
        "handling minutes", "mins", "minutes", "duration", "handling time", "time taken", "aht",
        "duration mins", "talk time", "handle time", "time spent", "minutes spent", "time mins",
    },
    schema.CASE_ID: {
        "case id", "case", "case ref", "case reference", "reference", "ref", "case number", "case no",
        "job number", "job no", "customer ref", "id",
    },
    schema.RESOLVED_AT: {
        "resolved at", "date resolved", "resolved on", "closed", "date closed", "closed at", "completed",
        "completion date", "resolution date", "date completed",
    },
}


def field_for_header(header: object) -> str | None:
    """The canonical field a column header means, if it is a known synonym."""
    key = fold(header)
    key_plain = fold(re.sub(r"\(.*?\)", "", str(header)))  # "Duration (mins)" -> "duration"
    for field, words in HEADER_SYNONYMS.items():
        if key in words or key_plain in words or key == field.replace("_", " "):
            return field
    return None
