"""What the demand says: shares, Pareto of types, failure causes, touchpoints and demand over time.

Every function takes the clean demand frame (columns in `workbench.schema`) and returns a small, tidy,
aggregated frame, ready for a chart or a table: charts never see raw rows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TypedDict

import numpy as np
import pandas as pd

from workbench import schema, spc

NO_TYPE = "Not yet typed"
NO_CAUSE = "Cause not recorded"
FREQUENCIES = {"W": "week", "D": "day"}


@dataclass
class Headline:
    total: int
    value: int
    failure: int
    unclassified: int
    failure_share: float | None  # failure / (value + failure): the share of *classified* demand
    one_stop_share: float | None
    first: str | None
    last: str | None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _share(part: float, whole: float) -> float | None:
    return float(part) / float(whole) if whole else None


def _filled(values: pd.Series, label: str) -> pd.Series:
    """`values` with missing ones labelled; a categorical stays categorical (no copy as a million objects)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        if label not in values.cat.categories:
            values = values.cat.add_categories([label])
        return values.fillna(label)
    return values.astype("object").fillna(label)


def headline(df: pd.DataFrame) -> Headline:
    counts = df[schema.NATURE].value_counts()
    value, failure = int(counts.get(schema.VALUE, 0)), int(counts.get(schema.FAILURE, 0))
    known = df[schema.ONE_STOP].dropna()
    dates = df[schema.RECEIVED_AT].dropna()  # a file read without dates has none
    return Headline(
        total=len(df),
        value=value,
        failure=failure,
        unclassified=int(counts.get(schema.UNCLASSIFIED, 0)),
        failure_share=_share(failure, value + failure),
        one_stop_share=_share(int(known.sum()), len(known)) if len(known) else None,
        first=dates.min().date().isoformat() if len(dates) else None,
        last=dates.max().date().isoformat() if len(dates) else None,
    )


def nature_shares(df: pd.DataFrame) -> pd.DataFrame:
    """nature, count, share (of all demand), in the order value, failure, unclassified."""
    counts = df[schema.NATURE].value_counts().reindex(list(schema.NATURES), fill_value=0)
    out = counts.rename_axis(schema.NATURE).reset_index(name="count")
    out["share"] = out["count"] / max(len(df), 1)
    return out


def _nature_codes(df: pd.DataFrame) -> np.ndarray:
    nature = df[schema.NATURE]
    if isinstance(nature.dtype, pd.CategoricalDtype) and list(nature.cat.categories) == list(schema.NATURES):
        return nature.cat.codes.to_numpy()
    lookup = {n: i for i, n in enumerate(schema.NATURES)}
    return nature.map(lookup).fillna(len(schema.NATURES) - 1).astype(int).to_numpy()


def _by_nature(keys: pd.Series, df: pd.DataFrame, missing: str | None = None) -> pd.DataFrame:
    """Counts of value / failure / unclassified per key, by integer codes (a crosstab costs 20x more on a
    million rows). Missing keys are counted under `missing` when it is given, else left out."""
    if isinstance(keys.dtype, pd.CategoricalDtype):
        codes, labels = keys.cat.codes.to_numpy(), list(map(str, keys.cat.categories))
    else:
        codes, uniques = pd.factorize(keys)
        labels = list(map(str, uniques))
    if missing is not None and (codes < 0).any():
        codes = np.where(codes < 0, len(labels), codes)
        labels = [*labels, missing]
    nature = _nature_codes(df)
    ok = codes >= 0
    k = len(schema.NATURES)
    counts = np.bincount(codes[ok] * k + nature[ok], minlength=len(labels) * k).reshape(len(labels), k)
    table = pd.DataFrame(counts, index=pd.Index(labels), columns=list(schema.NATURES))
    return table[table.sum(axis=1) > 0]


def by_touchpoint(df: pd.DataFrame) -> pd.DataFrame:
    """touchpoint, value, failure, unclassified, total, failure_share; busiest touchpoint first."""
    table = _by_nature(df[schema.TOUCHPOINT], df)
    table["total"] = table.sum(axis=1)
    classified = table[schema.VALUE] + table[schema.FAILURE]
    table["failure_share"] = (table[schema.FAILURE] / classified.where(classified > 0)).astype(float)
    table = table.sort_values("total", ascending=False)
    table.columns.name = None
    return table.rename_axis(schema.TOUCHPOINT).reset_index().astype({schema.TOUCHPOINT: "str"})


