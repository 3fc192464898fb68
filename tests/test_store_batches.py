"""Corrections made in one action (a filter classified at once, suggestions accepted together): one batch,
each row audited, rows someone else changed refused one by one, undone as one; kept by the study zip.
SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy.orm import Session

from workbench.store import archive, studies
from workbench.store.studies import Change

CSV = b"received_at,demand_type,customer_words\n2026-01-05,Leak,drip\n2026-01-05,Leak,drip\n2026-01-06,Chase,where\n"


def _study(session: Session, name: str) -> int:
    s = studies.create_study(session, name)
    studies.set_demand_source(session, s.id, "d.csv", CSV)
    return s.id


def test_a_batch_saves_each_row_with_one_number_and_its_note(session: Session) -> None:
    sid = _study(session, "Batch")
    done = studies.add_corrections(session, sid, [Change(2, "nature", "value"), Change(3, "nature", "value"),
                                                  Change(4, "nature", "failure", before="")], "Ann",
                                   note="applied to 3 matching")
    assert not done.refused and done.batch is not None
    log = studies.correction_log(session, sid)
    assert [(r.row, r.after, r.batch, r.note) for r in log] == [
        (2, "value", done.batch, "applied to 3 matching"), (3, "value", done.batch, "applied to 3 matching"),
        (4, "failure", done.batch, "applied to 3 matching")]
    again = studies.add_corrections(session, sid, [Change(2, "nature", "failure", 1)], "Ann")
    assert again.batch == done.batch + 1


def test_rows_someone_else_changed_are_refused_and_the_rest_saved(session: Session) -> None:
    sid = _study(session, "Clash")
    studies.add_correction(session, sid, 3, "nature", "failure", "Bob", 0)
    done = studies.add_corrections(session, sid, [Change(2, "nature", "value"), Change(3, "nature", "value")], "Ann")
    assert [r.row for r in done.saved] == [2]
    assert len(done.refused) == 1 and "Bob corrected row 3" in done.refused[0]
    assert studies.correction_versions(session, sid) == {(2, "nature"): 1, (3, "nature"): 1}


def test_undo_puts_the_whole_batch_back_and_leaves_others_work(session: Session) -> None:
    sid = _study(session, "Undo")
    studies.add_corrections(session, sid, [Change(2, "nature", "value"), Change(3, "nature", "value"),
                                           Change(4, "nature", "value")], "Ann")
    studies.add_correction(session, sid, 4, "nature", "failure", "Bob", 1)  # Bob changed row 4 since
    undone = studies.undo_last(session, sid, "Ann")
    assert sorted((r.row, r.after) for r in undone.saved) == [(2, ""), (3, "")]
    assert len(undone.refused) == 1 and "row 4" in undone.refused[0]
    assert all(r.note == "undo of 3 corrections made together" for r in undone.saved)
    current = {(r.row, r.field): r.after for r in studies.correction_log(session, sid)}
    assert current[(4, "nature")] == "failure"
    assert studies.undo_last(session, sid, "Nobody").saved == []


def test_the_study_zip_keeps_batches_and_notes(session: Session) -> None:
    sid = _study(session, "Zip batches")
    studies.add_corrections(session, sid, [Change(2, "nature", "value"), Change(3, "nature", "value")], "Ann",
                            note="suggested, accepted")
    copy = archive.import_study(session, archive.export_study(session, sid), name="Zip batches copy")
    log = studies.correction_log(session, copy.id)
    assert [(r.row, r.batch, r.note) for r in log] == [(2, 1, "suggested, accepted"), (3, 1, "suggested, accepted")]
