"""Two people on one study at once, through the real pages (two AppTest sessions on one database).

Edits to different rows (or different steps of a map) both survive; an edit to the same row made from an
out-of-date page is refused with a message naming the other person and showing their value."""

from __future__ import annotations

import csv

from app_pages import DemandScreen, open_app
from streamlit.testing.v1 import AppTest

from workbench.store import db, studies
from workbench.store.sample import SAMPLE_STUDY

from independent import SAMPLE_CSV


def session(name: str) -> AppTest:
    return open_app(author=name)


def edit(at: AppTest, position: int, value: str, field: str = "nature") -> None:
    demand = DemandScreen(at)
    demand.correct(row=position, field=field, value=value)
    demand.assert_no_exception()


def stored_log() -> list[tuple[int, str, str, str, int]]:
    engine = db.engine_for()
    try:
        with db.sessions(engine)() as s:
            found = studies.find_study(s, SAMPLE_STUDY)
            assert found is not None
            return [(c.row, c.field, c.after, c.author, c.version) for c in studies.correction_log(s, found.id)]
    finally:
        engine.dispose()


def flipped(position: int) -> tuple[int, str, str]:
    """The file row number of the sample's n-th data row, its nature, and the other nature."""
    with SAMPLE_CSV.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    nature = rows[position]["nature"]
    assert nature in ("value", "failure")
    return position + 2, nature, "failure" if nature == "value" else "value"  # header is file row 1


def types_for(position: int) -> tuple[str, str, str]:
    """The n-th data row's demand type and two other types of the sample."""
    with SAMPLE_CSV.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    column = next(c for c in rows[0] if c.lower().replace(" ", "_") in ("demand_type", "type"))
    mine = rows[position][column]
    others = sorted({r[column] for r in rows if r[column] and r[column] != mine})
    return mine, others[0], others[1]


def test_different_rows_both_survive_and_the_same_row_is_refused() -> None:
    ann, bob = session("Ann"), session("Bob")  # both open the study before either edits
    row0, _, flip0 = flipped(0)
    row1, _, flip1 = flipped(1)

    edit(ann, 0, flip0)
    edit(bob, 1, flip1)  # a different row: no conflict, even though Bob's page was opened before Ann's edit
    assert not bob.error
    assert stored_log() == [(row0, "nature", flip0, "Ann", 1), (row1, "nature", flip1, "Bob", 1)]

    # the same row and field: Ann (having refreshed) and Cy both look at row 1's demand type
    ann.run()
    cy = session("Cy")
    row1_type, first_type, second_type = types_for(1)
    edit(ann, 1, first_type, "demand_type")  # Ann saves first
    assert stored_log()[-1] == (row1, "demand_type", first_type, "Ann", 1)
    edit(cy, 1, second_type, "demand_type")  # Cy's page still showed the type before Ann's change
    messages = DemandScreen(cy).errors()
    assert f"Ann corrected row {row1}'s demand type to '{first_type}'" in messages, messages
    assert f"'{second_type}' was not saved" in messages
    assert len(stored_log()) == 3  # nothing of Cy's was written
    # Cy's page now shows Ann's value; correcting it from there is accepted
    assert row1_type != first_type
    edit(cy, 1, second_type, "demand_type")
    assert not cy.error
    assert stored_log()[-1] == (row1, "demand_type", second_type, "Cy", 2)
    # every page lists the corrections with who made them, newest first
    cy.run()
    history = DemandScreen(cy).table_with("Who")
    assert history["Who"].tolist() == ["Cy", "Ann", "Bob", "Ann"]
    assert history.iloc[0][["Row", "What", "From", "To"]].tolist() == [row1, "Demand type", first_type, second_type]