def pareto(df: pd.DataFrame, by: str = schema.DEMAND_TYPE) -> pd.DataFrame:
    """Types by count, most common first, with share and cumulative share of all demand.

    Each type also carries its nature (the most common classification among its rows), so the Pareto can
    be coloured value vs failure.
    """
    grouped = _by_nature(df[by], df, missing=NO_TYPE)
    count = grouped.sum(axis=1)
    classified = grouped[[schema.VALUE, schema.FAILURE]]
    nature = np.where(classified.sum(axis=1) > 0, classified.idxmax(axis=1), schema.UNCLASSIFIED)
    out = pd.DataFrame({by: grouped.index.astype(str), schema.NATURE: nature, "count": count.to_numpy()})
    out = out.sort_values(["count", by], ascending=[False, True], kind="stable").reset_index(drop=True)
    total = max(int(out["count"].sum()), 1)
    out["share"] = out["count"] / total
    out["cumulative_share"] = out["count"].cumsum() / total
    return out


def failure_causes(df: pd.DataFrame) -> pd.DataFrame:
    """cause, count, share of failure demand; most common first."""
    failure = (df[schema.NATURE] == schema.FAILURE).to_numpy()
    causes = df.loc[failure, schema.FAILURE_CAUSE].astype("object").fillna(NO_CAUSE)  # that column only
    out = causes.value_counts().rename_axis(schema.FAILURE_CAUSE).reset_index(name="count")
    out["share"] = out["count"] / max(int(failure.sum()), 1)
    return out.astype({schema.FAILURE_CAUSE: "str"})


def has_dates(df: pd.DataFrame) -> bool:
    """Whether the demand has received dates: a file read without dates has none, and then every chart over
    time, end-to-end time and the simulation are unavailable (NO_DATES says why)."""
    return bool(len(df)) and bool(df[schema.RECEIVED_AT].notna().any())


NO_DATES = ("This demand was read without dates, so there is nothing to show over time: counts, shares, types, "
            "causes and the customers' words are all here. To see demand over time, load a file with a date "
            "column.")


def period_start(dates: pd.Series, freq: str) -> pd.Series:
    """Start of the day, or the Monday of the ISO week, each date falls in."""
    if freq not in FREQUENCIES:
        raise ValueError(f"frequency must be one of {', '.join(FREQUENCIES)}")
    if isinstance(dates.dtype, np.dtype) and dates.dtype.kind == "M":  # naive datetimes: numpy is ~3x faster
        days = dates.to_numpy().astype("datetime64[D]")
        if freq == "W":  # 1 January 1970 was a Thursday: +3 makes Monday 0
            days = days - ((days.astype(np.int64) + 3) % 7).astype("timedelta64[D]")
        return pd.Series(days.astype(dates.dtype), index=dates.index, name=dates.name)
    days = dates.dt.normalize()
    if freq == "D":
        return days
    return days - pd.to_timedelta(days.dt.day_of_week, unit="D")


def _by_period(starts: pd.Series, df: pd.DataFrame) -> pd.DataFrame:
    """Counts per nature for each period start, by integer day numbers."""
    if starts.empty:
        return pd.DataFrame(columns=list(schema.NATURES), index=pd.DatetimeIndex([]), dtype="int64")
    days = starts.to_numpy().astype("datetime64[D]").astype(np.int64)
    first = int(days.min())
    k = len(schema.NATURES)
    span = int(days.max()) - first + 1
    counts = np.bincount((days - first) * k + _nature_codes(df), minlength=span * k).reshape(span, k)
    index = pd.DatetimeIndex(np.arange(first, first + span).astype("datetime64[D]").astype("datetime64[ns]"))
    table = pd.DataFrame(counts, index=index, columns=list(schema.NATURES))
    return table[table.sum(axis=1) > 0]


