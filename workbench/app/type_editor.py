"""The Demand types editor: the team classifies a whole type at once and merges spellings of one type; what
it saves is the study's catalogue (versioned in the store, merged with a colleague's save type by type).
Widgets only: the table, the proposals and the merge rules are `workbench.demand.types` and the catalogue's."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from workbench import schema
from workbench.app import keys, notices, state, study
from workbench.app.text import literal
from workbench.demand.catalogue import Catalogue, CatalogueError
from workbench.demand.corrections import Correction
from workbench.demand.types import NOT_IN_CATALOGUE, NOT_SURE, merge_candidates, type_table, undecided
from workbench.store.studies import ConflictError, StoreError, list_catalogue_versions, save_catalogue

DECISIONS = [schema.VALUE, schema.FAILURE, NOT_SURE]


@st.cache_data(show_spinner=False, max_entries=4)
def _table(key: tuple[object, ...], corrections: tuple[Correction, ...], _frame: pd.DataFrame,
           _catalogue: Catalogue | None) -> pd.DataFrame:
    """Keyed by the file, how it is read (the catalogue's text included) and the corrections of demand types:
    the table counts types and their words only, so a value/failure or cause correction (the common one in a
    workshop) finds it made already instead of grouping 100,000 rows' words again."""
    return type_table(_frame, _catalogue)


@st.cache_data(show_spinner=False, max_entries=4)
def _candidates(names: tuple[str, ...]) -> pd.DataFrame:
    return merge_candidates(list(names))


def _save(catalogue: Catalogue, base: int | None, what: str) -> None:
    """Save the catalogue as the study's next version and say what happened above the table."""
    try:
        saved = study.call(save_catalogue, study.require().id, catalogue.to_yaml(), study.author(), base, what)
    except ConflictError as exc:
        notices.later(keys.TYPES_NOTICES, literal(exc.message), "error")
    except (CatalogueError, StoreError) as exc:
        notices.later(keys.TYPES_NOTICES, literal(exc), "error")
    else:
        merged = " (merged with a colleague's save)" if "merged with version" in saved.note else ""
        notices.later(keys.TYPES_NOTICES, f"Saved in the study's catalogue, version {saved.version}{merged}: "
                                          f"{literal(what)}.", "success")
    st.session_state[keys.TYPES_VERSION] = st.session_state.get(keys.TYPES_VERSION, 0) + 1
    st.rerun()


def _decisions(table: pd.DataFrame, catalogue: Catalogue, base: int | None, version: int) -> None:
    shown = table.assign(decision=table["decision"].replace({NOT_IN_CATALOGUE: NOT_SURE}))
    with st.form(f"type_decisions_{version}", border=False):
        edited = st.data_editor(
            shown, key=f"type_decisions_table_{version}",
            hide_index=True, width="stretch", height=min(38 + 35 * len(shown), 460),
            column_order=["type", "demands", "share", "decision", "cause", "examples", "aliases"],
            disabled=["type", "demands", "share", "examples", "aliases"],
            column_config={
                "type": st.column_config.TextColumn("Demand type", width="medium"),
                "demands": st.column_config.NumberColumn("Demands", format="%d", width="small"),
                "share": st.column_config.NumberColumn("Share", format="percent", width="small"),
                "decision": st.column_config.SelectboxColumn("Value or failure", options=DECISIONS, required=True,
                                                             width="small"),
                "cause": st.column_config.TextColumn("Failure cause", help="For failure demand: what failed "
                                                     "the customer (e.g. 'progress chasing')"),
                "examples": st.column_config.TextColumn("What customers said (most frequent)", width="large"),
                "aliases": st.column_config.TextColumn("Other spellings merged in"),
            })
        submitted = st.form_submit_button("Save these decisions", type="primary")
    if not submitted:
        return
    changed = (edited["decision"] != shown["decision"]) | (edited["cause"].fillna("") != shown["cause"].fillna(""))
    if not changed.any():
        st.info("Nothing was changed in the table.", icon=":material/info:")
        return
    updated = catalogue
    for i in edited.index[changed.to_numpy()]:
        name = str(table.at[i, "type"])
        if name == "(no type)":
            continue
        updated = updated.decide(name, str(edited.at[i, "decision"]), str(edited.at[i, "cause"] or ""))
    names = [str(table.at[i, "type"]) for i in edited.index[changed.to_numpy()]]
    _save(updated, base, f"decided {len(names)} type(s): " + ", ".join(names[:5]) + (" …" if len(names) > 5 else ""))


def _merges(table: pd.DataFrame, catalogue: Catalogue, base: int | None, version: int) -> None:
    by_count = table[table["type"] != "(no type)"].sort_values("demands", ascending=False, kind="stable")
    candidates = _candidates(tuple(by_count["type"]))
    st.markdown("**Spellings that may be one type**")
    if candidates.empty:
        st.caption("No two type names look like spellings of one type.")
        return
    counts = dict(zip(by_count["type"], by_count["demands"], strict=True))
    keep = [a if counts.get(a, 0) >= counts.get(b, 0) else b for a, b in zip(candidates["a"], candidates["b"],
                                                                           strict=True)]
    other = [b if k == a else a for k, a, b in zip(keep, candidates["a"], candidates["b"], strict=True)]
    proposals = pd.DataFrame({"merge": False, "keep": keep, "other": other,
                              "similarity": candidates["similarity"].to_numpy()})
    st.caption("Tick the pairs that are the same demand type: the second name becomes another spelling of the "
               "first (its demand counts under the first). Nothing is merged unless you tick it.")
    with st.form(f"type_merges_{version}", border=False):
        edited = st.data_editor(
            proposals, key=f"type_merges_table_{version}", hide_index=True,
            width="stretch", disabled=["keep", "other", "similarity"],
            column_config={"merge": st.column_config.CheckboxColumn("Same type?", width="small"),
                           "keep": st.column_config.TextColumn("Keep this name"),
                           "other": st.column_config.TextColumn("Merge this spelling into it"),
                           "similarity": st.column_config.ProgressColumn("How alike", min_value=0, max_value=100,
                                                                         format="%d%%", width="small")})
        submitted = st.form_submit_button("Merge the ticked pairs")
    if not submitted:
        return
    ticked = proposals[edited["merge"].fillna(False).astype(bool).to_numpy()]
    if ticked.empty:
        st.info("No pair was ticked.", icon=":material/info:")
        return
    updated = catalogue
    for k, o in zip(ticked["keep"], ticked["other"], strict=True):
        updated = updated.merge(str(k), [str(o)])
    _save(updated, base, "merged " + "; ".join(f"'{o}' into '{k}'" for k, o in zip(ticked["keep"], ticked["other"],
                                                                                     strict=True)))


def _versions(catalogue: Catalogue) -> None:
    with st.expander("The catalogue's versions, and its file"):
        versions = study.call(list_catalogue_versions, study.require().id)
        if versions:
            st.dataframe(pd.DataFrame({
                "Version": [v.version for v in versions], "Saved by": [v.author or "someone" for v in versions],
                "When (UTC)": [f"{v.created_at:%d %b %Y %H:%M}" for v in versions],
                "What": [v.note for v in versions]}).iloc[::-1], hide_index=True, width="stretch")
        else:
            st.caption("Not saved in the study yet: the first decision you save starts it.")
        if catalogue.types:
            st.download_button("Download the catalogue (YAML)", lambda: catalogue.to_yaml().encode("utf-8"),
                               file_name="catalogue.yaml", mime="application/x-yaml",
                               help="The file `workbench demand summary --catalogue` reads.")


def render(src: state.Source, frame: pd.DataFrame, corrections: list[Correction]) -> None:
    """Classify by type and merge spellings; the study's catalogue is what is saved."""
    st.markdown("#### Classify by type")
    st.caption("Decide value or failure (and the cause of failure) for a whole type at once. What you save "
               "here is this study's catalogue: the type's demands that your file does not classify itself follow, "
               "in every chart, the dashboard and Compare. A person decides; Workbench only counts and proposes.")
    notices.show(keys.TYPES_NOTICES)
    saved = state.saved_catalogue()
    catalogue = state.catalogue(src) or Catalogue()
    base = saved.version if saved else None
    version = st.session_state.get(keys.TYPES_VERSION, 0)
    table = _table(src.key(), tuple(c for c in corrections if c.field == schema.DEMAND_TYPE), frame, catalogue)
    if table.empty:
        st.caption("No demand to classify.")
        return
    left = undecided(table)
    (st.info if left.types else st.success)(left.words(), icon=":material/category:")
    _decisions(table, catalogue, base, version)
    _merges(table, catalogue, base, version)
    _versions(catalogue)
