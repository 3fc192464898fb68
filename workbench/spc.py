"""Process behaviour (XmR) charts: natural process limits and the signals that say "something changed".

Used for any series a team watches over time: weekly failure share, daily volume, end-to-end days. The
point of an XmR chart in a workshop is to stop people reacting to noise: only signals deserve a story.

Rules (Wheeler; see docs/data-contracts.md):
- centre line = mean; moving range mR_i = |x_i - x_(i-1)|; mR-bar = mean moving range;
- natural process limits = mean ± 2.66 × mR-bar, clipped to the range the measure can take;
- upper range limit = 3.268 × mR-bar;
- signals: (1) a point outside the limits; (2) a run of eight or more successive points on one side of
  the centre line; (3) three of four successive points beyond mean ± 1.5 sigma-hat on the same side
  (sigma-hat = mR-bar / 1.128).
Limits are computed separately for each phase when the series is split at a change date.

Provisional limits: limits from fewer than MIN_POINTS (20) points are provisional (Wheeler, "Understanding
Variation": with fewer than 20 or so values the limits are soft and should be revised as data comes in). Every
row of an `xmr` table carries PROVISIONAL (its phase has fewer than 20 points) and the table's
`attrs["provisional"]` says whether any phase's limits are; `provisional_note` says it in words for a chart.

Weights: an XmR chart of averages (e.g. the mean end-to-end days of each day's demands) may be given the number
of demands behind each point. Its centre line is then the mean of all those demands (the weighted mean of the
points), so the chart's average is the same figure as a table's mean of the same demands; the limits are still
centre ± 2.66 × mR-bar.

Charts of end-to-end time by arrival day (`finish_within`, `arrival_window`, `Window`): a demand that arrived
near the end of the data has not had time to finish, so a chart of the days near the end would only hold the
quick ones and drop (or, by the day met, climb) for no reason in the work. The run-out window is the time within
which 95 in 100 demands finish, estimated from the data with the open ones counted by how long they have waited
so far (Kaplan-Meier); only arrival days at least that long before the end of the data are charted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

Label = pd.Timestamp | str | int | float
"""What labels a point (a period start, usually): a split is given as one of these, or a date string."""

LIMIT_FACTOR = 2.66
RANGE_FACTOR = 3.268
D2 = 1.128
RUN_LENGTH = 8
MIN_POINTS = 20  # fewer points than this in a phase: its limits are provisional (Wheeler)
RUN_OUT_SHARE = 0.95  # an arrival day is charted once this share of demands would have finished

# Column names of the frame `xmr` returns.
PHASE = "phase"
VALUE = "value"
CENTRE = "centre"
LOWER = "lower_limit"
UPPER = "upper_limit"
MOVING_RANGE = "moving_range"
RANGE_LIMIT = "range_limit"
MEAN_RANGE = "mean_moving_range"
OUTSIDE = "outside_limits"
RUN = "long_run"
NEAR_LIMIT = "three_of_four"
SIGNAL = "signal"
PROVISIONAL = "provisional"
SIGNAL_LABELS = {
    OUTSIDE: "outside the limits",
    RUN: f"{RUN_LENGTH} or more in a row on one side",
    NEAR_LIMIT: "3 of 4 near a limit",
}


def _run_signal(side: np.ndarray) -> np.ndarray:
    """Flag every point belonging to a run of RUN_LENGTH or more points on the same side (0 breaks runs)."""
    flags = np.zeros(len(side), dtype=bool)
    start = 0
    for i in range(1, len(side) + 1):
        if i == len(side) or side[i] != side[start] or side[i] == 0:
            if side[start] != 0 and i - start >= RUN_LENGTH:
                flags[start:i] = True
            start = i
    return flags


def _three_of_four(x: np.ndarray, centre: float, sigma: float) -> np.ndarray:
    flags = np.zeros(len(x), dtype=bool)
    if sigma <= 0:
        return flags
    high = x > centre + 1.5 * sigma
    low = x < centre - 1.5 * sigma
    for beyond in (high, low):
        for i in range(len(x) - 3):
            window = beyond[i : i + 4]
            if window.sum() >= 3:
                flags[i : i + 4] |= window
    return flags


def _phase_limits(x: np.ndarray, lower_bound: float | None, upper_bound: float | None,
                  w: np.ndarray | None = None) -> dict[str, float | np.ndarray]:
    centre = float(np.average(x, weights=w)) if w is not None and w.sum() > 0 else float(np.mean(x))
    mr = np.abs(np.diff(x))
    mr_bar = float(np.mean(mr)) if len(mr) else 0.0
    lower = centre - LIMIT_FACTOR * mr_bar
    upper = centre + LIMIT_FACTOR * mr_bar
    if lower_bound is not None:
        lower = max(lower, lower_bound)
    if upper_bound is not None:
        upper = min(upper, upper_bound)
    side = np.sign(x - centre).astype(int)
    return {
        CENTRE: centre,
        LOWER: lower,
        UPPER: upper,
        MEAN_RANGE: mr_bar,
        RANGE_LIMIT: RANGE_FACTOR * mr_bar,
        MOVING_RANGE: np.concatenate(([np.nan], mr)),
        OUTSIDE: (x < lower) | (x > upper),
        RUN: _run_signal(side),
        NEAR_LIMIT: _three_of_four(x, centre, mr_bar / D2),
    }


def xmr(
    values: Sequence[float] | pd.Series | np.ndarray,
    index: pd.Index | None = None,
    *,
    split_at: Label | Sequence[Label] | None = None,
    lower_bound: float | None = 0.0,
    upper_bound: float | None = None,
    weights: Sequence[float] | pd.Series | np.ndarray | None = None,
) -> pd.DataFrame:
    """An XmR table: one row per point with its phase's limits and which signal rules it trips.

    `index` labels the points (e.g. week starts); `split_at` starts a new phase at each given label (points
    at or after it). Missing values (NaN) are left out before computing. Needs at least two points per phase
    for limits; a phase with one point gets its value as centre and no limits. `weights` (e.g. the demands
    behind each point) make each phase's centre line the weighted mean of its points. Each row carries
    PROVISIONAL: its phase has fewer than MIN_POINTS points; `attrs["provisional"]` is whether any phase has.
    """
    series = pd.Series(np.asarray(values, dtype=float), index=index if index is not None else None)
    w_all = None if weights is None else np.asarray(weights, dtype=float)
    if w_all is not None and len(w_all) != len(series):
        raise ValueError("weights must have one value per point")
    keep = series.notna().to_numpy()
    series = series[keep]
    w_kept = None if w_all is None else w_all[keep]
    splits = [] if split_at is None else (
        list(split_at) if isinstance(split_at, (list, tuple)) else [split_at])
    phase = np.zeros(len(series), dtype=int)
    for s in splits:  # a point's phase is how many split labels it is at or after
        phase += np.asarray(series.index >= s, dtype=int)
    out = pd.DataFrame({PHASE: phase, VALUE: series.to_numpy()}, index=series.index)
    for col in (CENTRE, LOWER, UPPER, MEAN_RANGE, RANGE_LIMIT, MOVING_RANGE):
        out[col] = np.nan
    for col in (OUTSIDE, RUN, NEAR_LIMIT):
        out[col] = False
    for p in np.unique(phase):
        mask = phase == p
        x = out.loc[mask, VALUE].to_numpy()
        if len(x) < 2:
            out.loc[mask, CENTRE] = x
            continue
        limits = _phase_limits(x, lower_bound, upper_bound, None if w_kept is None else w_kept[mask])
        for col, val in limits.items():
            out.loc[mask, col] = val
    out[SIGNAL] = out[OUTSIDE] | out[RUN] | out[NEAR_LIMIT]
    sizes = pd.Series(phase).map(pd.Series(phase).value_counts()).to_numpy() if len(phase) else np.zeros(0)
    out[PROVISIONAL] = np.asarray(sizes < MIN_POINTS, dtype=bool)
    out.attrs["provisional"] = bool(out[PROVISIONAL].any())
    return out


def provisional(table: pd.DataFrame) -> bool:
    """Whether any phase of an `xmr` table has provisional limits (fewer than MIN_POINTS points). A table stored
    before the column existed (an older snapshot) is judged by counting its points per phase."""
    if table.empty:
        return False
    if PROVISIONAL in table:
        return bool(table[PROVISIONAL].fillna(False).astype(bool).any())
    if PHASE in table:
        return bool((table.groupby(PHASE).size() < MIN_POINTS).any())
    return len(table) < MIN_POINTS


def provisional_note(table: pd.DataFrame) -> str | None:
    """In words, for a chart's subtitle or caption: the limits are provisional and why; None when they are firm."""
    if not provisional(table):
        return None
    phases = table[PHASE].nunique() if PHASE in table else 1
    if phases > 1:
        return (f"Limits are provisional: a part of the chart (before or after the change) has fewer than "
                f"{MIN_POINTS} points, and firm limits need {MIN_POINTS} or more.")
    n = len(table)
    return (f"Limits are provisional: drawn from {n} point{'s' if n != 1 else ''}, and firm limits need "
            f"{MIN_POINTS} or more.")


