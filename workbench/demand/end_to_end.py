"""The customer's clock, measured from the demand itself: days from the first contact to the need met.

Rules (docs/data-contracts.md, "End-to-end time"):
- one need per case: rows that share a non-blank `case_id` (trimmed) are one customer need; a row without a
  case id is a need of its own;
- received = the first contact's `received_at` (earliest date; the earlier row in the file on a tie); met = the
  latest `resolved_at` of any row of the case; a need none of whose rows is resolved is open;
- end-to-end days = (met - received) in days, fractional; an open need's age so far is measured to the last
  date in the data (the latest received or resolved date), and open needs are counted and shown, never dropped;
- a need met before it was received (a typing slip) is counted apart and left out of the figures;
- figures of met needs: median, 85th and 95th percentile with numpy's default (linear) method;
- the type, touchpoint and value/failure of a need are those of its first contact;
- the capability series is the mean end-to-end days of the needs that *arrived* each day or week (by their first
  contact), as an XmR table (`workbench.spc`), split before/after a change like the other behaviour charts. Only
  needs that had time to finish are in it: the run-out window is the time within which 95 in 100 needs are met,
  estimated from the data with the open needs counted by how long they have waited so far (Kaplan-Meier,
  `spc.finish_within`), and arrival days later than the last date in the data minus that window are left out
  (`spc.arrival_window`; `EndToEnd.window` says which days, in words). Open needs of the charted days are not in
  the averages (they are counted). Its centre line is the mean of every need charted (weighted by needs per
  point), the same figure as `EndToEnd.window.mean_days`. By the day met instead, a sample shorter than the lead
  time would chart only the quick needs and climb at its end; by arrival without the window, it would drop;
- repeat contacts: the contacts of a case after its first are about a need already raised. They are counted
  (total, share of demand, by their own type); those not already failure demand are *suggested* as failure
  demand "repeat contact": a suggestion for the team, never applied here.

Every function returns small, tidy frames or plain dicts: charts and the CLI never see the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TypedDict

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.api.extensions import ExtensionArray

from workbench import schema, spc
from workbench.demand import analysis

REPEAT_CAUSE = "repeat contact"
NEED = "need"
FIRST_ROW = "first_row"
CONTACTS = "contacts"
MET = "met"
DAYS = "days"  # end-to-end days of a met need; the age so far of an open need
STATUS_MET = "Met"
STATUS_OPEN = "Open (waiting so far)"
GROUP_FIELDS = {schema.DEMAND_TYPE: "Demand type", schema.TOUCHPOINT: "Touchpoint", schema.NATURE: "Value or failure"}
PERCENTILES = (50, 85, 95)

NO_DATES = ("This demand was read without dates, so the time from first contact to need met cannot be measured. "
            "Load a file with a date received and a date resolved to see it.")
NO_RESOLVED = ("This demand has no date resolved (no column for it, or the column is empty), so the time from "
               "first contact to need met cannot be measured. Map the column that says when each need was met "
               "(\"Date resolved\") under \"How the file is read\", or load a file that has one.")
NO_CASES = ("This demand has no case id, so contacts about the same need cannot be linked and repeat contacts "
            "cannot be counted.")


def _case_ids(df: pd.DataFrame) -> pd.Series:
    """The case ids as trimmed text ('' where there is none), vectorised: a column of 100k ids costs milliseconds."""
    return df[schema.CASE_ID].astype("string").fillna("").str.strip()


def _case_keys(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(need key per row, whether the row has a case id): a whole number per case, and one of its own for each
    row without a case id."""
    ids = _case_ids(df)
    has_case = (ids != "").to_numpy(dtype=bool)
    codes, _ = pd.factorize(ids)
    first_free = int(codes.max()) + 1 if len(codes) else 0
    keys = np.where(has_case, codes, first_free + np.arange(len(df)))
    return keys.astype(np.int64), has_case


