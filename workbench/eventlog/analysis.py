"""What an event log says per case and per step: the roll-up to one demand per case (so every demand chart
works), directly-follows counts with their waits, variants, and the summary `workbench log summary` prints.

All vectorised on the case codes (events are sorted by case then time): no Python loop per case.
"""

from __future__ import annotations

from typing import Any, TypedDict

import numpy as np
import pandas as pd

from workbench import schema
from workbench.demand.labels import fold, fold_keep
from workbench.eventlog import columns as C
from workbench.eventlog.log import EventLog

START = "(start)"
END = "(end)"
ROLLUP_EXTRA: tuple[str, ...] = ("events", "activities", "handoffs", "rework")
FLAG_TABLE_CELLS = 50_000_000  # cases x activities up to which distinct activities are counted in a flag table


def _sequence(log: EventLog) -> pd.DataFrame:
    ev = log.events
    complete = ev["complete"].to_numpy()
    return ev if complete.all() else ev[complete]


def _codes(events: pd.DataFrame, column: str) -> np.ndarray:
    """A categorical event column's integer codes (-1 for blank)."""
    return events[column].cat.codes.to_numpy()


def _names(events: pd.DataFrame, column: str) -> np.ndarray:
    return np.asarray(events[column].cat.categories, dtype=object)


def _first_given(events: pd.DataFrame, column: str, n: int) -> np.ndarray:
    """Per case, the first non-blank value of a column (blank when the case has none)."""
    values = _codes(events, column)
    given = values >= 0
    codes = events["case_code"].to_numpy()[given]
    out = np.full(n, "", dtype=object)
    if given.any():
        first = np.r_[True, codes[1:] != codes[:-1]]
        out[codes[first]] = _names(events, column)[values[given][first]]
    return out


def _changes(events: pd.DataFrame, column: str) -> np.ndarray:
    """Per event, whether the column's value changed from the case's previous event (both given)."""
    v = _codes(events, column)
    codes = events["case_code"].to_numpy()
    prev_same = np.r_[False, codes[1:] == codes[:-1]]
    given = v >= 0
    prev_given = np.r_[False, given[:-1]]
    differ = np.r_[False, v[1:] != v[:-1]]
    return prev_same & given & prev_given & differ


def per_case(log: EventLog) -> pd.DataFrame:
    """Per case (index = case code): case, first/last time, events, distinct activities, hand-offs, rework."""
    ev = log.events
    n = log.cases
    codes = ev["case_code"].to_numpy()
    ts = ev[C.TIMESTAMP].to_numpy()
    first = np.r_[True, codes[1:] != codes[:-1]]
    last = np.r_[codes[1:] != codes[:-1], True]
    first_at = ts[first]
    started = ev[C.START].to_numpy()
    if not np.isnat(started).all():  # a case is received when its first activity started
        earliest = pd.Series(started).groupby(codes).min().reindex(range(n)).to_numpy(dtype="datetime64[ns]")
        first_at = np.where(~np.isnat(earliest) & (earliest < first_at), earliest, first_at)
    seq = _sequence(log)
    seq_codes = seq["case_code"].to_numpy()
    events = np.bincount(seq_codes, minlength=n)
    act_codes = _codes(seq, C.ACTIVITY).astype(np.int64)
    width = int(act_codes.max(initial=0)) + 1
    if n * width <= FLAG_TABLE_CELLS:  # a case-by-activity table of flags: a few MB, no hashing
        seen = np.zeros(n * width, dtype=bool)
        seen[seq_codes.astype(np.int64) * width + act_codes] = True
        activities = seen.reshape(n, width).sum(axis=1)
    else:
        first_seen = ~pd.Series(seq_codes.astype(np.int64) * width + act_codes).duplicated().to_numpy()
        activities = np.bincount(seq_codes[first_seen], minlength=n)
    handoff = _changes(seq, C.RESOURCE) | _changes(seq, C.ROLE)
    handoffs = np.bincount(seq_codes[handoff], minlength=n)
    return pd.DataFrame({
        "case": _names(ev, C.CASE)[_codes(ev, C.CASE)[first]], "first_at": first_at, "last_at": ts[last],
        "first_row": ev["row"].to_numpy()[first], "events": events, "activities": activities,
        "handoffs": handoffs, "rework": events - activities}, copy=False)


