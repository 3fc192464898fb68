"""The Compare page through Streamlit's AppTest."""

from __future__ import annotations

import pytest
from app_pages import Screen, open_app
from streamlit.testing.v1 import AppTest


@pytest.fixture(scope="module")
def at() -> AppTest:
    return open_app("compare", timeout=180)


def _table(at: AppTest):  # noqa: ANN202
    return next(t.value for t in at.table if "Measure" in t.value.columns)


def test_first_visit_runs_the_two_sample_designs_and_reads_out_a_headline(at: AppTest) -> None:
    chosen = next(m for m in at.multiselect if m.label == "Designs").value
    assert chosen == ["Housing repairs - as is", "Housing repairs - redesign"]  # the sample study's two maps
    headline = at.success[0].value
    assert "Housing repairs - redesign" in headline and "Housing repairs - as is" in headline
    assert "resolved at first contact" in headline
    table = _table(at)
    assert list(table.columns[:3]) == ["Measure", "Housing repairs - as is", "Housing repairs - redesign"]
    measures = set(table["Measure"])
    for needed in ("End-to-end days (median)", "End-to-end days (85th percentile)", "Resolved at one stop",
                   "Hand-offs per demand", "Value-step share", "Touch minutes per demand", "Flow efficiency",
                   "Failure demand caused per 100", "Staff hours (total)", "FTE absorbed by failure demand"):
        assert needed in measures


def test_the_headline_agrees_with_the_table(at: AppTest) -> None:
    table = _table(at).set_index("Measure")
    one_stop = table.loc["Resolved at one stop"]
    redesign_pct = one_stop["Housing repairs - redesign"].split()[0]
    as_is_pct = one_stop["Housing repairs - as is"].split()[0]
    headline = at.success[0].value
    assert f"{redesign_pct} resolved at first contact" in headline
    assert f"vs {as_is_pct}" in headline


def test_the_worker_led_design_is_faster_with_fewer_hand_offs(at: AppTest) -> None:
    table = _table(at).set_index("Measure")

    def mean(row: str, design: str) -> float:
        return float(table.loc[row, design].split()[0].rstrip("%").replace(",", ""))

    assert mean("End-to-end days (median)", "Housing repairs - redesign") < mean(
        "End-to-end days (median)", "Housing repairs - as is")
    assert mean("Hand-offs per demand", "Housing repairs - redesign") < mean(
        "Hand-offs per demand", "Housing repairs - as is")


def test_changing_staffing_reruns_on_request_and_revisiting_is_instant(at: AppTest) -> None:
    reps = next(n for n in at.number_input if n.label == "Replications")
    reps.set_value(2).run()
    assert any("settings have changed" in w.value for w in at.warning)
    Screen(at).press("Run the comparison")
    assert not at.exception
    assert "2 replication(s)" in " ".join(c.value for c in at.caption)
    reps = next(n for n in at.number_input if n.label == "Replications")
    reps.set_value(3).run()  # back to the first settings: cached, no warning, no rerun needed
    assert not any("settings have changed" in w.value for w in at.warning)
    assert "3 replication(s)" in " ".join(c.value for c in at.caption)


def test_a_rerun_reads_the_corrections_from_the_store_once(at: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.app import state

    calls: list[object] = []
    real = state.corrections

    def counted(src: state.Source | None = None) -> list:
        calls.append(src)
        return real(src)

    monkeypatch.setattr(state, "corrections", counted)
    at.run()
    assert not at.exception
    assert len(calls) == 1
    assert "3 replication(s)" in " ".join(c.value for c in at.caption)  # the kept comparison, shown at once