def _text(series: pd.Series, at: np.ndarray | None = None, missing: str | None = None
          ) -> ExtensionArray | np.ndarray:
    """The labels as text (a missing one as `missing`, else as "nan"), at positions `at`. A label column is
    categorical: its few categories are made text once and the codes taken in Arrow, instead of 100,000 Python
    strings made and read back again at every correction."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        names = [str(c) for c in series.cat.categories] + [missing if missing is not None else "nan"]
        codes = series.cat.codes.to_numpy()
        codes = np.where(codes < 0, len(names) - 1, codes)
        return pd.array(pa.array(names, type=pa.large_string()).take(pa.array(codes if at is None else codes[at])),
                        dtype="str")
    text = (series.astype("object").fillna(missing) if missing is not None else series).astype(str).to_numpy()
    return text if at is None else text[at]


def _contacts(df: pd.DataFrame) -> pd.DataFrame:
    """The rows in contact order (date received, then row), with their need key and contact number in it."""
    keys, has_case = _case_keys(df)
    out = pd.DataFrame({
        NEED: keys,
        "has_case": has_case,
        "case_text": _case_ids(df).to_numpy(dtype=object),
        schema.ROW: df[schema.ROW].to_numpy(),
        schema.RECEIVED_AT: df[schema.RECEIVED_AT].array,  # .array keeps a time zone (to_numpy would not)
        schema.RESOLVED_AT: df[schema.RESOLVED_AT].array,
        schema.DEMAND_TYPE: _text(df[schema.DEMAND_TYPE], missing=analysis.NO_TYPE),
        schema.TOUCHPOINT: _text(df[schema.TOUCHPOINT]),
        schema.NATURE: _text(df[schema.NATURE]),
    })
    out = out.sort_values([schema.RECEIVED_AT, schema.ROW], kind="stable", na_position="last")
    out["contact"] = out.groupby(NEED, sort=False).cumcount()
    return out.reset_index(drop=True)


def needs(df: pd.DataFrame, contacts: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per need: need, first_row, contacts, received_at (first contact), resolved_at (latest; NaT when
    open), met (bool), days (end-to-end days when met, the age so far when open), and the first contact's
    demand_type, touchpoint and nature. `as_of` (the last date in the data) is in `.attrs`. `contacts` is
    `_contacts(df)` when the caller has it already."""
    contacts = _contacts(df) if contacts is None else contacts
    firsts = contacts[contacts["contact"] == 0].set_index(NEED)
    grouped = contacts.groupby(NEED, sort=False)
    out = pd.DataFrame({
        FIRST_ROW: firsts[schema.ROW],
        CONTACTS: grouped.size().reindex(firsts.index),
        schema.RECEIVED_AT: firsts[schema.RECEIVED_AT],
        schema.RESOLVED_AT: grouped[schema.RESOLVED_AT].max().reindex(firsts.index),
        schema.DEMAND_TYPE: firsts[schema.DEMAND_TYPE],
        schema.TOUCHPOINT: firsts[schema.TOUCHPOINT],
        schema.NATURE: firsts[schema.NATURE],
    })
    out[MET] = out[schema.RESOLVED_AT].notna()
    last = pd.concat([contacts[schema.RECEIVED_AT], contacts[schema.RESOLVED_AT]]).max()
    end = out[schema.RESOLVED_AT].where(out[MET], last)
    out[DAYS] = pd.to_timedelta(end - out[schema.RECEIVED_AT]).dt.total_seconds() / 86400.0
    # the need as people read it: 'case:HR-1043', or 'row:17' for a row without a case id
    named = np.where(firsts["has_case"].to_numpy(dtype=bool), "case:" + firsts["case_text"].astype(str),
                     "row:" + firsts[schema.ROW].astype(str))
    out.index = pd.Index(named, name=NEED)
    out = out.reset_index()
    out.attrs["as_of"] = last
    out.attrs["last_received"] = contacts[schema.RECEIVED_AT].max()
    return out


def _percentiles(days: np.ndarray) -> dict[str, float | None]:
    if not len(days):
        return {"median_days": None, "p85_days": None, "p95_days": None}
    p50, p85, p95 = (float(v) for v in np.percentile(days, PERCENTILES))
    return {"median_days": p50, "p85_days": p85, "p95_days": p95}


