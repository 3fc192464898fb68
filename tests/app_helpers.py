"""Small helpers for the AppTest page tests: where the app is, and reading a headline tile by its label."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "workbench" / "app" / "main.py")


def metric(at: AppTest, label: str) -> str:
    """The value of the tile labelled `label`, as shown."""
    for m in at.metric:
        if m.label == label:
            return m.value
    raise AssertionError(f"no metric {label!r}; have {[m.label for m in at.metric]}")
