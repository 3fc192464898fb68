"""Studies page: list, open, create, rename, archive, delete, export and import studies, and (with sign-in)
who may work on each one.

What a person is offered follows their role in the open study (owner: everything; editor and viewer: opening
it); the store checks every call again, so a hidden button is a courtesy, not the protection.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd
import streamlit as st

from workbench import uploads
from workbench.access import ROLE_WORDS, AccessDenied, Actor, Role
from workbench.app import keys, notices, study
from workbench.app.text import literal
from workbench.limits import LimitError
from workbench.store import archive, members, sample, studies
from workbench.store.access import actor_of
from workbench.store.studies import StoreError

ROLE_HELP = {Role.OWNER: "everything: the study's demand, maps and comparisons, its people, renaming, archiving, "
                         "exporting and deleting it",
             Role.EDITOR: "demand, corrections, catalogue, maps and comparisons",
             Role.VIEWER: "the dashboard and reports only"}
ACCESS_DOC = "docs/access.md"


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
            except (StoreError, ValueError, AccessDenied) as exc:
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


def _who() -> Actor:
    """Who is working: whoever the pages' store sessions act as (the signed-in person, or the local person)."""
    with study.session() as session:
        return actor_of(session)


def _a(role: Role) -> str:
    word = ROLE_WORDS[role]
    return ("an " if word[0] in "aeiou" else "a ") + word


def _people(current: studies.Study, who: Actor) -> None:
    """Who may work on the open study: its owners (and server administrators) add people by the email they
    sign in with, change their role or remove them. Without sign-in there is nobody to name."""
    with st.expander("People: who may work on this study", icon=":material/group:"):
        if not who.signed_in:
            st.info("Sign-in is not configured on this Workbench, so everyone who can open it can see and change "
                    f"every study. To give each person a role per study, set up sign-in ({ACCESS_DOC}, \"Sign-in\" "
                    "and \"Roles\").", icon=":material/lock_open:")
            return
        if who.admin:
            st.caption("You are a server administrator: you may change the people of every study, for example "
                       "make someone its owner when its owners have left.")
        listed = study.call(members.list_members, current.id)
        if listed:
            st.dataframe(pd.DataFrame([{"Email": m.email, "Role": ROLE_WORDS[m.role], "May change": ROLE_HELP[m.role],
                                        "Added by": m.added_by or "–",
                                        "Added": m.added_at.strftime("%d %b %Y %H:%M UTC")} for m in listed]),
                         hide_index=True, width="stretch")
        else:
            st.caption("Nobody is a member of this study yet: only server administrators see it.")
        roles = list(Role)
        with st.form(f"people_add_{current.id}", clear_on_submit=True):
            c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
            email = c1.text_input("Add a person by the email they sign in with", key="people_add_email")
            role = c2.selectbox("as", roles, index=roles.index(Role.EDITOR), format_func=ROLE_WORDS.__getitem__,
                                key="people_add_role")
            if st.form_submit_button("Add"):
                _change(lambda: study.call(members.add_member, current.id, email, role),
                        f"{literal(email.strip().lower())} may now work on this study as {_a(role)}.")
        if not listed:
            return
        c1, c2, c3, c4 = st.columns([3, 1, 1, 1], vertical_alignment="bottom")
        emails = [m.email for m in listed]
        pick = c1.selectbox("Change or remove", emails, key=f"people_pick_{current.id}")
        now = next(m.role for m in listed if m.email == pick)
        new_role = c2.selectbox("new role", roles, index=roles.index(now), format_func=ROLE_WORDS.__getitem__,
                                key=f"people_role_{current.id}_{pick}")
        if c3.button("Change role", disabled=new_role == now, key="people_change"):
            _change(lambda: study.call(members.set_member_role, current.id, pick, new_role),
                    f"{literal(pick)} is now {_a(new_role)} of this study.")
        if c4.button("Remove", key="people_remove"):
            _change(lambda: study.call(members.remove_member, current.id, pick),
                    f"{literal(pick)} may no longer open this study.")


def _change(do: Callable[[], object], done: str) -> None:
    """Make a change to the study's people: refused in words (the last owner, an address, a role), else
    said after the rerun."""
    try:
        do()
    except (StoreError, ValueError, AccessDenied) as exc:
        st.error(literal(exc), icon=":material/block:")
        return
    notices.later(keys.STUDIES_NOTICES, done)
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
        who = _who()
        role = study.call(members.my_role, current.id)
        if role == Role.OWNER:
            _manage(current)
            _people(current, who)
        elif role is not None:
            st.caption(f"You are {_a(role)} of '{literal(current.name)}' ({ROLE_HELP[role]}): its owners may "
                       f"rename, archive, export or delete it and choose who works on it.")
    left, right = st.columns(2)
    with left:
        _create()
    with right:
        _import()


render()