def over_time(df: pd.DataFrame, freq: str = "W") -> pd.DataFrame:
    """One row per day or week (gaps filled with zero): period_start, value, failure, unclassified, total,
    failure_share, and days_covered (how many days of the sample the period holds: partial weeks at the
    ends show fewer than 7)."""
    if not has_dates(df):
        df = df.iloc[:0]
    starts = period_start(df[schema.RECEIVED_AT], freq)
    table = _by_period(starts, df)
    if len(table):
        step = "7D" if freq == "W" else "D"
        full = pd.date_range(table.index.min(), table.index.max(), freq=step)
        table = table.reindex(full, fill_value=0)
    table.index.name = "period_start"
    table.columns.name = None
    table["total"] = table[list(schema.NATURES)].sum(axis=1)
    classified = table[schema.VALUE] + table[schema.FAILURE]
    table["failure_share"] = (table[schema.FAILURE] / classified.where(classified > 0)).astype(float)
    out = table.reset_index()
    if freq == "W" and len(df):
        first, last = df[schema.RECEIVED_AT].min().normalize(), df[schema.RECEIVED_AT].max().normalize()
        ends = out["period_start"] + pd.Timedelta(days=6)
        covered_from = out["period_start"].clip(lower=first)
        covered_to = ends.clip(upper=last)
        out["days_covered"] = ((covered_to - covered_from).dt.days + 1).astype(int)
    else:
        out["days_covered"] = 1
    return out


def behaviour(series: pd.DataFrame, measure: str, split_at: spc.Label | None = None,
              full_periods_only: bool | None = None) -> pd.DataFrame:
    """XmR table (see `workbench.spc`) of one measure of an `over_time` frame, indexed by period start.

    Partial weeks at the ends of a sample would look like drops in volume, so counts leave them out by
    default; shares (a ratio) keep them. Shares are bounded to [0, 1]; counts to >= 0.
    """
    if full_periods_only is None:
        full_periods_only = not measure.endswith("share")
    data = series
    if full_periods_only and "days_covered" in series and series["days_covered"].max() == 7:
        data = series[series["days_covered"] == 7]
    upper = 1.0 if measure.endswith("share") else None
    return spc.xmr(data[measure].to_numpy(), pd.Index(data["period_start"]), split_at=split_at,
                   lower_bound=0.0, upper_bound=upper)


WEEKDAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
IMPLAUSIBLE_ZERO = 0.01  # a zero day is a closed date when Poisson P(0) for its weekday is below this
MAX_DATES_NAMED = 6


@dataclass
class ClosedDays:
    """Days of a daily `over_time` series on which the service was closed, decided from the data:

    - a closed weekday: a weekday with no demand on any of its days in the sample (e.g. every Sunday);
    - a closed date (a holiday): a day with no demand whose weekday typically has so much that a zero is
      implausible: with that weekday's mean count on its days with demand as the Poisson rate, P(0) = e^-rate is
      below 1% (a rate above ln 100 = 4.6 a day);
    - any other zero is a real zero (a quiet day), and is charted.
    `keep` lines up with the series' rows: False for a closed day."""

    weekdays: list[int]  # 0 = Monday
    dates: list[pd.Timestamp]
    keep: np.ndarray

    @property
    def left_out(self) -> bool:
        return bool(self.weekdays or self.dates)

    def words(self) -> str | None:
        """"Sundays and 25 Dec left out: the service was closed." (None when no day was left out.)"""
        if not self.left_out:
            return None
        names = [WEEKDAYS[d] for d in self.weekdays]
        dates = [f"{d.day} {d:%b}" for d in self.dates]
        if len(dates) > MAX_DATES_NAMED:
            dates = [*dates[:MAX_DATES_NAMED - 1], f"{len(dates) - MAX_DATES_NAMED + 1} other dates"]
        items = names + dates
        listed = items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
        return f"{listed} left out: the service was closed."


def closed_days(series: pd.DataFrame, measure: str = "total") -> ClosedDays:
    """Closed weekdays and closed dates of a daily `over_time` frame (see `ClosedDays` for the rule)."""
    counts = series[measure].to_numpy(dtype=float) if len(series) else np.zeros(0)
    if not len(counts):
        return ClosedDays([], [], np.ones(0, dtype=bool))
    weekday = pd.DatetimeIndex(series["period_start"]).day_of_week.to_numpy()
    zero = counts == 0
    keep = np.ones(len(counts), dtype=bool)
    closed_weekdays = [d for d in range(7) if (weekday == d).any() and zero[weekday == d].all()]
    dates: list[pd.Timestamp] = []
    for d in range(7):
        if d in closed_weekdays:
            keep[weekday == d] = False
            continue
        busy = (weekday == d) & ~zero
        if not busy.any():
            continue
        rate = float(counts[busy].mean())
        if np.exp(-rate) < IMPLAUSIBLE_ZERO:
            holiday = (weekday == d) & zero
            keep[holiday] = False
            dates.extend(pd.Timestamp(t) for t in series["period_start"].to_numpy()[holiday])
    return ClosedDays(closed_weekdays, sorted(dates), keep)


