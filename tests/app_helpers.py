"""Small helpers for the AppTest page tests: where the app is, and reading a headline tile by its label."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from streamlit.testing.v1 import AppTest

T = TypeVar("T")
APP = str(Path(__file__).resolve().parent.parent / "workbench" / "app" / "main.py")


def metric(at: AppTest, label: str) -> str:
    """The value of the tile labelled `label`, as shown."""
    for m in at.metric:
        if m.label == label:
            return m.value
    raise AssertionError(f"no metric {label!r}; have {[m.label for m in at.metric]}")


def in_sample_study(call: Callable[..., T]) -> T:
    """`call(session, study_id)` on the sample study of the database the app under test uses: what the store
    holds after a page test's clicks."""
    from workbench.store import db, studies
    from workbench.store.sample import SAMPLE_STUDY

    engine = db.engine_for()
    try:
        with db.sessions(engine)() as s:
            found = studies.find_study(s, SAMPLE_STUDY)
            assert found is not None
            return call(s, found.id)
    finally:
        engine.dispose()
