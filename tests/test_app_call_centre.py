"""The call-centre sample on the Compare page (AppTest): a study started from it compares its two designs with
rosters, callers who give up and talk times from the data, and the page shows the call centre's measures (the
share who gave up, answered within X seconds, seconds to answer), where demand queues, and the fitted times."""

from __future__ import annotations

import pandas as pd
import pytest
from app_pages import Screen, open_app

from workbench.store import db, studies
from workbench.store.sample import CALL_CENTRE_STUDY, fill_with_sample, samples

AS_IS, REDESIGN = "Water contact centre - as-is", "Water contact centre - redesign"


@pytest.fixture
def study_id() -> int:
    open_app()  # the first start: migrations and the housing sample
    engine = db.engine_for()
    try:
        with db.sessions(engine)() as s:
            made = studies.create_study(s, CALL_CENTRE_STUDY, "")
            fill_with_sample(s, made.id, "Test", samples()[1])
            return made.id
    finally:
        engine.dispose()


def _table(at) -> pd.DataFrame:  # noqa: ANN001 - an AppTest
    return next(t.value for t in at.table if "Measure" in t.value.columns).set_index("Measure")


def _share(cell: str) -> float:
    return float(cell.split()[0].rstrip("%")) / 100


def test_the_call_centre_comparison_shows_the_queue_measures(study_id: int) -> None:
    at = open_app("compare", timeout=300, study=str(study_id))
    page = Screen(at)
    page.assert_no_exception()
    assert sorted(at.multiselect[0].value) == [AS_IS, REDESIGN]
    table = _table(at)
    for measure in ("Callers who gave up", "Answered within 20 seconds", "Seconds to answer (mean)"):
        assert measure in table.index, list(table.index)
    gave_up = {d: _share(table.loc["Callers who gave up", d]) for d in (AS_IS, REDESIGN)}
    assert all(0.05 < g < 0.5 for g in gave_up.values()), gave_up  # a short-staffed peak: some hang up
    within = _share(table.loc["Answered within 20 seconds", AS_IS])
    assert 0 < within < 1 - gave_up[AS_IS] + 0.01  # those who gave up were not answered in time
    headline = next(s.value for s in at.success if "resolved at first contact" in s.value)
    assert "of callers gave up waiting" in headline and "0.0 days" not in headline
    assert "minutes from first contact" in headline
    assert any(e.label == "Where demand queues (first replication)" for e in at.expander)
    assert any(e.label == "Touch times taken from the data" for e in at.expander)
    assert any("lognormal fitted to" in m.value for m in at.markdown)
    # the service level's X is the team's to set
    next(n for n in at.number_input if n.label == "Answered within (seconds)").set_value(60)
    at.run()
    page.press("Run the comparison")
    page.assert_no_exception()
    table = _table(at)
    assert "Answered within 60 seconds" in table.index
    assert _share(table.loc["Answered within 60 seconds", AS_IS]) >= within
