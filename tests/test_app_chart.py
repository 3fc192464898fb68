"""A chart drawn through workbench.app.chart (its spec cached by content) is the chart st.altair_chart draws: the
same Vega-Lite spec and the same data, also when it comes from the cache, and a new one when the data changes."""

from __future__ import annotations

import json
from typing import Any

from streamlit.testing.v1 import AppTest


def _page() -> None:
    import streamlit as st

    from workbench import charts, paths
    from workbench.app import chart
    from workbench.demand import analysis
    from workbench.demand.catalogue import load_catalogue
    from workbench.demand.load import load_demand

    frame = load_demand(paths.SAMPLE_DEMAND, catalogue=load_catalogue(paths.SAMPLE_CATALOGUE)).frame
    weekly = analysis.behaviour(analysis.over_time(frame, "W"), "failure_share")
    st.altair_chart(charts.xmr_chart(weekly, "Failure share per week", "Failure share", percent=True),
                    width="stretch")
    chart.show(st, charts.xmr_chart, weekly, "Failure share per week", "Failure share", percent=True)
    chart.show(st, charts.xmr_chart, weekly, "Failure share per week", "Failure share", percent=True)  # cached
    chart.show(st, charts.xmr_chart, weekly.iloc[:-1], "Failure share per week", "Failure share", percent=True)


def _charts(at: AppTest) -> list[tuple[dict[str, Any], dict[str, bytes]]]:
    def walk(node: Any) -> list[Any]:
        return [node, *(n for child in getattr(node, "children", {}).values() for n in walk(child))]

    return [(json.loads(n.proto.spec), {d.name: d.data.data for d in n.proto.datasets})
            for n in walk(at._tree) if getattr(n, "type", "") == "vega_lite_chart"]


def test_a_cached_chart_is_the_chart_altair_chart_draws() -> None:
    at = AppTest.from_function(_page, default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    drawn = _charts(at)
    assert len(drawn) == 4
    plain, cached, again, shorter = drawn
    assert cached == plain and again == plain  # the same spec and the same Arrow datasets
    assert plain[1] and all(len(data) > 0 for data in plain[1].values())
    assert shorter[1] != plain[1]  # other data: another spec, not the cached one
    at.run()  # a rerun draws the same charts again, from the cache
    assert _charts(at) == drawn


def test_a_chart_drawn_without_the_schema_check_is_the_same_chart(monkeypatch) -> None:  # noqa: ANN001
    # The app skips the Vega-Lite schema check for speed; what it draws must not differ by a byte.
    from workbench.app import chart

    chart._spec.clear()
    validated = AppTest.from_function(_page, default_timeout=120).run()
    chart._spec.clear()  # else the second page finds the specs the first one made
    unchecked_calls = []
    real = chart._Unvalidated.to_dict
    monkeypatch.setattr(chart._Unvalidated, "to_dict", lambda self: unchecked_calls.append(1) or real(self))
    monkeypatch.setenv("WORKBENCH_VALIDATE_CHARTS", "0")
    unchecked = AppTest.from_function(_page, default_timeout=120)
    unchecked.run()
    assert not unchecked.exception, [e.value for e in unchecked.exception]
    assert len(unchecked_calls) == 2  # the two distinct charts drawn through chart.show, each made once
    assert _charts(unchecked) == _charts(validated)