def by_field(df: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per touchpoint or type: demands, one-stop share (of those recorded), handling minutes (median,
    mean, total hours). Columns are present only when the data has them."""
    key = _filled(df[by], NO_TYPE if by == schema.DEMAND_TYPE else "")
    grouped = df.groupby(key, sort=False, observed=True)
    out = pd.DataFrame({"count": grouped.size()})
    if df[schema.ONE_STOP].notna().any():
        one_stop = df[schema.ONE_STOP].astype("Float64")
        out["one_stop_share"] = one_stop.groupby(key, sort=False).mean().astype(float)
        out["one_stop_recorded"] = one_stop.groupby(key, sort=False).count()
    if df[schema.HANDLING_MINUTES].notna().any():
        minutes = df[schema.HANDLING_MINUTES].groupby(key, sort=False)
        out["minutes_median"] = minutes.median()
        out["minutes_mean"] = minutes.mean()
        out["hours_total"] = minutes.sum() / 60.0
    out = out.sort_values("count", ascending=False)
    return out.rename_axis(by).reset_index().astype({by: "str"})


class WeekSummary(TypedDict):
    week_start: str  # ISO date of the Monday
    total: int
    value: int
    failure: int
    unclassified: int
    failure_share: float | None  # None when nothing that week was classified
    days_covered: int
    signals: list[str]  # plain-language names of the process behaviour signals the week trips


class TypeCount(TypedDict):
    demand_type: str
    nature: str
    count: int


class CauseCount(TypedDict):
    cause: str
    count: int


class DemandSummary(TypedDict):
    """The demand part of `workbench demand summary --format json` (docs/data-contracts.md)."""

    value: int
    failure: int
    unclassified: int
    failure_share: float | None
    one_stop_share: float | None
    first_date: str | None
    last_date: str | None
    dated: bool  # False for demand read without dates: `weekly` is empty and `no_dates` says why
    no_dates: str | None
    by_touchpoint: dict[str, dict[str, int]]  # touchpoint -> {value, failure, unclassified}
    by_type: list[TypeCount]
    by_cause: list[CauseCount]
    weekly: list[WeekSummary]


def summary(df: pd.DataFrame, split_at: spc.Label | None = None) -> DemandSummary:
    """Everything the CLI's JSON holds about the demand itself (the load report is added by the caller)."""
    head = headline(df)
    tp = by_touchpoint(df)
    weekly = over_time(df, "W")
    xmr = behaviour(weekly, "failure_share", split_at=split_at)
    weeks: list[WeekSummary] = []
    for row in weekly.to_dict("records"):
        start = pd.Timestamp(row["period_start"])
        signals = spc.signal_names(xmr.loc[[start]].iloc[0]) if start in xmr.index else []
        share = row["failure_share"]
        weeks.append({
            "week_start": start.date().isoformat(),
            "total": int(row["total"]),
            "value": int(row["value"]),
            "failure": int(row["failure"]),
            "unclassified": int(row["unclassified"]),
            "failure_share": None if pd.isna(share) else round(float(share), 4),
            "days_covered": int(row["days_covered"]),
            "signals": signals,
        })
    types = pareto(df)
    return {
        "value": head.value,
        "failure": head.failure,
        "unclassified": head.unclassified,
        "failure_share": None if head.failure_share is None else round(head.failure_share, 4),
        "one_stop_share": None if head.one_stop_share is None else round(head.one_stop_share, 4),
        "first_date": head.first,
        "last_date": head.last,
        "dated": has_dates(df),
        "no_dates": None if has_dates(df) else NO_DATES,
        "by_touchpoint": {
            str(r[schema.TOUCHPOINT]): {n: int(r[n]) for n in schema.NATURES} for r in tp.to_dict("records")
        },
        "by_type": [
            {"demand_type": str(r[schema.DEMAND_TYPE]), "nature": str(r[schema.NATURE]), "count": int(r["count"])}
            for r in types.to_dict("records")
        ],
        "by_cause": [
            {"cause": str(r[schema.FAILURE_CAUSE]), "count": int(r["count"])}
            for r in failure_causes(df).to_dict("records")
        ],
        "weekly": weeks,
    }
