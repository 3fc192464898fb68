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
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

Label = pd.Timestamp | str | int | float
"""What labels a point (a period start, usually): a split is given as one of these, or a date string."""

LIMIT_FACTOR = 2.66
RANGE_FACTOR = 3.268
D2 = 1.128
RUN_LENGTH = 8

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


def _phase_limits(x: np.ndarray, lower_bound: float | None, upper_bound: float | None
                  ) -> dict[str, float | np.ndarray]:
    centre = float(np.mean(x))
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
) -> pd.DataFrame:
    """An XmR table: one row per point with its phase's limits and which signal rules it trips.

    `index` labels the points (e.g. week starts); `split_at` starts a new phase at each given label (points
    at or after it). Missing values (NaN) are left out before computing. Needs at least two points per phase
    for limits; a phase with one point gets its value as centre and no limits.
    """
    series = pd.Series(np.asarray(values, dtype=float), index=index if index is not None else None)
    series = series.dropna()
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
        limits = _phase_limits(x, lower_bound, upper_bound)
        for col, val in limits.items():
            out.loc[mask, col] = val
    out[SIGNAL] = out[OUTSIDE] | out[RUN] | out[NEAR_LIMIT]
    return out


def signal_names(row: pd.Series) -> list[str]:
    """Plain-language names of the signals a point of an `xmr` table trips."""
    return [label for col, label in SIGNAL_LABELS.items() if bool(row[col])]
