"""Charts drawn from what they show: a chart's Vega-Lite spec is built once per content and reused.

Building an Altair chart and turning it into Vega-Lite validates it against the Vega-Lite JSON schema: 40-120 ms a
chart on this kind of machine, so a page of a dozen charts spent over a second of every rerun on charts that had
not changed. `show(where, charts.xmr_chart, table, ...)` keys the spec by the builder and the content of its
arguments (small aggregated frames: hashing them is cheap), builds and converts it only when that content is new,
and draws the spec as `st.altair_chart` would (the same element, its data as the same Arrow datasets).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable
from typing import Any, cast

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from workbench import charts

_to_spec: Callable[[Any], dict[str, Any]] | None
try:  # the conversion st.altair_chart does itself (its data as Arrow datasets, Streamlit's theme settings)
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec as _to_spec
except ImportError:  # pragma: no cover - a Streamlit without it: charts are drawn as before, unchanged
    _to_spec = None


VALIDATE = "WORKBENCH_VALIDATE_CHARTS"  # "1": check every spec against the Vega-Lite schema (the tests set it)


class _Unvalidated:
    """A chart whose `to_dict()` skips the Vega-Lite schema check: nine tenths of turning a chart into its spec
    (about 50 ms a chart), paid again at every correction for every chart whose figures changed. The builders are
    fixed code, so the check is made where it can find something: the tests run with WORKBENCH_VALIDATE_CHARTS=1
    and draw every chart of every page."""

    def __init__(self, chart: Any) -> None:
        self._chart = chart

    def to_dict(self) -> dict[str, Any]:
        return cast(dict[str, Any], self._chart.to_dict(validate=False))


@st.cache_data(show_spinner=False, max_entries=256)
def _spec(name: str, content: str, _args: tuple[Any, ...], _kwargs: dict[str, Any]) -> dict[str, Any]:
    builder = getattr(charts, name)
    assert _to_spec is not None
    made = builder(*_args, **_kwargs)
    return _to_spec(made if os.environ.get(VALIDATE) == "1" else _Unvalidated(made))


def _content(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """A digest of what the chart shows: its arguments pickled (equal pickles are equal contents; a pickle that
    differs for equal contents only costs a rebuild). A few times cheaper than Streamlit's own hashing of each
    frame, which a correction's rerun paid for a dozen charts."""
    return hashlib.blake2b(pickle.dumps((args, sorted(kwargs.items())), protocol=5), digest_size=20).hexdigest()


def show(where: DeltaGenerator | Any, builder: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Draw `builder(*args, **kwargs)` (a function of workbench.charts) in `where` (st, a column, a tab), full
    width, with its spec built once per content."""
    name = builder.__name__
    if _to_spec is None or getattr(charts, name, None) is not builder:
        where.altair_chart(builder(*args, **kwargs), width="stretch")
        return
    where.vega_lite_chart(spec=_spec(name, _content(args, kwargs), args, kwargs), width="stretch")
