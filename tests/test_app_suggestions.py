"""Suggestions on the Demand page (AppTest): shown only when asked, with how far to trust them; three accepted
become corrections noted "suggested, accepted" and the tiles follow; rejected ones are not offered again.
Expected counts are recounted from the sample file with plain csv reading."""

from __future__ import annotations

import csv

from app_helpers import in_sample_study
from app_pages import DemandScreen, _edit_state, open_app

from workbench.app import keys
from workbench.store import studies

from independent import SAMPLE_CSV


def _log() -> list[studies.CorrectionRecord]:
    return in_sample_study(studies.correction_log)


def _table(demand: DemandScreen):  # noqa: ANN202 - a DataFrame
    return next(d.value for d in demand.at.get("dataframe") if "why" in d.value.columns)


def test_accepting_three_suggestions_saves_three_corrections_and_moves_the_tiles() -> None:
    with SAMPLE_CSV.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    unclassified = sum(1 for r in rows if r["received_at"].strip() and not r["nature"].strip()
                       and not r["demand_type"].strip())
    demand = DemandScreen(open_app(author="Ann"))
    assert demand.headline("Not yet classified") == f"{unclassified:,}"
    assert not any("why" in d.value.columns for d in demand.at.get("dataframe"))  # nothing worked out unasked
    demand.at.toggle(key=keys.SUGGESTIONS_ON).set_value(True).run()
    demand.assert_no_exception()
    assert demand.says("info", "suggestions agree")  # how far to trust them, measured on the team's own rows
    table = _table(demand)
    assert len(table) >= 3 and table["confidence"].is_monotonic_decreasing
    picked = table.head(3)
    state = demand.at.session_state  # AppTest's session state has no .get
    version = state[keys.SUGGESTIONS_VERSION] if keys.SUGGESTIONS_VERSION in state else 0  # noqa: SIM401
    demand.at.session_state[f"suggestions_table_{version}"] = _edit_state({i: {"tick": True} for i in range(3)})
    demand.press("Accept the picked")
    demand.assert_no_exception()
    log = _log()
    natures = [(r.row, r.after) for r in log if r.field == "nature"]
    assert natures == [(int(r), str(n)) for r, n in zip(picked["row"], picked["suggested_nature"], strict=True)]
    assert {r.note for r in log} == {"suggested, accepted"} and {r.author for r in log} == {"Ann"}
    assert demand.headline("Not yet classified") == f"{unclassified - 3:,}"
    assert demand.says("success", "Accepted 3 suggestion(s)")
    assert not set(_table(demand)["row"]) & set(picked["row"])  # classified now: no longer suggested


def test_rejected_suggestions_are_not_offered_again() -> None:
    demand = DemandScreen(open_app(author="Ann"))
    demand.at.toggle(key=keys.SUGGESTIONS_ON).set_value(True).run()
    first = _table(demand).head(2)
    demand.at.session_state["suggestions_table_0"] = _edit_state({0: {"tick": True}, 1: {"tick": True}})
    demand.press("Reject the picked")
    demand.assert_no_exception()
    assert not set(_table(demand)["row"]) & set(first["row"])
    assert _log() == []  # rejecting saves nothing: the demands stay unclassified


def test_a_whole_type_suggested_one_way_is_decided_in_the_catalogue_by_a_person() -> None:
    from test_app_types import _count, _file, _versions

    demand = DemandScreen(open_app(author="Ann"))
    demand.use_sample_catalogue(False)
    demand.upload("no_natures.csv", _file())
    demand.at.toggle(key=keys.SUGGESTIONS_ON).set_value(True).run()
    demand.assert_no_exception()
    by_type = next(d.value for d in demand.at.get("dataframe")
                   if {"tick", "rows", "suggested_nature"} <= set(d.value.columns))
    names = list(by_type["demand_type"])
    assert "Where is my repair" in names  # 'still waiting', 'nobody came again': the phrase list says failure
    row = names.index("Where is my repair")
    assert by_type.loc[row, "suggested_nature"] == "failure"
    demand.at.session_state["suggested_types_table_0"] = _edit_state({row: {"tick": True}})
    demand.press("Decide the ticked types in the catalogue")
    demand.assert_no_exception()
    versions = _versions()
    assert len(versions) == 1 and versions[0].note.startswith("suggested by type, accepted: Where is my repair")
    entry = versions[0].catalogue().lookup("Where is my repair")
    assert entry is not None and entry.nature == "failure"
    assert demand.headline("Failure demand") == f"{_count({'Where is my repair'}):,}"


def test_suggestions_filter_by_how_sure_type_and_phrase() -> None:
    from test_app_types import _file

    extra = "2026-01-09 09:00,Phone,Report a leak,still waiting for someone to fix the leak\n"
    demand = DemandScreen(open_app(author="Ann"))
    demand.use_sample_catalogue(False)
    demand.upload("no_natures.csv", _file() + extra.encode())
    demand.at.toggle(key=keys.SUGGESTIONS_ON).set_value(True).run()
    demand.at.slider(key="suggest_min_confidence").set_value(0).run()
    everything = _table(demand)
    demand.at.multiselect(key="suggest_types").set_value(["Where is my repair"]).run()
    narrowed = _table(demand)
    assert set(narrowed["row"]) == set(everything.loc[everything["demand_type"] == "Where is my repair", "row"])
    assert "Report a leak" in set(everything["demand_type"]) and len(narrowed) < len(everything)
    demand.at.multiselect(key="suggest_types").set_value([]).run()
    demand.at.text_input(key="suggest_phrase").set_value("still waiting").run()
    assert all("still waiting" in w for w in _table(demand)["why"])