def _valid_met(frame: pd.DataFrame) -> pd.Series:
    """Met needs whose end-to-end time is usable (not met before received)."""
    return frame[MET] & (frame[DAYS] >= 0)


def by_group(need_frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per demand type, touchpoint or nature (of the first contact): needs, met, open, median/p85/p95 days of
    the met needs (NaN where none is met), most needs first."""
    # one pass over the groups' codes, not a frame per group (a correction on 100,000 rows redraws these)
    codes, names = pd.factorize(need_frame[by], sort=False)  # a missing value is -1: left out, as groupby does
    known = codes >= 0
    valid = _valid_met(need_frame).to_numpy(dtype=bool) & known
    met = need_frame[MET].to_numpy(dtype=bool)
    size = np.bincount(codes[known], minlength=len(names))
    met_count = np.bincount(codes[known & met], minlength=len(names))
    order = np.argsort(codes[valid], kind="stable")
    valid_days = need_frame[DAYS].to_numpy()[valid][order]
    bounds = np.searchsorted(codes[valid][order], np.arange(len(names) + 1))
    rows = [{by: str(name), "needs": int(size[i]), "met": int(met_count[i]), "open": int(size[i] - met_count[i]),
             **_percentiles(valid_days[bounds[i]:bounds[i + 1]])} for i, name in enumerate(names)]
    out = pd.DataFrame(rows, columns=[by, "needs", "met", "open", "median_days", "p85_days", "p95_days"])
    out = out.sort_values(["needs", by], ascending=[False, True], kind="stable").reset_index(drop=True)
    return out.astype({"median_days": float, "p85_days": float, "p95_days": float})


def _bin_width(top: float) -> float:
    for width in (0.25, 0.5, 1, 2, 5, 7, 14, 28, 50, 100, 200):
        if top / width <= 50:
            return float(width)
    return float(np.ceil(top / 50))


def distribution(need_frame: pd.DataFrame) -> pd.DataFrame:
    """A histogram, tidy: status (met / open), bin_start, bin_end (days), needs. Open needs are binned by their
    age so far, so they show beside the met ones."""
    days = need_frame[DAYS].to_numpy(dtype=float)
    usable = np.isfinite(days) & (days >= 0)
    if not usable.any():
        return pd.DataFrame({"status": pd.Series(dtype=str), "bin_start": pd.Series(dtype=float),
                             "bin_end": pd.Series(dtype=float), "needs": pd.Series(dtype=int)})
    width = _bin_width(float(days[usable].max()))
    bins = np.floor(days[usable] / width).astype(np.int64)
    status = np.where(need_frame[MET].to_numpy()[usable], STATUS_MET, STATUS_OPEN)
    counts = pd.DataFrame({"status": status, "bin": bins}).value_counts().rename("needs").reset_index()
    counts["bin_start"] = counts["bin"] * width
    counts["bin_end"] = counts["bin_start"] + width
    return counts.sort_values(["status", "bin"]).reset_index(drop=True)[["status", "bin_start", "bin_end", "needs"]]


def ecdf(need_frame: pd.DataFrame) -> pd.DataFrame:
    """days, share: the share of met needs met within each distinct end-to-end time (at most ~200 points)."""
    days = np.sort(need_frame.loc[_valid_met(need_frame), DAYS].to_numpy(dtype=float))
    if not len(days):
        return pd.DataFrame({"days": pd.Series(dtype=float), "share": pd.Series(dtype=float)})
    share = np.arange(1, len(days) + 1) / len(days)
    if len(days) > 200:
        pick = np.unique(np.linspace(0, len(days) - 1, 200).round().astype(int))
        days, share = days[pick], share[pick]
    return pd.DataFrame({"days": days, "share": share})


def arrival_window(need_frame: pd.DataFrame) -> tuple[spc.Window, np.ndarray]:
    """Which arrival days the capability chart shows (dated) and a mask of the needs it holds (see the module
    docstring): day 0 is the first day received; the data ends at `as_of`, its last date."""
    received = need_frame[schema.RECEIVED_AT]
    if not len(need_frame) or received.isna().all():
        return spc.Window(None, None, None, 0, 0, 0, 0, None, "No end-to-end chart: no need has a date received.",
                          "needs"), np.zeros(len(need_frame), dtype=bool)
    origin = received.min().normalize()
    day = pd.Timedelta(days=1)
    arrival = ((received - origin) / day).to_numpy(dtype=float)
    as_of = need_frame.attrs.get("as_of")
    as_of = received.max() if as_of is None or pd.isna(as_of) else as_of
    last_received = need_frame.attrs.get("last_received")
    last_received = received.max() if last_received is None or pd.isna(last_received) else last_received
    days = int((pd.Timestamp(last_received).normalize() - origin) / day) + 1
    e2e = np.where(need_frame[MET].to_numpy(dtype=bool), need_frame[DAYS].to_numpy(dtype=float), np.nan)
    window, charted = spc.arrival_window(arrival, e2e, float((as_of - origin) / day), days, noun="needs")
    return window.dated(origin), charted


def by_arrival(need_frame: pd.DataFrame, freq: str = "W", charted: np.ndarray | None = None) -> pd.DataFrame:
    """One row per day or week of arrival (first contact) with needs charted: period_start, needs_met (the
    needs of that period that had time to finish and did), mean_days, median_days. `charted` is the mask from
    `arrival_window` (worked out here when not given). Periods with no need charted have no point."""
    if charted is None:
        charted = arrival_window(need_frame)[1]
    met = need_frame[np.asarray(charted, dtype=bool)] if len(need_frame) else need_frame
    if met.empty:
        return pd.DataFrame({"period_start": pd.Series(dtype="datetime64[ns]"), "needs_met": pd.Series(dtype=int),
                             "mean_days": pd.Series(dtype=float), "median_days": pd.Series(dtype=float)})
    starts = analysis.period_start(met[schema.RECEIVED_AT], freq)
    grouped = met[DAYS].groupby(starts.to_numpy())
    out = pd.DataFrame({"needs_met": grouped.size(), "mean_days": grouped.mean(), "median_days": grouped.median()})
    return out.rename_axis("period_start").reset_index()


def capability(series: pd.DataFrame, split_at: spc.Label | None = None) -> pd.DataFrame:
    """XmR table of the mean end-to-end days per period of arrival (from `by_arrival`), indexed by period start.
    The centre line is the mean of every need charted (points weighted by their needs)."""
    weights = series["needs_met"].to_numpy(dtype=float) if "needs_met" in series else None
    return spc.xmr(series["mean_days"].to_numpy(), pd.Index(series["period_start"]), split_at=split_at,
                   lower_bound=0.0, weights=weights)


@dataclass
class Repeats:
    """Contacts about a need already raised (the second and later contacts of a case)."""

    available: bool
    reason: str | None
    contacts: int  # every contact (row)
    cases_with_repeats: int
    repeats: int  # later contacts
    already_failure: int  # later contacts already marked failure demand
    suggested_rows: list[int]  # later contacts not yet failure: rows the team may mark "repeat contact"
    by_type: pd.DataFrame  # demand_type, repeats, already_failure, suggested (of the later contact itself)

    @property
    def share(self) -> float | None:
        return self.repeats / self.contacts if self.contacts else None


def repeats(df: pd.DataFrame, contacts: pd.DataFrame | None = None) -> Repeats:
    """The later contacts of cases with several, and the rows suggested as failure demand (nothing applied)."""
    empty = pd.DataFrame({schema.DEMAND_TYPE: pd.Series(dtype=str), "repeats": pd.Series(dtype=int),
                          "already_failure": pd.Series(dtype=int), "suggested": pd.Series(dtype=int)})
    has_case = contacts["has_case"].any() if contacts is not None else (_case_ids(df) != "").any()
    if not len(df) or not has_case:
        return Repeats(False, NO_CASES, len(df), 0, 0, 0, [], empty)
    contacts = _contacts(df) if contacts is None else contacts
    later = contacts.loc[(contacts["contact"] > 0).to_numpy(), [NEED, schema.ROW, schema.DEMAND_TYPE, schema.NATURE]]
    failure = (later[schema.NATURE] == schema.FAILURE).to_numpy()
    suggested = np.sort(later[schema.ROW].to_numpy()[~failure])
    table = pd.DataFrame({schema.DEMAND_TYPE: later[schema.DEMAND_TYPE].array, "failure": failure})
    grouped = table.groupby(schema.DEMAND_TYPE, sort=False)["failure"]
    by_type = pd.DataFrame({"repeats": grouped.size(), "already_failure": grouped.sum().astype(int)})
    by_type["suggested"] = by_type["repeats"] - by_type["already_failure"]
    by_type = by_type.rename_axis(schema.DEMAND_TYPE).reset_index()
    by_type = by_type.sort_values(["repeats", schema.DEMAND_TYPE], ascending=[False, True], kind="stable")
    return Repeats(True, None, len(df), int(later[NEED].nunique()), len(later), int(failure.sum()),
                   suggested.astype(np.int64).tolist(), by_type.reset_index(drop=True) if len(by_type) else empty)


def unavailable_reason(df: pd.DataFrame) -> str | None:
    """Why end-to-end time cannot be measured from this demand, or None when it can."""
    if not analysis.has_dates(df):
        return NO_DATES
    if not df[schema.RESOLVED_AT].notna().any():
        return NO_RESOLVED
    return None


@dataclass
class EndToEnd:
    """Everything the pages show about the customer's clock, small and ready to chart (built once, cached)."""

    reason: str | None  # None when it can be measured
    needs: int
    met: int
    open: int
    met_before_received: int  # left out of the figures (resolved before received: a slip in the data)
    median_days: float | None
    p85_days: float | None
    p95_days: float | None
    open_median_age_days: float | None
    open_oldest_days: float | None
    as_of: pd.Timestamp | None
    groups: dict[str, pd.DataFrame]  # field -> by_group table
    distribution: pd.DataFrame
    ecdf: pd.DataFrame
    daily: pd.DataFrame  # by_arrival per day
    weekly: pd.DataFrame
    repeats: Repeats
    window: spc.Window  # the arrival days the capability chart covers, and why (spc.Window.words)
    # what `relabel` starts from: the contacts in order and the needs (None when not measured)
    contacts: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    need_frame: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def available(self) -> bool:
        return self.reason is None


def measure(df: pd.DataFrame) -> EndToEnd:
    """End-to-end time of the demand (or the reason it cannot be measured), its groups, distribution,
    capability series and repeat contacts."""
    reason = unavailable_reason(df)
    dated = df if reason is not None or df[schema.RECEIVED_AT].notna().all() else df[df[schema.RECEIVED_AT].notna()]
    contacts = _contacts(dated) if len(dated) else None  # worked out once for both the needs and the repeats
    rep = repeats(df, contacts if dated is df else None)
    if reason is not None:
        none = pd.DataFrame({MET: pd.Series(dtype=bool), DAYS: pd.Series(dtype=float),
                             schema.RESOLVED_AT: pd.Series(dtype="datetime64[ns]")})
        return EndToEnd(reason, 0, 0, 0, 0, None, None, None, None, None, None, {}, distribution(none), ecdf(none),
                        by_arrival(none, "D", np.zeros(0, dtype=bool)), by_arrival(none, "W", np.zeros(0, dtype=bool)),
                        rep, spc.Window(None, None, None, 0, 0, 0, 0, None, reason, "needs"))
    frame = needs(dated, contacts)
    window, charted = arrival_window(frame)
    valid = _valid_met(frame)
    open_age = frame.loc[~frame[MET], DAYS].to_numpy(dtype=float)
    figures = _percentiles(frame.loc[valid, DAYS].to_numpy(dtype=float))
    return EndToEnd(
        reason=None,
        needs=len(frame),
        met=int(frame[MET].sum()),
        open=int((~frame[MET]).sum()),
        met_before_received=int((frame[MET] & ~valid).sum()),
        median_days=figures["median_days"],
        p85_days=figures["p85_days"],
        p95_days=figures["p95_days"],
        open_median_age_days=float(np.median(open_age)) if len(open_age) else None,
        open_oldest_days=float(open_age.max()) if len(open_age) else None,
        as_of=frame.attrs["as_of"],
        groups={by: by_group(frame, by) for by in GROUP_FIELDS},
        distribution=distribution(frame),
        ecdf=ecdf(frame),
        daily=by_arrival(frame, "D", charted),
        weekly=by_arrival(frame, "W", charted),
        repeats=rep,
        window=window,
        contacts=contacts,
        need_frame=frame,
    )


def relabel(base: EndToEnd, df: pd.DataFrame) -> EndToEnd:
    """`measure(df)` for a frame that differs from the one `base` was measured on only in its labels (demand
    type, touchpoint, value/failure, cause: what a correction changes), not in its rows, dates or case ids.

    A correction in a workshop should answer at once: the contacts' order, the needs, their times, the
    percentiles and the capability series depend on dates and case ids alone, so they are kept; only the first
    contacts' labels, the groups and the repeat contacts are worked out again (tests check it equals `measure`)."""
    dated = df if base.reason is not None or df[schema.RECEIVED_AT].notna().all() else df[df[schema.RECEIVED_AT].notna()]
    if base.reason is not None or base.contacts is None or base.need_frame is None or dated is not df \
            or len(base.contacts) != len(df):
        return measure(df)
    contacts = base.contacts.copy()
    at = pd.Index(df[schema.ROW].to_numpy()).get_indexer(contacts[schema.ROW].to_numpy())
    if (at < 0).any():
        return measure(df)
    contacts[schema.DEMAND_TYPE] = _text(df[schema.DEMAND_TYPE], at, missing=analysis.NO_TYPE)
    contacts[schema.TOUCHPOINT] = _text(df[schema.TOUCHPOINT], at)
    contacts[schema.NATURE] = _text(df[schema.NATURE], at)
    firsts = contacts.loc[(contacts["contact"] == 0).to_numpy(), list(GROUP_FIELDS)]
    frame = base.need_frame.copy()
    groups = {}
    for col in GROUP_FIELDS:
        frame[col] = firsts[col].array  # as it is: no round trip through Python strings
        # a value/failure correction leaves the types' and touchpoints' groups as they were: kept, not redone
        kept = base.need_frame[col].array.equals(frame[col].array)
        groups[col] = base.groups[col] if kept else by_group(frame, col)
    return replace(base, groups=groups, repeats=repeats(df, contacts), contacts=contacts, need_frame=frame)


# ------------------------------------------------------------------------------------ the CLI's JSON


class GroupJSON(TypedDict):
    name: str
    needs: int
    met: int
    open: int
    median_days: float | None
    p85_days: float | None
    p95_days: float | None


class RepeatTypeJSON(TypedDict):
    demand_type: str
    repeats: int
    already_failure: int
    suggested: int


class RepeatsJSON(TypedDict):
    available: bool
    reason: str | None
    repeats: int
    share_of_demand: float | None
    cases_with_repeats: int
    already_failure: int
    suggested_rows: list[int]
    by_type: list[RepeatTypeJSON]


class WeekJSON(TypedDict):
    week_start: str
    needs_met: int
    mean_days: float
    signals: list[str]


class WindowJSON(TypedDict):
    """Which arrival days the capability points cover (docs/data-contracts.md, "End-to-end time")."""

    first_arrival: str | None  # ISO date of the first arrival day charted
    last_arrival: str | None
    run_out_days: float | None  # 95 in 100 needs are met within this (Kaplan-Meier)
    needs: int  # needs that arrived in the window
    met: int  # of them, met: the needs charted
    still_open: int
    later: int  # needs that arrived after the window
    mean_days: float | None  # mean end-to-end days of the needs charted: the chart's centre line
    provisional: bool  # the weekly chart's limits are provisional (fewer than 20 weeks)
    words: str


class EndToEndJSON(TypedDict):
    """The `end_to_end` block of `workbench demand summary --format json` (docs/data-contracts.md)."""

    available: bool
    reason: str | None
    needs: int
    met: int
    open: int
    met_before_received: int
    median_days: float | None
    p85_days: float | None
    p95_days: float | None
    open_median_age_days: float | None
    open_oldest_days: float | None
    as_of: str | None
    by_type: list[GroupJSON]
    by_touchpoint: list[GroupJSON]
    by_nature: list[GroupJSON]
    weekly: list[WeekJSON]
    capability_window: WindowJSON
    repeat_contacts: RepeatsJSON


def _r(x: float | None, digits: int = 2) -> float | None:
    return None if x is None or pd.isna(x) else round(float(x), digits)


def _groups(table: pd.DataFrame | None, by: str) -> list[GroupJSON]:
    if table is None:
        return []
    return [{"name": str(r[by]), "needs": int(r["needs"]), "met": int(r["met"]), "open": int(r["open"]),
             "median_days": _r(r["median_days"]), "p85_days": _r(r["p85_days"]), "p95_days": _r(r["p95_days"])}
            for r in table.to_dict("records")]


def _window_json(window: spc.Window, provisional: bool) -> WindowJSON:
    def day(v: object) -> str | None:
        return v.date().isoformat() if isinstance(v, pd.Timestamp) else None
    return {"first_arrival": day(window.first), "last_arrival": day(window.last),
            "run_out_days": _r(window.run_out_days), "needs": window.arrived, "met": window.finished,
            "still_open": window.still_open, "later": window.later, "mean_days": _r(window.mean_days),
            "provisional": provisional, "words": window.words()}


def summary(df: pd.DataFrame, split_at: spc.Label | None = None) -> EndToEndJSON:
    """The `end_to_end` block: figures rounded to 2 decimals (days), the weekly capability points (by week of
    arrival) with their signals, and the window of arrival days they cover."""
    e2e = measure(df)
    rep = e2e.repeats
    weeks: list[WeekJSON] = []
    table = capability(e2e.weekly, split_at=split_at)
    if e2e.available and len(e2e.weekly):
        for row in e2e.weekly.to_dict("records"):
            start = pd.Timestamp(row["period_start"])
            weeks.append({"week_start": start.date().isoformat(), "needs_met": int(row["needs_met"]),
                          "mean_days": round(float(row["mean_days"]), 2),
                          "signals": spc.signal_names(table.loc[[start]].iloc[0]) if start in table.index else []})
    return {
        "available": e2e.available,
        "reason": e2e.reason,
        "needs": e2e.needs,
        "met": e2e.met,
        "open": e2e.open,
        "met_before_received": e2e.met_before_received,
        "median_days": _r(e2e.median_days),
        "p85_days": _r(e2e.p85_days),
        "p95_days": _r(e2e.p95_days),
        "open_median_age_days": _r(e2e.open_median_age_days),
        "open_oldest_days": _r(e2e.open_oldest_days),
        "as_of": None if e2e.as_of is None else pd.Timestamp(e2e.as_of).isoformat(),
        "by_type": _groups(e2e.groups.get(schema.DEMAND_TYPE), schema.DEMAND_TYPE),
        "by_touchpoint": _groups(e2e.groups.get(schema.TOUCHPOINT), schema.TOUCHPOINT),
        "by_nature": _groups(e2e.groups.get(schema.NATURE), schema.NATURE),
        "weekly": weeks,
        "capability_window": _window_json(e2e.window, spc.provisional(table)),
        "repeat_contacts": {
            "available": rep.available,
            "reason": rep.reason,
            "repeats": rep.repeats,
            "share_of_demand": _r(rep.share, 4),
            "cases_with_repeats": rep.cases_with_repeats,
            "already_failure": rep.already_failure,
            "suggested_rows": rep.suggested_rows,
            "by_type": [{"demand_type": str(r[schema.DEMAND_TYPE]), "repeats": int(r["repeats"]),
                         "already_failure": int(r["already_failure"]), "suggested": int(r["suggested"])}
                        for r in rep.by_type.to_dict("records")],
        },
    }
