"""A team's corrections to individual rows: a demand's type, its value/failure nature or failure cause.

Corrections are kept as a list beside the loaded data, not written into it, so they can be shown, undone
and (later) stored with who made them; `apply_corrections` replays them onto a fresh copy of the frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench import schema
from workbench.demand.catalogue import Catalogue
from workbench.demand.labels import nature_label

EDITABLE = (schema.DEMAND_TYPE, schema.NATURE, schema.FAILURE_CAUSE)


@dataclass(frozen=True)
class Correction:
    row: int  # the row number in the user's file
    field: str
    value: str


class CorrectionError(ValueError):
    pass


def _set_category(series: pd.Series, mask: np.ndarray, value: str | None) -> pd.Series:
    if value is not None and value not in series.cat.categories:
        series = series.cat.add_categories([value])
    series = series.copy()
    series[mask] = value
    return series


def apply_corrections(df: pd.DataFrame, corrections: list[Correction],
                      catalogue: Catalogue | None = None) -> pd.DataFrame:
    """Replay corrections in order. A new type takes its nature and cause from the catalogue unless the
    row's nature was recorded in the data or corrected by hand."""
    out = df.copy()
    rows = out[schema.ROW].to_numpy()
    for c in corrections:
        if c.field not in EDITABLE:
            raise CorrectionError(f"'{c.field}' cannot be corrected; only {', '.join(EDITABLE)}.")
        mask = rows == c.row
        if not mask.any():
            raise CorrectionError(f"row {c.row} is not in the loaded demand.")
        value = (c.value or "").strip()
        if c.field == schema.NATURE:
            nature = nature_label(value)
            if nature is None:
                raise CorrectionError(f"'{c.value}' is not value, failure or blank.")
            out[schema.NATURE] = _set_category(out[schema.NATURE], mask, nature)
            out[schema.NATURE_SOURCE] = _set_category(out[schema.NATURE_SOURCE], mask,
                                                      "correction" if nature != schema.UNCLASSIFIED else "")
            if nature != schema.FAILURE:
                out[schema.FAILURE_CAUSE] = _set_category(out[schema.FAILURE_CAUSE], mask, None)
        elif c.field == schema.FAILURE_CAUSE:
            out[schema.FAILURE_CAUSE] = _set_category(out[schema.FAILURE_CAUSE], mask, value or None)
        else:
            entry = catalogue.lookup(value) if catalogue and value else None
            name = entry.name if entry else (value or None)
            out[schema.DEMAND_TYPE] = _set_category(out[schema.DEMAND_TYPE], mask, name)
            source = out.loc[mask, schema.NATURE_SOURCE].iloc[0]
            if source in ("", "catalogue") and catalogue is not None:
                decided = entry is not None and entry.decided  # a 'not sure' type fills nothing
                nature = entry.nature if entry and decided else schema.UNCLASSIFIED
                out[schema.NATURE] = _set_category(out[schema.NATURE], mask, nature)
                out[schema.NATURE_SOURCE] = _set_category(out[schema.NATURE_SOURCE], mask,
                                                          "catalogue" if decided else "")
                out[schema.FAILURE_CAUSE] = _set_category(out[schema.FAILURE_CAUSE], mask,
                                                          (entry.cause or None) if entry else None)
    return out