def rollup(log: EventLog, resolved_activity: str | None = None) -> pd.DataFrame:
    """One demand per case, with the columns of `schema.CLEAN_COLUMNS` (so every demand chart works) and then
    `ROLLUP_EXTRA`: received = the first event; resolved = the last event, or the first event of
    `resolved_activity` when one is named (blank for a case that never reached it); touchpoint, type and
    words = the first value given in the case; one stop = no hand-off in a case whose resources or roles
    are known; nature unclassified (the team classifies types, as for any demand file)."""
    ev = log.events
    n = log.cases
    cases = per_case(log)
    resolved = cases["last_at"].to_numpy()
    if resolved_activity:
        named = np.array([fold(a) == fold(resolved_activity) for a in _names(ev, C.ACTIVITY)] + [False])
        hit = named[_codes(ev, C.ACTIVITY)]
        resolved = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        codes = ev["case_code"].to_numpy()[hit]
        first_hit = np.r_[True, codes[1:] != codes[:-1]] if len(codes) else np.zeros(0, bool)
        resolved[codes[first_hit]] = ev[C.TIMESTAMP].to_numpy()[hit][first_hit]
    touchpoint = _first_given(ev, C.TOUCHPOINT, n)
    touchpoint = np.where(touchpoint == "", schema.UNKNOWN_TOUCHPOINT, touchpoint)
    tp_codes, tp_names = pd.factorize(touchpoint)
    tp_keys = np.array([fold_keep(t) for t in tp_names], dtype=object)
    known_people = bool(ev[C.RESOURCE].notna().any() or ev[C.ROLE].notna().any())
    one_stop = pd.arrays.BooleanArray(cases["handoffs"].to_numpy() == 0, np.full(n, not known_people))
    tp = pd.Series(touchpoint, dtype="str")
    blank = pd.Series(np.full(n, "", dtype=object), dtype="str")
    out = pd.DataFrame({
        schema.ROW: cases["first_row"].to_numpy(np.int64),
        schema.RECEIVED_AT: cases["first_at"].to_numpy(),
        schema.TOUCHPOINT: tp,
        schema.CUSTOMER_WORDS: pd.Series(_first_given(ev, C.CUSTOMER_WORDS, n), dtype="str"),
        schema.DEMAND_TYPE: pd.Series(_first_given(ev, C.DEMAND_TYPE, n), dtype="str"),
        schema.NATURE: pd.Categorical.from_codes(np.full(n, schema.NATURES.index(schema.UNCLASSIFIED), np.int8),
                                                 categories=pd.Index(list(schema.NATURES), dtype=object)),
        schema.FAILURE_CAUSE: blank,
        schema.ONE_STOP: one_stop,
        schema.HANDLING_MINUTES: np.full(n, np.nan),
        schema.CASE_ID: pd.Series(cases["case"].to_numpy(), dtype="str"),
        schema.RESOLVED_AT: pd.Series(resolved, dtype="datetime64[ns]"),
        schema.QUEUE_SECONDS: np.full(n, np.nan),  # an event log records no queue waits
        schema.ABANDONED: pd.arrays.BooleanArray(np.zeros(n, dtype=bool), np.ones(n, dtype=bool)),
        schema.TOUCHPOINT_KEY: pd.Series(tp_keys[tp_codes], dtype="str"),
        schema.NATURE_SOURCE: blank,
    })
    for name in ROLLUP_EXTRA:
        out[name] = cases[name].to_numpy(np.int64)
    return out