def signal_names(row: pd.Series) -> list[str]:
    """Plain-language names of the signals a point of an `xmr` table trips."""
    return [label for col, label in SIGNAL_LABELS.items() if bool(row[col])]


# ------------------------------------------------------------------------ end-to-end time by arrival day


def finish_within(days: Sequence[float] | np.ndarray, finished: Sequence[bool] | np.ndarray,
                  share: float = RUN_OUT_SHARE) -> float | None:
    """The time (days) within which `share` of demands finish, counting the unfinished ones by how long they
    have waited so far (`days` is then their age): the Kaplan-Meier estimate. With every demand finished it is
    the smallest time within which `share` of them finished. None when the data cannot tell (so many are still
    open that the share is never reached). Negative or missing times are left out."""
    d = np.asarray(days, dtype=float)
    f = np.asarray(finished, dtype=bool)
    ok = np.isfinite(d) & (d >= 0)
    d, f = d[ok], f[ok]
    if not f.any():
        return None
    order = np.sort(d)
    done = np.sort(d[f])
    times = np.unique(done)
    at_risk = len(order) - np.searchsorted(order, times, side="left")  # still waiting just before t
    events = np.searchsorted(done, times, side="right") - np.searchsorted(done, times, side="left")
    survival = np.cumprod(1.0 - events / at_risk)
    hit = np.nonzero(survival <= 1.0 - share + 1e-9)[0]
    return float(times[hit[0]]) if len(hit) else None


