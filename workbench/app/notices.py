"""Messages that outlive a rerun: "saved", "merged", "refused".

A page that saves something usually calls `st.rerun()` straight after, so that everything on screen is read
back from the store; a message drawn before the rerun would vanish with it. `later(where, text)` keeps the
message in session state and `show(where)` draws (and forgets) what is waiting, at the place it is called,
on the next run. `where` is one of the *_NOTICES keys in keys.py: one per place a page shows such messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import streamlit as st

Kind = Literal["toast", "success", "info", "warning", "error"]

# the icon each kind gets unless the caller names another
ICONS: dict[Kind, str] = {
    "toast": ":material/cloud_done:",
    "success": ":material/check_circle:",
    "info": ":material/info:",
    "warning": ":material/warning:",
    "error": ":material/sync_problem:",  # what the store refuses is a clash with someone else's change
}


@dataclass(frozen=True)
class Notice:
    text: str
    kind: Kind
    icon: str


def later(where: str, text: str, kind: Kind = "success", icon: str | None = None) -> None:
    """Keep `text` to be shown by `show(where)` on the next run (after any earlier ones kept there)."""
    st.session_state.setdefault(where, []).append(Notice(text, kind, icon or ICONS[kind]))


def show(where: str) -> None:
    """Draw the notices kept for `where`, oldest first, and forget them."""
    draw: dict[Kind, Callable[..., Any]] = {"toast": st.toast, "success": st.success, "info": st.info,
                                            "warning": st.warning, "error": st.error}
    for notice in st.session_state.pop(where, []):
        draw[notice.kind](notice.text, icon=notice.icon)
