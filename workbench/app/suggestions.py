"""Suggestions from the customers' words, for people to accept or reject: value or failure and a cause for
the demands nobody has classified, with how sure and why, filtered and accepted in bulk. Accepted ones become
ordinary corrections noted "suggested, accepted"; rejected ones are not offered again in this session.
Nothing is applied without a person. Widgets only: the model is `workbench.demand.suggest`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from workbench import schema
from workbench.app import classify, keys, notices, state, study
from workbench.app.text import literal
from workbench.demand.catalogue import Catalogue, CatalogueError
from workbench.demand.corrections import Correction
from workbench.demand.suggest import (
    CAUSE_SHARE,
    CONFIDENCE,
    REASONS,
    SHARE,
    SOURCE,
    SUGGESTED_CAUSE,
    SUGGESTED_NATURE,
    TYPE_ROWS,
    Suggestions,
    suggest,
    suggest_types,
)
from workbench.store import studies
from workbench.store.studies import Change, ConflictError, StoreError

SHOWN = 300  # suggestions listed at once (the filters narrow them)
ACCEPTED_NOTE = "suggested, accepted"


@st.cache_data(show_spinner=False, max_entries=4)
def _worked_out(key: tuple[object, ...], corrections: tuple[Correction, ...], _frame: pd.DataFrame
                ) -> tuple[Suggestions, pd.DataFrame, pd.DataFrame]:
    """The suggestions trained on the team's decisions as they stand (keyed by the file, how it is read and its
    corrections), per type, and the rows as listed (words, type, the reasons in words): all worked out once,
    so that a rerun with suggestions on only filters and draws."""
    result = suggest(_frame, measure=True)
    types = suggest_types(_frame, result)
    types = types[types[SUGGESTED_NATURE] != ""].reset_index(drop=True)
    table = result.table[result.table[SUGGESTED_NATURE] != ""].copy()
    words = _frame.set_index(schema.ROW)
    table[schema.CUSTOMER_WORDS] = words[schema.CUSTOMER_WORDS].reindex(table[schema.ROW]).to_numpy()
    table[schema.DEMAND_TYPE] = words[schema.DEMAND_TYPE].astype("object").reindex(table[schema.ROW]).to_numpy()
    table["why"] = [", ".join(f"“{r}”" for r in reasons) for reasons in table[REASONS]]
    return result, types, table.reset_index(drop=True)


def _accept(src: state.Source, picked: pd.DataFrame, frame: pd.DataFrame) -> None:
    current = frame.set_index(schema.ROW)
    seen = study.call(studies.correction_versions, study.require().id, src.source_id)
    changes = []
    for row, nature, cause in zip(picked[schema.ROW], picked[SUGGESTED_NATURE], picked[SUGGESTED_CAUSE], strict=True):
        row = int(row)
        changes.append(Change(row, schema.NATURE, str(nature), seen.get((row, schema.NATURE), 0),
                              str(current.at[row, schema.NATURE]) if row in current.index else None))
        if nature == schema.FAILURE and cause:
            old = current.at[row, schema.FAILURE_CAUSE] if row in current.index else None
            changes.append(Change(row, schema.FAILURE_CAUSE, str(cause), seen.get((row, schema.FAILURE_CAUSE), 0),
                                  old if isinstance(old, str) and old else None))
    rows = classify.save_batch(src, changes, ACCEPTED_NOTE, keys.SUGGESTION_NOTICES)
    if rows is not None:
        notices.later(keys.SUGGESTION_NOTICES, f"Accepted {rows:,} suggestion(s): saved as corrections with your "
                                               "name (undo takes them all back).", "success")


def _by_type(src: state.Source, types: pd.DataFrame) -> None:
    """Whole types whose demands are mostly suggested one way: decided for the catalogue by a person, at once."""
    if types.empty:
        return
    with st.expander(f"By demand type: {len(types):,} type(s) with demands not classified yet"):
        st.caption("What most of a type's unclassified demands are suggested as. Tick the types you agree with to "
                   "decide them in the study's catalogue (every demand of the type your file does not classify "
                   "itself follows).")
        version = st.session_state.get(keys.SUGGESTIONS_VERSION, 0)
        shown = types.assign(tick=False)
        with st.form(f"suggested_types_{version}", border=False):
            edited = st.data_editor(
                shown, key=f"suggested_types_table_{version}", hide_index=True, width="stretch",
                column_order=["tick", schema.DEMAND_TYPE, TYPE_ROWS, SUGGESTED_NATURE, SHARE, CONFIDENCE,
                              SUGGESTED_CAUSE],
                disabled=[c for c in shown.columns if c != "tick"],
                column_config={
                    "tick": st.column_config.CheckboxColumn("Agree", width="small"),
                    schema.DEMAND_TYPE: st.column_config.TextColumn("Demand type"),
                    TYPE_ROWS: st.column_config.NumberColumn("Not classified", format="%d"),
                    SUGGESTED_NATURE: st.column_config.TextColumn("Mostly suggested"),
                    SHARE: st.column_config.NumberColumn("Of its demands", format="percent"),
                    CONFIDENCE: st.column_config.ProgressColumn("How sure", min_value=0, max_value=1,
                                                                format="percent"),
                    SUGGESTED_CAUSE: st.column_config.TextColumn("Cause"), CAUSE_SHARE: None})
            go = st.form_submit_button("Decide the ticked types in the catalogue")
        if not go:
            return
        picked = types[edited["tick"].fillna(False).astype(bool).to_numpy()]
        if picked.empty:
            st.info("Tick the types you agree with first.", icon=":material/info:")
            return
        saved = state.saved_catalogue()
        catalogue = state.catalogue(src) or Catalogue()
        for name, nature, cause in zip(picked[schema.DEMAND_TYPE], picked[SUGGESTED_NATURE], picked[SUGGESTED_CAUSE],
                                       strict=True):
            catalogue = catalogue.decide(str(name), str(nature), str(cause or ""))
        try:
            version_saved = study.call(studies.save_catalogue, study.require().id, catalogue.to_yaml(),
                                       study.author(), saved.version if saved else None,
                                       f"suggested by type, accepted: {', '.join(map(str, picked[schema.DEMAND_TYPE]))}")
        except ConflictError as exc:
            notices.later(keys.SUGGESTION_NOTICES, literal(exc.message), "error")
        except (CatalogueError, StoreError) as exc:
            notices.later(keys.SUGGESTION_NOTICES, literal(exc), "error")
        else:
            notices.later(keys.SUGGESTION_NOTICES, f"Decided {len(picked):,} type(s) in the study's catalogue "
                                                   f"(version {version_saved.version}).", "success")
        st.session_state[keys.SUGGESTIONS_VERSION] = version + 1
        st.rerun()


def render(src: state.Source, frame: pd.DataFrame, corrections: list[Correction]) -> None:
    st.markdown("#### Suggestions from the customers' words")
    st.caption("For demands nobody has classified yet, Workbench suggests value or failure (and a cause) from "
               "what the customer said, with how sure it is and the words that drove it. It learns from your "
               "team's own decisions in this study, and nothing leaves this machine. Nothing is applied until "
               "a person accepts it.")
    notices.show(keys.SUGGESTION_NOTICES)
    if not (frame[schema.NATURE] == schema.UNCLASSIFIED).any():
        st.success("Every demand is classified: nothing to suggest.", icon=":material/task_alt:")
        return
    # learning takes a few seconds on a big study: only when asked, so other work on the page stays quick
    if not st.toggle("Suggest value or failure for the demands not classified yet", key=keys.SUGGESTIONS_ON):
        return
    with st.spinner("Learning from your team's decisions…"):
        result, types, listed = _worked_out(src.key(), tuple(corrections), frame)
    st.caption(literal(result.basis))
    if result.quality is not None:
        st.info(literal(result.quality.sentence), icon=":material/fact_check:")
    _by_type(src, types)
    rejected: set[int] = st.session_state.setdefault(keys.SUGGESTIONS_REJECTED, set())
    table = listed[~listed[schema.ROW].isin(rejected)] if rejected else listed
    if table.empty:
        st.caption("No suggestion for the demands left: their words give nothing to go on.")
        return
    f1, f2, f3, f4 = st.columns([2, 1, 2, 2])
    least = f1.slider("Only suggestions at least this sure", 0, 100, 60, step=5, format="%d%%",
                      key="suggest_min_confidence")
    natures = f2.multiselect("Suggested", [schema.VALUE, schema.FAILURE], key="suggest_natures")
    of_types = f3.multiselect("Of the demand types",
                              sorted(table[schema.DEMAND_TYPE].dropna().astype(str).unique()), key="suggest_types")
    phrase = f4.text_input("Words or phrase in the reasons", key="suggest_phrase", placeholder="e.g. still waiting")
    mask = table[CONFIDENCE] >= least / 100
    if natures:
        mask &= table[SUGGESTED_NATURE].isin(natures)
    if of_types:
        mask &= table[schema.DEMAND_TYPE].astype(str).isin(of_types)
    if phrase.strip():
        mask &= table["why"].str.contains(phrase.strip(), case=False, regex=False)
    shown = table[mask].sort_values(CONFIDENCE, ascending=False, kind="stable").head(SHOWN).reset_index(drop=True)
    st.caption(f"{int(mask.sum()):,} suggestion(s) match" + (f"; the {SHOWN} surest are listed" if mask.sum() > SHOWN
                                                            else "") + ".")
    if shown.empty:
        return
    version = st.session_state.get(keys.SUGGESTIONS_VERSION, 0)
    editable = shown[[schema.ROW, schema.CUSTOMER_WORDS, schema.DEMAND_TYPE, SUGGESTED_NATURE, SUGGESTED_CAUSE,
                      CONFIDENCE, "why", SOURCE]].assign(tick=False)
    with st.form(f"suggestions_{version}", border=False):
        edited = st.data_editor(
            editable, key=f"suggestions_table_{version}", hide_index=True, width="stretch", height=380,
            column_order=["tick", schema.CUSTOMER_WORDS, SUGGESTED_NATURE, SUGGESTED_CAUSE, CONFIDENCE, "why",
                          schema.DEMAND_TYPE, schema.ROW],
            disabled=[c for c in editable.columns if c != "tick"],
            column_config={
                "tick": st.column_config.CheckboxColumn("Pick", width="small"),
                schema.ROW: st.column_config.NumberColumn("Row", format="%d", width="small"),
                schema.CUSTOMER_WORDS: st.column_config.TextColumn("Customer's words", width="large"),
                schema.DEMAND_TYPE: st.column_config.TextColumn("Demand type"),
                SUGGESTED_NATURE: st.column_config.TextColumn("Suggested", width="small"),
                SUGGESTED_CAUSE: st.column_config.TextColumn("Cause"),
                CONFIDENCE: st.column_config.ProgressColumn("How sure", min_value=0, max_value=1, format="percent",
                                                            width="small"),
                "why": st.column_config.TextColumn("Why (the words that drove it)"),
                SOURCE: None,
            })
        b1, b2, b3 = st.columns(3)
        accept_picked = b1.form_submit_button("Accept the picked", type="primary")
        reject_picked = b2.form_submit_button("Reject the picked")
        accept_all = b3.form_submit_button(f"Accept all {len(shown):,} listed")
    picked = shown[edited["tick"].fillna(False).astype(bool).to_numpy()]
    if (accept_picked or reject_picked) and picked.empty:
        st.info("Pick some suggestions first (the Pick column).", icon=":material/info:")
        return
    if accept_picked or accept_all:
        _accept(src, shown if accept_all else picked, frame)
    elif reject_picked:
        rejected.update(int(r) for r in picked[schema.ROW])
        notices.later(keys.SUGGESTION_NOTICES, f"Rejected {len(picked):,} suggestion(s): they are not offered again "
                                               "in this session; the demands stay unclassified.", "info")
    else:
        return
    st.session_state[keys.SUGGESTIONS_VERSION] = version + 1
    st.rerun()
