"""What an event log says about each step, as plain frames: the facts `workbench.flow.discover` drafts an
as-is process map from (one step per activity, its role, waits and touch times, the directly-follows counts
and where cases start per touchpoint).

The event log layer does not import `workbench.flow` (pyproject.toml's contracts): these are plain pandas
frames and numbers; the map is built from them in `workbench.flow.discover`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.demand.labels import fold
from workbench.eventlog import columns as C
from workbench.eventlog.analysis import _codes, _names, _sequence, directly_follows
from workbench.eventlog.log import EventLog

NO_ROLE = "(no role)"  # the one role of a log that names neither resources nor roles


@dataclass
class LogFacts:
    """The facts of one log (see `observe`)."""

    source: str
    cases: int
    events: int  # events in the activity sequence (complete events)
    dfg: pd.DataFrame  # from, to, count, median_wait_hours (`analysis.directly_follows`)
    activities: pd.DataFrame  # activity, events, order, role, role_share, median_wait_hours, median_touch_minutes
    roles: pd.DataFrame  # role, staff, events
    entries: pd.DataFrame  # touchpoint, activity, cases (first activity of cases by touchpoint)
    roles_from: str  # "role", "resource" or "" (neither is named in the log)
    timed_touches: int  # complete events whose touch time is known (start time or a start event)
    demand_types: tuple[str, ...] = ()  # the demand types the log's cases carry, most cases first


def _starts(log: EventLog, seq: pd.DataFrame) -> np.ndarray:
    """Per sequence event, when the activity started: the start column (Disco) where given, else the latest
    `start` lifecycle event of the same case and activity at or before it; NaT when unknown."""
    started = seq[C.START].to_numpy(dtype="datetime64[ns]").copy()
    ev = log.events
    life = ev[C.LIFECYCLE]
    if life.notna().any():
        is_start = np.array([fold(c) == "start" for c in life.cat.categories] + [False])[life.cat.codes.to_numpy()]
        if is_start.any():
            right = pd.DataFrame({"case_code": ev["case_code"].to_numpy(np.int64)[is_start],
                                  "act": _codes(ev, C.ACTIVITY)[is_start].astype(np.int64),
                                  "ts": ev[C.TIMESTAMP].to_numpy()[is_start]}).sort_values("ts", kind="stable")
            right["began"] = right["ts"]
            left = pd.DataFrame({"case_code": seq["case_code"].to_numpy(np.int64),
                                 "act": _codes(seq, C.ACTIVITY).astype(np.int64),
                                 "ts": seq[C.TIMESTAMP].to_numpy(), "i": np.arange(len(seq))})
            paired = pd.merge_asof(left.sort_values("ts", kind="stable"), right, on="ts", by=["case_code", "act"],
                                   direction="backward").sort_values("i")
            began = paired["began"].to_numpy(dtype="datetime64[ns]")
            started = np.where(np.isnat(started), began, started)
    return started


def observe(log: EventLog) -> LogFacts:
    """Per activity: its events, its place in cases (mean position of its first event in a case), the most
    frequent role (or resource, when the log names no roles) and that role's share of its events, the median
    wait before it (from the case's previous event, or from its start when known, to the event; a case's
    first event waits 0: the demand arrives there) and the median touch time (start to completion; NaN
    when no event of it has a start). Per role: staff = distinct resources seen in it (1 when the log names no
    resources). Per touchpoint: the first activity of its cases."""
    seq = _sequence(log)
    n = len(seq)
    codes = seq["case_code"].to_numpy()
    acts = _codes(seq, C.ACTIVITY).astype(np.int64)
    act_names = _names(seq, C.ACTIVITY)
    ts = seq[C.TIMESTAMP].to_numpy()
    first = np.r_[True, codes[1:] != codes[:-1]] if n else np.zeros(0, bool)
    started = _starts(log, seq)
    began = np.where(np.isnat(started), ts, started)
    prev_done = np.r_[ts[:1], ts[:-1]]
    wait_h = np.where(first, 0.0, np.maximum((began - prev_done) / np.timedelta64(1, "s"), 0.0) / 3600.0)
    touch_min = np.where(np.isnat(started), np.nan, (ts - started) / np.timedelta64(1, "s") / 60.0)
    position = np.arange(n) - np.maximum.accumulate(np.where(first, np.arange(n), 0)) if n else np.zeros(0)

    roles_given = bool(seq[C.ROLE].notna().any())
    resources_given = bool(seq[C.RESOURCE].notna().any())
    roles_from = "role" if roles_given else "resource" if resources_given else ""
    if roles_from:
        role = seq[roles_from].astype(object).where(seq[roles_from].notna(), NO_ROLE).to_numpy(dtype=object)
    else:
        role = np.full(n, NO_ROLE, dtype=object)

    frame = pd.DataFrame({"act": acts, "case": codes, "wait": wait_h, "touch": touch_min, "position": position,
                          "role": role})
    by_act = frame.groupby("act", sort=True)
    firsts = frame.drop_duplicates(["case", "act"])
    role_counts = frame.groupby(["act", "role"], sort=True).size().rename("n").reset_index()
    role_counts = role_counts.sort_values(["act", "n", "role"], ascending=[True, False, True], kind="stable")
    top = role_counts.drop_duplicates("act").set_index("act")
    events = by_act.size()
    activities = pd.DataFrame({
        "activity": [str(act_names[a]) for a in events.index],
        "events": events.to_numpy(np.int64),
        "order": firsts.groupby("act")["position"].mean().reindex(events.index).to_numpy(float),
        "role": top["role"].reindex(events.index).astype(str).to_numpy(),
        "role_share": (top["n"].reindex(events.index) / events).to_numpy(float),
        "median_wait_hours": by_act["wait"].median().to_numpy(float),
        "median_touch_minutes": by_act["touch"].median().to_numpy(float),
    }).sort_values(["order", "activity"], kind="stable").reset_index(drop=True)

    if roles_from == "role" and resources_given:
        people = pd.DataFrame({"role": role, "who": seq[C.RESOURCE].astype(object).to_numpy(dtype=object)})
        staff = people.dropna().groupby("role")["who"].nunique()
    else:
        staff = pd.Series(dtype=np.int64)
    role_events = pd.Series(role).value_counts()
    roles = pd.DataFrame({"role": [str(r) for r in role_events.index],
                          "staff": [max(int(staff.get(r, 1)), 1) for r in role_events.index],
                          "events": role_events.to_numpy(np.int64)})

    tp = seq[C.TOUCHPOINT].astype(object).to_numpy(dtype=object)[first]
    starts = pd.DataFrame({"touchpoint": tp, "activity": [str(act_names[a]) for a in acts[first]]}).dropna()
    entries = (starts.groupby(["touchpoint", "activity"]).size().rename("cases").reset_index()
               .sort_values(["cases", "touchpoint", "activity"], ascending=[False, True, True], kind="stable")
               .reset_index(drop=True))
    return LogFacts(source=log.report.source, cases=log.cases, events=n, dfg=directly_follows(log),
                    activities=activities, roles=roles, entries=entries, roles_from=roles_from,
                    timed_touches=int((~np.isnan(touch_min)).sum()), demand_types=_demand_types(log))


def _demand_types(log: EventLog) -> tuple[str, ...]:
    """The distinct demand types of the log's cases (each case's first given), most cases first."""
    ev = log.events
    given = ev[C.DEMAND_TYPE].cat.codes.to_numpy() >= 0
    if not given.any():
        return ()
    firsts = pd.DataFrame({"case": ev["case_code"].to_numpy()[given],
                           "type": ev[C.DEMAND_TYPE].to_numpy()[given]}).drop_duplicates("case")
    counts = firsts["type"].astype(str).value_counts()
    return tuple(str(t) for t in counts.index)