@dataclass(frozen=True)
class Window:
    """Which arrival days a chart of end-to-end time by arrival day covers, and why.

    `first`/`last` are the first and last arrival day charted: day numbers (0 = the first day of the data or
    of the measured period) or dates (`dated`); None when no day had time. `run_out_days`: 95 in 100 demands
    finish within it (None when the data cannot tell). Of the demands that arrived in the window, `finished`
    are charted (their mean end-to-end days is `mean_days`, the chart's centre line) and `still_open` are not;
    `later` demands arrived after it. `reason` says in words why nothing is charted."""

    first: Any
    last: Any
    run_out_days: float | None
    arrived: int
    finished: int
    still_open: int
    later: int
    mean_days: float | None
    reason: str | None = None
    noun: str = "demands"

    @property
    def charted(self) -> bool:
        return self.reason is None and self.finished > 0

    def dated(self, day_zero: pd.Timestamp) -> Window:
        """The same window with its day numbers as dates (day 0 = `day_zero`)."""
        def as_date(v: Any) -> Any:
            if v is None or isinstance(v, pd.Timestamp):
                return v
            return pd.Timestamp(day_zero).normalize() + pd.Timedelta(days=float(v))
        return replace(self, first=as_date(self.first), last=as_date(self.last))

    def words(self) -> str:
        """A plain-words subtitle or caption: which arrivals are charted and why the later ones are not."""
        if self.reason is not None:
            return self.reason
        first, last = _day_words(self.first), _day_words(self.last)
        noun = self.noun[:1].upper() + self.noun[1:]
        span = f"on {first}" if first == last else f"from {first} to {last}"
        runs = (f"95 in 100 finish within {_days_words(self.run_out_days)}" if self.run_out_days is not None
                else "")
        if self.later:
            text = f"{noun} that arrived {span}; later arrivals had not had time to finish ({runs})."
        else:
            text = f"{noun} that arrived {span}, all with time to finish ({runs})."
        if self.still_open:
            text += (f" {self.still_open:,} of them still open at the end are not in it.")
        return text

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: dates as ISO text."""
        out = asdict(self)
        for k in ("first", "last"):
            if isinstance(out[k], pd.Timestamp):
                out[k] = out[k].isoformat()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Window:
        def when(v: Any) -> Any:
            return pd.Timestamp(v) if isinstance(v, str) else v
        return cls(first=when(data.get("first")), last=when(data.get("last")),
                   run_out_days=_number(data.get("run_out_days")), arrived=int(data.get("arrived") or 0),
                   finished=int(data.get("finished") or 0), still_open=int(data.get("still_open") or 0),
                   later=int(data.get("later") or 0), mean_days=_number(data.get("mean_days")),
                   reason=data.get("reason") if isinstance(data.get("reason"), str) else None,
                   noun=str(data.get("noun") or "demands"))


def _number(v: Any) -> float | None:
    return None if v is None or (isinstance(v, float) and not np.isfinite(v)) else float(v)


def _day_words(v: Any) -> str:
    if isinstance(v, pd.Timestamp):
        return f"{v.day} {v:%b}"
    return f"day {int(v) + 1}" if v is not None else "–"


def _days_words(d: float | None) -> str:
    if d is None:
        return "–"
    return f"{d:,.1f} day{'s' if round(d, 1) != 1 else ''}"


def arrival_window(arrival_days: np.ndarray, e2e_days: np.ndarray, observed_until: float, days: int,
                   noun: str = "demands", ended: np.ndarray | None = None) -> tuple[Window, np.ndarray]:
    """The arrival days an end-to-end chart by arrival day may show, and which demands it holds.

    `arrival_days`: each demand's arrival in days from day 0 (day 0 starts at 0.0); `e2e_days`: its end-to-end
    days, NaN while open; `observed_until`: the end of the data in the same days; `days`: how many arrival days
    there are (0 .. days-1); `ended`: demands that ended without finishing (a caller who gave up): neither
    finished nor waiting, left out. Day d is in the window when d + 1 + run-out <= observed_until: every
    demand of that day has been watched for the run-out window. Returns the window (in day numbers) and a mask
    of the demands charted (arrived in the window and finished)."""
    arrival = np.asarray(arrival_days, dtype=float)
    e2e = np.asarray(e2e_days, dtype=float)
    gone = np.zeros(len(arrival), dtype=bool) if ended is None else np.asarray(ended, dtype=bool)
    usable = ~gone & np.isfinite(arrival) & ~(e2e < 0)
    finished = usable & np.isfinite(e2e)
    waiting = usable & ~finished
    age = np.where(finished, e2e, observed_until - arrival)
    run_out = finish_within(age[usable], finished[usable])
    empty = np.zeros(len(arrival), dtype=bool)
    if run_out is None:
        open_now = int(waiting.sum())
        reason = (f"No end-to-end chart yet: so many {noun} are still open ({open_now:,}) that the data cannot "
                  f"tell how long 95 in 100 take, so no arrival day is known to have had time to finish."
                  if open_now else f"No end-to-end chart: no {noun[:-1] if noun.endswith('s') else noun} finished.")
        return Window(None, None, None, 0, 0, 0, int(usable.sum()), None, reason, noun), empty
    last = int(min(days - 1, np.floor(observed_until - run_out - 1.0 + 1e-9)))
    if last < 0:
        reason = (f"No end-to-end chart yet: 95 in 100 {noun} take up to {_days_words(run_out)} to finish, "
                  f"longer than the data runs after its first day ({_days_words(observed_until)}), so no arrival "
                  f"day has had time to finish. A longer sample would show one.")
        return Window(None, None, run_out, 0, 0, 0, int(usable.sum()), None, reason, noun), empty
    day = np.floor(arrival)
    inside = usable & (day >= 0) & (day <= last)
    charted = inside & finished
    mean = float(np.mean(e2e[charted])) if charted.any() else None
    why = None if charted.any() else f"No end-to-end chart: none of the {noun} that had time to finish did."
    window = Window(0, last, run_out, int(inside.sum()), int(charted.sum()), int((inside & waiting).sum()),
                    int((usable & (day > last)).sum()), mean, why, noun)
    return window, charted


def too_few_points(window: Window, points: int, period: str = "day") -> str | None:
    """Words for when a chart by arrival day has fewer than two points to draw (None when it has enough)."""
    if not window.charted:
        return window.words()
    if points >= 2:
        return None
    return (f"No end-to-end chart: only {points} {period} had {window.noun} with time to finish, and a chart "
            f"needs two or more. " + window.words())