def directly_follows(log: EventLog) -> pd.DataFrame:
    """How often each activity directly follows another in a case, with the median wait between them in
    hours; `(start)` -> first activity and last activity -> `(end)` included (no wait). Columns: from, to,
    count, median_wait_hours; most frequent first."""
    seq = _sequence(log)
    if len(seq) == 0:
        return pd.DataFrame({"from": [], "to": [], "count": [], "median_wait_hours": []})
    codes = seq["case_code"].to_numpy()
    acts = _codes(seq, C.ACTIVITY).astype(np.int64)
    names = np.array([*_names(seq, C.ACTIVITY), START, END], dtype=object)
    start_code, end_code = len(names) - 2, len(names) - 1
    ts = seq[C.TIMESTAMP].to_numpy()
    same = codes[1:] == codes[:-1]
    first = np.r_[True, ~same]
    last = np.r_[~same, True]
    wait = (ts[1:][same] - ts[:-1][same]) / np.timedelta64(1, "s") / 3600.0
    n_first, n_last = int(first.sum()), int(last.sum())
    src = np.concatenate([np.full(n_first, start_code), acts[:-1][same], acts[last]])
    dst = np.concatenate([acts[first], acts[1:][same], np.full(n_last, end_code)])
    waits = np.concatenate([np.full(n_first, np.nan), wait, np.full(n_last, np.nan)])
    pairs = pd.DataFrame({"pair": src * len(names) + dst, "wait": waits})
    grouped = pairs.groupby("pair", sort=True)["wait"].agg(["size", "median"])
    keys = grouped.index.to_numpy()
    out = pd.DataFrame({"from": names[keys // len(names)], "to": names[keys % len(names)],
                        "count": grouped["size"].to_numpy(np.int64), "median_wait_hours": grouped["median"].to_numpy()})
    return out.sort_values(["count", "from", "to"], ascending=[False, True, True], kind="stable").reset_index(drop=True)


def variants(log: EventLog) -> pd.DataFrame:
    """Distinct activity sequences with how many cases follow each: columns variant (the activities joined by
    ' > '), steps, cases, share; most common first."""
    seq = _sequence(log)
    if len(seq) == 0:
        return pd.DataFrame({"variant": [], "steps": [], "cases": [], "share": []})
    act_codes, acts = _codes(seq, C.ACTIVITY), _names(seq, C.ACTIVITY)
    width = 1 + int(np.log10(max(len(acts), 1)))
    tokens = pd.Series(act_codes).astype(str).str.zfill(width) + ","
    keys = tokens.groupby(seq["case_code"].to_numpy()).sum()  # one string per case, built by pandas
    counts = keys.value_counts()
    names = np.asarray(acts, dtype=object)
    variant = [" > ".join(names[int(t)] for t in k.rstrip(",").split(",")) for k in counts.index]
    steps = [k.count(",") for k in counts.index]
    out = pd.DataFrame({"variant": variant, "steps": steps, "cases": counts.to_numpy(),
                        "share": counts.to_numpy() / counts.sum()})
    return out.sort_values(["cases", "variant"], ascending=[False, True], kind="stable").reset_index(drop=True)


class LogSummary(TypedDict):
    cases: int
    events: int
    activities: int
    variants: int
    top_variants: list[dict[str, Any]]
    first_event: str | None
    last_event: str | None
    completed_cases: int
    end_to_end_days: dict[str, float | None]
    events_per_case: dict[str, float | None]
    handoffs_per_case: float | None
    cases_with_rework: int
    directly_follows: list[dict[str, Any]]


def _quantiles(values: np.ndarray) -> dict[str, float | None]:
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return {"median": None, "p85": None, "p95": None}
    q = np.quantile(values, [0.5, 0.85, 0.95])
    return {"median": round(float(q[0]), 3), "p85": round(float(q[1]), 3), "p95": round(float(q[2]), 3)}


def summary(log: EventLog, resolved_activity: str | None = None, top: int = 10) -> LogSummary:
    """Cases, events, activities, the top variants, end-to-end days of completed cases (median, 85th, 95th
    percentile), events per case, hand-offs, rework and the most frequent directly-follows pairs."""
    demand = rollup(log, resolved_activity)
    var = variants(log)
    dfg = directly_follows(log)
    done = demand[schema.RESOLVED_AT].notna().to_numpy()
    spans = demand[schema.RESOLVED_AT].to_numpy("datetime64[ns]") - demand[schema.RECEIVED_AT].to_numpy("datetime64[ns]")
    days = spans / np.timedelta64(1, "D")
    per = demand["events"].to_numpy(float)
    ts = log.events[C.TIMESTAMP]
    return {
        "cases": len(demand), "events": len(log.events),
        "activities": len(np.unique(_codes(_sequence(log), C.ACTIVITY))),
        "variants": len(var),
        "top_variants": [{"variant": str(v), "steps": int(k), "cases": int(c), "share": round(float(s), 4)}
                         for v, k, c, s in zip(var["variant"].tolist()[:top], var["steps"].tolist()[:top],
                                               var["cases"].tolist()[:top], var["share"].tolist()[:top],
                                               strict=True)],
        "first_event": str(ts.min()) if len(ts) else None, "last_event": str(ts.max()) if len(ts) else None,
        "completed_cases": int(done.sum()),
        "end_to_end_days": _quantiles(days[done]),
        "events_per_case": {**_quantiles(per), "mean": round(float(per.mean()), 3) if len(per) else None},
        "handoffs_per_case": round(float(demand["handoffs"].mean()), 3) if len(demand) else None,
        "cases_with_rework": int((demand["rework"] > 0).sum()),
        "directly_follows": [{"from": str(f), "to": str(t), "count": int(c),
                              "median_wait_hours": None if np.isnan(w) else round(float(w), 3)}
                             for f, t, c, w in zip(dfg["from"].tolist(), dfg["to"].tolist(),
                                                   dfg["count"].to_numpy(np.int64).tolist(),
                                                   dfg["median_wait_hours"].to_numpy(float).tolist(), strict=True)][:top * 2],
    }
