"""Studies page: list, open, create, rename, archive, delete, export and import studies."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from workbench import uploads
from workbench.app import keys, notices, study
from workbench.app.text import literal
from workbench.limits import LimitError
from workbench.store import archive, sample, studies
from workbench.store.studies import StoreError


def _overview(include_archived: bool) -> pd.DataFrame:
    rows = []
    for s in study.call(studies.list_studies, include_archived):
        src = study.call(studies.current_demand_source, s.id)
        rows.append({"Study": s.name, "Demand file": src.name if src else "–",
                     "Corrections": len(study.call(studies.correction_log, s.id)),
                     "Maps": len(study.call(studies.list_maps, s.id)),
                     "Comparisons": "yes" if study.call(studies.latest_comparison_run, s.id) else "–",
                     "Last changed": s.updated_at.strftime("%d %b %Y %H:%M UTC"),
                     "Archived": "archived" if s.archived else "", "id": s.id})
    return pd.DataFrame(rows)


NOTHING = "Nothing: I will upload our demand"


def _sample_choices() -> dict[str, sample.Sample]:
    housing, call_centre = sample.samples()
    return {"The sample demand and maps (housing repairs)": housing,
            "The call centre sample (water company)": call_centre}


_SAMPLES = _sample_choices()


def _create() -> None:
    with st.form("study_create", clear_on_submit=True):
        st.markdown("**New study**")
        name = st.text_input("Name", placeholder="e.g. Repairs redesign, spring 2027")
        description = st.text_area("What it is about", height=68)
        start = st.radio("Start with", [*_SAMPLES, NOTHING], horizontal=True,
                         help="A sample gives the new study its demand file, catalogue and process maps to try "
                              "things on; the call centre sample shows rosters, callers who hang up and talk "
                              "times taken from the data.")
        if st.form_submit_button("Create the study", type="primary"):
            try:
                made = study.call(studies.create_study, name, description)
            except (StoreError, ValueError) as exc:
                st.error(literal(exc))
                return
            study.use(made.id)
            if start in _SAMPLES:
                with study.session() as session:
                    sample.fill_with_sample(session, made.id, study.author(), _SAMPLES[start])
            notices.later(keys.STUDIES_NOTICES, f"Created '{literal(made.name)}'. It is now the open study.")
            st.rerun()


def _manage(current: studies.Study) -> None:
    st.markdown(f"**The open study: {literal(current.name)}**")
    c1, c2 = st.columns(2)
    with c1.form(f"study_rename_{current.id}"):
        new_name = st.text_input("Rename to", current.name)
        if st.form_submit_button("Rename"):
            try:
                study.call(studies.rename_study, current.id, new_name)
            except (StoreError, ValueError) as exc:
                st.error(literal(exc))
            else:
                notices.later(keys.STUDIES_NOTICES, f"Renamed to '{literal(new_name.strip())}'.")
                st.rerun()
    with c2:
        label = "Bring back from the archive" if current.archived else "Archive (hide from the list)"
        if st.button(label, key="study_archive"):
            study.call(studies.archive_study, current.id, not current.archived)
            notices.later(keys.STUDIES_NOTICES, f"'{literal(current.name)}' is back in the list." if current.archived
                          else f"'{literal(current.name)}' is archived: nothing is deleted.")
            st.rerun()
        _export(current)
    with st.expander("Delete this study"):
        st.warning(f"Deleting removes '{literal(current.name)}' and everything in it: its demand, corrections, maps and "
                   "comparisons. There is no undo. Export it first if you may want it back.")
        typed = st.text_input("Type the study's name to confirm", key=f"study_delete_confirm_{current.id}")
        if st.button("Delete for ever", type="primary", disabled=typed.strip() != current.name,
                     key="study_delete"):
            study.call(studies.delete_study, current.id)
            st.session_state.pop(keys.STUDY, None)
            st.query_params.pop("study", None)
            notices.later(keys.STUDIES_NOTICES, f"Deleted '{literal(current.name)}'.")
            st.rerun()


def _export(current: studies.Study) -> None:
    """Export in two steps: build the zip and read it back (so what is downloaded is known to import
    again), then offer it with a summary of what is inside."""
    key = keys.study_export(current.id)
    if st.button("Export the study (zip)", icon=":material/archive:", key="study_export",
                 help="Demand files, corrections, maps with every version and comparisons: CSV, YAML and JSON "
                      "that open without Workbench."):
        with st.spinner("Packing the study…"):
            data = study.call(archive.export_study, current.id)
            try:
                contents = archive.read_archive(data).describe()
            except archive.ArchiveError as exc:
                st.session_state.pop(key, None)
                st.error(f"The export could not be read back, so it is not offered: {literal(exc)}")
                return
        st.session_state[key] = (data, contents)
    ready = st.session_state.get(key)
    if ready:
        data, contents = ready
        stem = re.sub(r"[^A-Za-z0-9_-]+", "_", current.name).strip("_") or "study"
        st.download_button(f"Download {stem}.zip ({len(data) / 1e6:.1f} MB)", data, file_name=f"{stem}.zip",
                           mime="application/zip", icon=":material/download:", key="study_export_download")
        st.caption(f"Inside: {contents}.")


def _import() -> None:
    st.markdown("**Import a study** exported from Workbench (a zip)")
    upload = st.file_uploader("Study zip", type=["zip"], key="study_import", label_visibility="collapsed")
    if upload is None or st.session_state.get(keys.STUDY_IMPORTED) == upload.file_id:
        return
    try:
        made = study.call(archive.import_study, uploads.accept(upload.name, upload.getvalue(), "study export"),
                          author=study.author())
    except LimitError as exc:  # over the upload cap: the message names the file
        st.error(f"{literal(exc)} Nothing was changed.")
        return
    except (StoreError, ValueError) as exc:
        st.error(f"{literal(upload.name)}: {literal(exc)} Nothing was changed.")
        return
    st.session_state[keys.STUDY_IMPORTED] = upload.file_id
    study.use(made.id)
    notices.later(keys.STUDIES_NOTICES, f"Imported '{literal(made.name)}'. It is now the open study.")
    st.rerun()


def render() -> None:
    st.title("Studies")
    st.caption("A study is one piece of improvement work: its demand, the team's corrections, its process maps "
               "with every version, and its comparisons. Everything is saved as you work.")
    notices.show(keys.STUDIES_NOTICES)
    show_archived = st.toggle("Show archived studies", key="studies_archived")
    table = _overview(show_archived)
    current = study.current()
    if len(table):
        st.dataframe(table.drop(columns=["id"]), hide_index=True, width="stretch")
        ids = table["id"].tolist()
        names = dict(zip(table["id"], table["Study"], strict=True))
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        pick = c1.selectbox("Open a study", ids, format_func=names.__getitem__,
                            index=ids.index(current.id) if current and current.id in ids else 0,
                            key="studies_open_pick")
        if c2.button("Open", disabled=current is not None and pick == current.id, width="stretch"):
            study.use(pick)
            st.rerun()
    else:
        st.info("No studies yet: create one below.")
    if current is not None:
        _manage(current)
    left, right = st.columns(2)
    with left:
        _create()
    with right:
        _import()


render()
