"""Classifying rows together, in the room: everything a search or filter shows classified in one action, and
a workshop mode that shows one customer's words at a time with value / failure / not sure. Each row is its
own audited correction; one action is one batch, undone as one (`studies.add_corrections`, `undo_last`).

Widgets only; the decisions go to the store. The workshop panel is a fragment: a click reruns it alone, so
the next customer's words come back at once instead of after the whole page has been recomputed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from workbench import schema
from workbench.app import keys, notices, state, study
from workbench.app.text import literal
from workbench.store import studies
from workbench.store.studies import Change, StoreError

BULK_ROWS = 20_000  # rows one action may classify: a filter wider than this is narrowed first
UNCHANGED = "(leave as it is)"
NATURE_CHOICES = {schema.VALUE: "Value", schema.FAILURE: "Failure", schema.UNCLASSIFIED: "Not sure"}


def save_batch(src: state.Source, changes: list[Change], note: str, refusals: str) -> int | None:
    """Save corrections made in one action as one batch; what the store refused is kept for the notices at
    `refusals` (the first five in full). Returns how many demands were corrected (None: nothing was saved)."""
    try:
        done = study.call(studies.add_corrections, study.require().id, changes, study.author(),
                          source_id=src.source_id, note=note)
    except StoreError as exc:
        notices.later(refusals, literal(exc), "error")
        return None
    for message in done.refused[:5]:
        notices.later(refusals, literal(message), "error")
    if len(done.refused) > 5:
        notices.later(refusals, f"{len(done.refused) - 5:,} more row(s) were changed by someone else since you "
                                "opened them and were not saved.", "error")
    return len({c.row for c in done.saved})


def _save(src: state.Source, changes: list[Change], note: str) -> None:
    rows = save_batch(src, changes, note, keys.CORRECTION_NOTICES)
    if rows:
        notices.later(keys.DEMAND_NOTICES, f"Saved the corrections of {rows:,} demand(s) in one step (undo takes "
                                           "them all back).", "toast")


def changes_for(shown: pd.DataFrame, values: dict[str, str], seen: dict[tuple[int, str], int]) -> list[Change]:
    """One change per row and field whose value differs from what is shown now."""
    out = []
    rows = shown[schema.ROW].to_numpy()
    for fld, value in values.items():
        current = shown[fld].astype("object").where(shown[fld].notna(), "").astype(str).to_numpy()
        for row, before in zip(rows[current != value], current[current != value], strict=True):
            out.append(Change(int(row), fld, value, seen.get((int(row), fld), 0), before or None))
    return out


def apply_to_matching(src: state.Source, matching: pd.DataFrame, type_options: list[str],
                      cause_options: list[str], seen: dict[tuple[int, str], int]) -> None:
    """Classify every demand the search and filters show, in one action."""
    n = len(matching)
    if not n:
        return
    with st.expander(f"Classify all {n:,} demands shown by this search and filter at once"):
        if n > BULK_ROWS:
            st.info(f"One step classifies at most {BULK_ROWS:,} demands: narrow the search or filters first.",
                    icon=":material/filter_alt:")
            return
        with st.form("bulk_classify", border=False):
            c1, c2, c3 = st.columns(3)
            nature = c1.selectbox("Set value or failure to", [UNCHANGED, *NATURE_CHOICES],
                                  format_func=lambda v: NATURE_CHOICES.get(v, v), key="bulk_nature")
            dtype = c2.selectbox("Set the demand type to", [UNCHANGED, *type_options], key="bulk_type", accept_new_options=True)
            cause = c3.selectbox("Set the failure cause to", [UNCHANGED, *cause_options], key="bulk_cause",
                                 accept_new_options=True)
            go = st.form_submit_button(f"Apply to all {n:,}", type="primary")
        if not go:
            return
        values = {f: v for f, v in ((schema.NATURE, nature), (schema.DEMAND_TYPE, dtype),
                                    (schema.FAILURE_CAUSE, cause)) if v and v != UNCHANGED}
        if not values:
            st.info("Choose what to set first.", icon=":material/info:")
            return
        changes = changes_for(matching, {k: str(v) for k, v in values.items()}, seen)
        if not changes:
            st.info("They are all like that already.", icon=":material/info:")
            return
        _save(src, changes, f"applied to {n:,} matching demand(s)")
        st.session_state[keys.EDITOR_VERSION] = st.session_state.get(keys.EDITOR_VERSION, 0) + 1
        st.rerun()


def _queue(frame: pd.DataFrame) -> pd.DataFrame:
    """The unclassified demands with words, in file order."""
    open_ = frame[(frame[schema.NATURE] == schema.UNCLASSIFIED)]
    return open_[[schema.ROW, schema.CUSTOMER_WORDS, schema.DEMAND_TYPE, schema.NATURE, schema.FAILURE_CAUSE,
                  schema.TOUCHPOINT]]


def _answer(src: state.Source, row: dict[str, object], pressed: str | None) -> None:
    """A button's callback (it runs before the panel is drawn again, so the next demand shows at once): save
    the decision on this row as a correction, with the type and cause chosen for it; None skips the row."""
    number = int(str(row[schema.ROW]))
    done: set[int] = st.session_state.setdefault(keys.WORKSHOP_DONE, set())
    done.add(number)
    if pressed is None or pressed == schema.UNCLASSIFIED:  # skipped, or 'not sure': it stays unclassified
        return
    given = row[schema.DEMAND_TYPE]
    current_type = str(given) if isinstance(given, str) else ""
    dtype = st.session_state.get(f"workshop_type_{number}") or ""
    cause = st.session_state.get(f"workshop_cause_{number}") or ""
    values = {schema.NATURE: pressed}
    if dtype and dtype != current_type:
        values[schema.DEMAND_TYPE] = str(dtype)
    if pressed == schema.FAILURE and cause:
        values[schema.FAILURE_CAUSE] = str(cause)
    try:
        seen = study.call(studies.correction_versions, study.require().id, src.source_id)
        saved = study.call(studies.add_corrections, study.require().id,
                           changes_for(pd.DataFrame([row]), values, seen), study.author(),
                           source_id=src.source_id, note="workshop")
    except StoreError as exc:
        notices.later(keys.WORKSHOP_NOTICES, literal(exc), "error")
        return
    for message in saved.refused:
        notices.later(keys.WORKSHOP_NOTICES, literal(message), "error")


@st.fragment
def workshop(src: state.Source, frame: pd.DataFrame, type_options: list[str], cause_options: list[str]) -> None:
    """One customer's words, large, and the team's decision: then the next one not yet classified."""
    done: set[int] = st.session_state.setdefault(keys.WORKSHOP_DONE, set())
    queue = _queue(frame)
    total = len(queue)
    left = queue[~queue[schema.ROW].isin(done)]
    st.progress((total - len(left)) / total if total else 1.0,
                text=f"{len(left):,} of {total:,} demands not classified yet" if total else
                "Every demand is classified.")
    notices.show(keys.WORKSHOP_NOTICES)
    if left.empty:
        if total:
            st.success("All done here. The charts include every decision once the page is refreshed.",
                       icon=":material/task_alt:")
            st.button("Show the charts with these decisions", on_click=done.clear, key="workshop_refresh")
        return
    row = left.iloc[0].to_dict()
    number = int(row[schema.ROW])
    words = str(row[schema.CUSTOMER_WORDS]) if pd.notna(row[schema.CUSTOMER_WORDS]) else ""
    st.caption(f"Row {number} · {literal(row[schema.TOUCHPOINT])}")
    st.markdown(f"### “{literal(words)}”" if words.strip() else "### (no words were recorded)")
    c1, c2 = st.columns(2)
    current_type = str(row[schema.DEMAND_TYPE]) if pd.notna(row[schema.DEMAND_TYPE]) else ""
    options = list(dict.fromkeys([current_type, *type_options])) if current_type else ["", *type_options]
    c1.selectbox("This customer's demand type", options, key=f"workshop_type_{number}", accept_new_options=True,
                 help="Choose one used before, or type a new one")
    c2.selectbox("Cause of the failure (for failure)", ["", *cause_options], key=f"workshop_cause_{number}",
                 accept_new_options=True)
    b1, b2, b3, b4 = st.columns(4)
    b1.button("Value", shortcut="v", width="stretch", key="workshop_value", type="primary",
              on_click=_answer, args=(src, row, schema.VALUE))
    b2.button("Failure", shortcut="f", width="stretch", key="workshop_failure", type="primary",
              on_click=_answer, args=(src, row, schema.FAILURE))
    b3.button("Not sure", shortcut="n", width="stretch", key="workshop_unsure",
              on_click=_answer, args=(src, row, schema.UNCLASSIFIED))
    b4.button("Skip", shortcut="s", width="stretch", key="workshop_skip", on_click=_answer, args=(src, row, None))
    st.caption("Keys: **V** value, **F** failure, **N** not sure (it stays unclassified), **S** skip. Each answer "
               "is saved at once, with your name; the charts take them in when the page is next drawn whole.")
