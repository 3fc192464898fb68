"""Flow metrics of one simulated run, from the customer's point of view.

Definitions (docs/compare.md): the measured demands are the sample's own demands arriving after the warm-up;
demands the design generates (chases, recalls) belong to the case of the demand that caused them.
- end-to-end time: from the first contact until the need is met; a recall means it was not met, so the
  case ends when the last recall is resolved. Chases are re-contacts while waiting and do not end a case.
- one-stop: met at the first step, with no hand-off, no rework, no wait after the first step and no recall;
- failure demand generated: chases and recalls per 100 measured demands;
- staff hours: every working minute on the measured demands and on the failure demand they generated;
- flow efficiency: total touch time ÷ total end-to-end time of the measured demands.

When a design says how long callers wait before giving up (patience at a touchpoint or step), a caller who
gives up has not had the need met: a call back (failure demand, "gave up waiting") continues the same case, and
the case ends when a call back is answered and done; a case whose caller gave up for good has no end-to-end
time and is not counted as still open. Then, of the measured contacts:
- callers who gave up: the share that gave up at some queue;
- answered within X seconds (the service level): of the contacts that queued where callers can give up (their
  first step), the share answered within X seconds; one who gave up was not answered within X;
- answer wait (mean, 90th percentile): seconds from joining that queue to being answered, answered ones only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench import spc
from workbench.sim.calendar import MINUTES_PER_DAY
from workbench.sim.engine import CALL_BACK, RunResult

FTE_HOURS_PER_WEEK = 37.5

HEADLINE = ("e2e_days_median", "e2e_days_p85", "e2e_days_p95", "e2e_days_mean", "one_stop_share", "handoffs_mean",
            "steps_mean", "value_step_share", "touch_minutes_mean", "flow_efficiency", "failure_demand_per_100",
            "staff_hours_total", "staff_hours_per_demand", "failure_staff_hours", "failure_fte",
            "throughput_per_day", "wip_mean", "unfinished")

LABELS = {
    "e2e_days_median": "End-to-end days (median)",
    "e2e_days_p85": "End-to-end days (85th percentile)",
    "e2e_days_p95": "End-to-end days (95th percentile)",
    "e2e_days_mean": "End-to-end days (mean)",
    "one_stop_share": "Resolved at one stop",
    "handoffs_mean": "Hand-offs per demand",
    "steps_mean": "Steps per demand",
    "value_step_share": "Value-step share",
    "touch_minutes_mean": "Touch minutes per demand",
    "flow_efficiency": "Flow efficiency",
    "failure_demand_per_100": "Failure demand caused per 100",
    "staff_hours_total": "Staff hours (total)",
    "staff_hours_per_demand": "Staff hours per demand",
    "failure_staff_hours": "Staff hours on failure demand",
    "failure_fte": "FTE absorbed by failure demand",
    "throughput_per_day": "Demands met per day",
    "wip_mean": "Demands in progress (average)",
    "unfinished": "Still open at the end",
}
QUEUE_KEYS = ("abandoned_share", "answered_within_share", "answer_wait_seconds_mean", "answer_wait_seconds_p90")
LABELS.update({
    "abandoned_share": "Callers who gave up",
    "answered_within_share": "Answered within 20 seconds",
    "answer_wait_seconds_mean": "Seconds to answer (mean)",
    "answer_wait_seconds_p90": "Seconds to answer (90th percentile)",
})


def answered_within_label(seconds: float) -> str:
    return f"Answered within {seconds:g} seconds"


LOWER_IS_BETTER = {"abandoned_share", "answer_wait_seconds_mean", "answer_wait_seconds_p90", "e2e_days_median", "e2e_days_p85", "e2e_days_p95", "e2e_days_mean", "handoffs_mean",
                   "steps_mean", "failure_demand_per_100", "staff_hours_total", "staff_hours_per_demand",
                   "failure_staff_hours", "failure_fte", "wip_mean", "unfinished"}


def case_view(run: RunResult, include_warmup: bool = False) -> pd.DataFrame:
    """One row per measured demand of the sample (with `include_warmup`, the warm-up's demands too), with its
    case's totals and customer-clock times."""
    df = run.demands
    if df.empty:
        return df
    minute_cols = [c for c in df.columns if c.startswith("minutes_")]
    original = df[(df["generated"] == "") & (df["measured"] | include_warmup)].copy()
    # recalls, and call backs of callers who gave up, continue the case: it ends when the last is done
    recalls = df[df["generated"].isin(("recall", CALL_BACK))]
    gave_up = recalls["abandoned"].to_numpy(dtype=bool) if "abandoned" in recalls else np.zeros(len(recalls), bool)
    last_recall = recalls[~gave_up].groupby("case")["resolved"].max()
    unfinished_recall = recalls[recalls["resolved"].isna() & ~gave_up].groupby("case").size()
    end = original["resolved"].to_numpy().copy()
    lr = original["case"].map(last_recall).to_numpy(dtype=float)
    end = np.where(np.isnan(lr), end, np.fmax(end, lr))
    open_recall = original["case"].map(unfinished_recall).fillna(0).to_numpy() > 0
    end = np.where(open_recall, np.nan, end)
    original["case_end"] = end
    # a caller who gave up and never had the need met: no end, and not still open either
    abandoned = original["abandoned"].to_numpy(dtype=bool) if "abandoned" in original else False
    original["gave_up"] = np.isnan(end) & ~open_recall & abandoned
    original["e2e_days"] = (original["case_end"] - original["arrival"]) / MINUTES_PER_DAY
    generated = df[df["generated"] != ""]
    per_case = generated.groupby("case").agg(generated_demands=("id", "size"))
    per_case_minutes = df.groupby("case")[minute_cols].sum() if minute_cols else None
    original["generated_demands"] = original["case"].map(per_case["generated_demands"]).fillna(0).astype(int)
    if per_case_minutes is not None:
        original["case_staff_minutes"] = original["case"].map(per_case_minutes.sum(axis=1)).fillna(0.0)
    else:
        original["case_staff_minutes"] = 0.0
    return original


def summarise(run: RunResult, weeks: float, answer_within_seconds: float = 20) -> dict[str, float]:
    """Headline metrics of one run (see module docstring for definitions). The queue measures (`QUEUE_KEYS`)
    are there only when the design says how long callers wait before giving up."""
    df = run.demands
    cases = case_view(run)
    n = len(cases)
    done = cases["e2e_days"].dropna()
    minute_cols = [c for c in df.columns if c.startswith("minutes_")]
    measured_cases = set(cases["case"])
    in_scope = df[df["case"].isin(measured_cases)]
    staff_minutes = float(in_scope[minute_cols].to_numpy().sum()) if minute_cols else 0.0
    failure_rows = in_scope[(in_scope["nature"] == "failure") | (in_scope["generated"] != "")]
    failure_minutes = float(failure_rows[minute_cols].to_numpy().sum()) if minute_cols else 0.0
    days = max((run.measured_end - run.measured_start) / MINUTES_PER_DAY, 1.0)
    flow = daily_flow(run)
    out = {
        "demands": float(n),
        "e2e_days_median": float(done.median()) if len(done) else np.nan,
        "e2e_days_p85": float(done.quantile(0.85)) if len(done) else np.nan,
        "e2e_days_p95": float(done.quantile(0.95)) if len(done) else np.nan,
        "e2e_days_mean": float(done.mean()) if len(done) else np.nan,
        # a share of resolved demands: none resolved is no share at all (never "100% at first contact")
        "one_stop_share": float(cases["one_stop"].mean()) if n and len(done) else np.nan,
        "handoffs_mean": float(cases["handoffs"].mean()) if n else np.nan,
        "steps_mean": float(cases["steps"].mean()) if n else np.nan,
        "value_step_share": float(cases["value_steps"].sum() / cases["steps"].sum()) if cases["steps"].sum() else np.nan,
        "touch_minutes_mean": float(cases["touch_minutes"].mean()) if n else np.nan,
        "flow_efficiency": float(cases.loc[done.index, "touch_minutes"].sum() / (done.sum() * MINUTES_PER_DAY))
        if done.sum() > 0 else np.nan,
        "failure_demand_per_100": float(100.0 * cases["generated_demands"].sum() / n) if n else np.nan,
        "staff_hours_total": staff_minutes / 60.0,
        "staff_hours_per_demand": staff_minutes / 60.0 / n if n else np.nan,
        "failure_staff_hours": failure_minutes / 60.0,
        "failure_fte": failure_minutes / 60.0 / (FTE_HOURS_PER_WEEK * max(weeks, 1e-9)),
        "throughput_per_day": float(flow["met"].sum() / days),
        "wip_mean": float(flow["wip"].mean()) if len(flow) else np.nan,
        "unfinished": float((cases["case_end"].isna() & ~cases["gave_up"]).sum()) if n else 0.0,
        "resolved": float(len(done)),
    }
    if run.patience and n:
        out.update(_queue_measures(cases, answer_within_seconds))
    for rec in run.roles.to_dict("records"):
        out[f"utilisation_{rec['role']}"] = float(rec["utilisation"])
    return out


def _queue_measures(cases: pd.DataFrame, answer_within_seconds: float) -> dict[str, float]:
    out = {"abandoned_share": float(cases["abandoned"].mean())}
    at_queue = cases[cases["patience_at_answer"]]
    wait = at_queue["answer_wait_minutes"].to_numpy(dtype=float) * 60.0
    # gave up at the answering queue: joined it, never answered there (answered ones have a start)
    answered = ~(at_queue["abandoned"].to_numpy(dtype=bool) & (at_queue["steps"].to_numpy() == 0))
    within = answered & (wait <= answer_within_seconds + 1e-9)
    out["answered_within_share"] = float(within.mean()) if len(at_queue) else np.nan
    waits = wait[answered]
    out["answer_wait_seconds_mean"] = float(waits.mean()) if len(waits) else np.nan
    out["answer_wait_seconds_p90"] = float(np.quantile(waits, 0.9)) if len(waits) else np.nan
    return out


def queues(run: RunResult) -> pd.DataFrame:
    """Queueing by step and role, for the measured demands and the failure demand they caused: visits, minutes
    in the queue (mean, 90th percentile; waiting for opening time or a shift included) and callers who gave up."""
    columns = ["step", "role", "visits", "queue_minutes_mean", "queue_minutes_p90", "abandoned"]
    v = run.visits
    if v is None or v.empty or run.demands.empty:
        return pd.DataFrame(columns=columns)
    cases = set(case_view(run)["case"])
    ids = run.demands.loc[run.demands["case"].isin(cases), "id"]
    v = v[v["id"].isin(set(ids))]
    if v.empty:
        return pd.DataFrame(columns=columns)
    g = v.groupby(["step", "role"], sort=False)
    out = g.agg(visits=("id", "size"), queue_minutes_mean=("queue_minutes", "mean"),
                queue_minutes_p90=("queue_minutes", lambda x: float(np.quantile(x, 0.9))),
                abandoned=("abandoned", "sum")).reset_index()
    out["abandoned"] = out["abandoned"].astype(int)
    return out[columns]


def daily_flow(run: RunResult, cases: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per measured day: demands arrived, needs met, demands in progress at the end of the day, and the
    mean end-to-end days of the needs met that day. Demands of the warm-up still in progress count too, so
    work in progress does not start from an empty system."""
    cases = case_view(run, include_warmup=True) if cases is None else cases
    start, end = run.measured_start, run.measured_end
    days = np.arange(start, end, MINUTES_PER_DAY)
    arr = np.sort(cases["arrival"].to_numpy())
    ends = cases["case_end"].to_numpy()
    ends_sorted = np.sort(np.where(np.isnan(ends), np.inf, ends))
    rows = []
    for d in days:
        close = d + MINUTES_PER_DAY
        arrived = int(np.searchsorted(arr, close) - np.searchsorted(arr, d))
        met_mask = (ends >= d) & (ends < close)
        in_progress = int(np.searchsorted(arr, close)) - int(np.searchsorted(ends_sorted, close))
        rows.append({"day": (d - start) / MINUTES_PER_DAY, "arrived": arrived, "met": int(met_mask.sum()),
                     "wip": in_progress,
                     "e2e_days_mean": float(np.nanmean(cases["e2e_days"].to_numpy()[met_mask]))
                     if met_mask.any() else np.nan})
    return pd.DataFrame(rows)


def capability(run: RunResult) -> pd.DataFrame:
    """XmR table of the daily mean end-to-end days of needs met: the design's capability chart."""
    flow = daily_flow(run).dropna(subset=["e2e_days_mean"])
    return spc.xmr(flow["e2e_days_mean"].to_numpy(), pd.Index(flow["day"]), lower_bound=0.0)


def per_type(run: RunResult) -> pd.DataFrame:
    cases = case_view(run)
    g = cases.groupby("demand_type", dropna=False)
    out = pd.DataFrame({
        "demands": g.size(),
        "e2e_days_median": g["e2e_days"].median(),
        "e2e_days_p85": g["e2e_days"].quantile(0.85),
        "one_stop_share": g["one_stop"].mean(),
        "handoffs_mean": g["handoffs"].mean(),
        "touch_minutes_mean": g["touch_minutes"].mean(),
        "failure_demand_per_100": 100.0 * g["generated_demands"].sum() / g.size(),
    })
    return out.sort_values("demands", ascending=False).reset_index()


def failure_hours(run: RunResult, weeks: float) -> pd.DataFrame:
    """Staff hours and FTE absorbed by failure demand, by cause and by the step that caused it."""
    df = run.demands
    cases = set(case_view(run)["case"])
    df = df[df["case"].isin(cases)]
    minute_cols = [c for c in df.columns if c.startswith("minutes_")]
    failure = df[(df["nature"] == "failure") | (df["generated"] != "")].copy()
    if failure.empty or not minute_cols:
        return pd.DataFrame(columns=["source", "cause", "caused_by_step", "demands", "staff_hours", "fte"])
    failure["staff_minutes"] = failure[minute_cols].sum(axis=1)
    failure["source"] = np.where(failure["generated"] != "", "caused by this design", "in the demand sample")
    failure["cause"] = np.where(failure["generated"] == "recall", "repeat / recall",
                                np.where(failure["generated"] == "chase", "progress chasing",
                                         failure["cause"].replace("", "cause not recorded")))
    g = failure.groupby(["source", "cause", "caused_by_step"], dropna=False)
    out = g.agg(demands=("id", "size"), staff_minutes=("staff_minutes", "sum")).reset_index()
    out["staff_hours"] = out["staff_minutes"] / 60.0
    out["fte"] = out["staff_hours"] / (FTE_HOURS_PER_WEEK * max(weeks, 1e-9))
    return out.drop(columns="staff_minutes").sort_values("staff_hours", ascending=False).reset_index(drop=True)
