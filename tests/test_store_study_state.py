"""The study's `updated_at` names one state of the study: every write of the store API moves it (the app shares
reads made for one state between sessions, workbench/app/study.py), and concurrent writers all get through."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from workbench.demand.reading import ReadOptions
from workbench.store import db, studies

CSV = b"received_at,touchpoint,customer_words,demand_type,nature\n2026-01-05 09:00,phone,leak,Leak,value\n" \
      b"2026-01-05 10:00,phone,again,Chase,failure\n"
MAP = "name: M\nroles:\n  - id: a\nsteps:\n  - id: s1\n    role: a\n    touch: {min: 1, likely: 2, max: 3}\n"
CATALOGUE = "types:\n  - name: Leak\n    nature: value\n"


def _study(session: Session) -> int:
    made = studies.create_study(session, "States")
    studies.set_demand_source(session, made.id, "d.csv", CSV, ReadOptions(date_order="auto"), author="Ann")
    studies.save_map_version(session, made.id, "M", MAP, "Ann", None)
    return made.id


WRITES: dict[str, Callable[[Session, int], Any]] = {
    "add_correction": lambda s, i: studies.add_correction(s, i, 2, "nature", "failure", "Ann", 0),
    "add_corrections": lambda s, i: studies.add_corrections(s, i, [studies.Change(3, "nature", "value")], "Ann"),
    "undo_last": lambda s, i: (studies.add_correction(s, i, 2, "nature", "failure", "Bob", 0),
                               studies.undo_last(s, i, "Bob")),
    "save_map_version": lambda s, i: studies.save_map_version(s, i, "M", MAP.replace("M\n", "M2\n", 1), "Ann", 1),
    "restore_map_version": lambda s, i: studies.restore_map_version(s, i, "M", 1, "Ann"),
    "delete_map": lambda s, i: studies.delete_map(s, i, "M"),
    "save_catalogue": lambda s, i: studies.save_catalogue(s, i, CATALOGUE, "Ann", None),
    "set_demand_source": lambda s, i: studies.set_demand_source(s, i, "e.csv", CSV, ReadOptions(), author="Ann"),
    "update_demand_reading": lambda s, i: studies.update_demand_reading(
        s, i, studies.current_demand_source(s, i).id, ReadOptions(date_order="day-first")),  # type: ignore[union-attr]
    "reuse_demand_source": lambda s, i: studies.reuse_demand_source(
        s, i, studies.current_demand_source(s, i).id, "Ann"),  # type: ignore[union-attr]
    "rename_study": lambda s, i: studies.rename_study(s, i, "States renamed"),
    "archive_study": lambda s, i: studies.archive_study(s, i),
    "save_comparison_run": lambda s, i: studies.save_comparison_run(s, i, {"a": 1}, {"b": 2}),
}


@pytest.mark.parametrize("write", sorted(WRITES))
def test_every_write_moves_the_study_state(session: Session, write: str) -> None:
    study_id = _study(session)
    before = studies.get_study(session, study_id).updated_at
    WRITES[write](session, study_id)
    after = studies.get_study(session, study_id).updated_at
    assert after > before, write


def test_writers_at_once_are_all_stored_in_turn(engine: Engine) -> None:
    make = db.sessions(engine)
    with make() as s:
        study_id = _study(s)
    errors: list[BaseException] = []

    cells = [(2, "nature"), (3, "nature"), (2, "failure_cause"), (3, "failure_cause")]  # one per person

    def correct(person: int) -> None:
        row, field = cells[person]
        try:
            with make() as s:
                for n in range(5):  # each person corrects their own cell again and again, from the version they saw
                    value = ("failure" if n % 2 else "value") if field == "nature" else f"cause {person}.{n}"
                    studies.add_correction(s, study_id, row, field, value, f"P{person}", n)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=correct, args=(p,)) for p in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with make() as s:
        log = studies.correction_log(s, study_id)
    assert len(log) == 20
    for person in range(4):
        mine = [r for r in log if r.author == f"P{person}"]
        assert [r.version for r in mine] == [1, 2, 3, 4, 5]
