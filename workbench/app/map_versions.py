"""The versions of the map on the Flow page: who saved each, when, what changed, and the name people gave it;
name one, compare two, restore an old one as the newest.

One person's edits a few minutes apart are one version (workbench.store.studies.save_map_version), so a map
built in a workshop has a version per change people made rather than per cell typed. A name ("agreed in
workshop 2") marks a version to come back to: edits after it always make a new version.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from workbench.app import flow_state, keys, notices, study
from workbench.app.text import literal
from workbench.store import studies
from workbench.store.studies import MapVersion


def _called(v: MapVersion) -> str:
    """A version as a choice in a list: its number, and its name if it has one."""
    return f"{v.version} – {v.label}" if v.label else str(v.version)


def _table(versions: list[MapVersion]) -> pd.DataFrame:
    return pd.DataFrame([{"Version": v.version, "Name": v.label, "Saved": v.created_at.strftime("%d %b %Y %H:%M UTC"),
                          "By": v.author or "–", "Edits": v.edits or 1, "What changed": v.note}
                         for v in reversed(versions)])


def _name(w: flow_state.Working, versions: list[MapVersion]) -> None:
    """Give a version a name, or take its name away."""
    assert w.study_id is not None and w.name is not None
    by_number = {v.version: v for v in versions}
    c1, c2, c3 = st.columns([1, 2, 1], vertical_alignment="bottom")
    number = c1.selectbox("Version to name", list(reversed(by_number)), format_func=lambda n: _called(by_number[n]),
                          key=f"flow_label_pick_{w.name}_{versions[-1].version}")  # the newest first
    chosen = by_number[number]
    label = c2.text_input("Name this version", chosen.label, max_chars=studies.LABEL_LENGTH,
                          placeholder="e.g. agreed in workshop 2", key=f"flow_label_{w.name}_{number}",
                          help="A named version is kept as it is: edits after it make a new version.")
    label = " ".join(label.split())
    if label == chosen.label:
        return
    if c3.button(f"Name version {number}" if label else f"Remove the name of version {number}", width="stretch",
                 key=f"flow_label_save_{w.name}"):
        study.call(studies.name_map_version, w.study_id, w.name, number, label)
        notices.later(keys.FLOW_NOTICES, f"Version {number} is now named '{literal(label)}'." if label
                      else f"Version {number} has no name now.", "toast")
        st.rerun()


def show(w: flow_state.Working) -> None:
    """Every saved version: who, when, its name, what changed; name one; compare two; restore one."""
    if w.study_id is None or w.name is None:
        return
    versions = study.call(studies.list_map_versions, w.study_id, w.name)
    with st.expander(f"Versions of this map ({len(versions)})"):
        st.caption("One person's edits a few minutes apart make one version. Name a version to keep it as it is: "
                   "edits after it make a new one.")
        table = _table(versions)
        st.dataframe(table, hide_index=True, width="stretch", height=min(36 * (len(table) + 1), 300),
                     column_config={
                         "Version": st.column_config.NumberColumn("Version", width="small"),
                         "Name": st.column_config.TextColumn("Name", width="medium"),
                         "By": st.column_config.TextColumn("By", width="medium"),
                         "Edits": st.column_config.NumberColumn("Edits", width="small", help=(
                             "How many edits of one person the version holds")),
                         "What changed": st.column_config.TextColumn("What changed", width="large")})
        _name(w, versions)
        numbers = [v.version for v in versions]
        if len(numbers) < 2:
            return
        by_number = {v.version: v for v in versions}
        c1, c2, c3 = st.columns([1, 1, 2], vertical_alignment="bottom")
        a = c1.selectbox("Compare version", numbers, index=len(numbers) - 2, format_func=lambda n: _called(by_number[n]),
                         key=f"flow_diff_a_{w.name}")
        b = c2.selectbox("with version", numbers, index=len(numbers) - 1, format_func=lambda n: _called(by_number[n]),
                         key=f"flow_diff_b_{w.name}")
        lines = study.call(studies.diff_map_versions, w.study_id, w.name, a, b)
        st.markdown("\n".join(f"- {literal(line)}" for line in lines) if lines else "No differences.")
        if c3.toggle(f"Show the text of version {a}", key=f"flow_show_version_{w.name}"):
            st.code(study.call(studies.get_map_version, w.study_id, w.name, a).yaml_text, language="yaml",
                    line_numbers=True)
        old = [n for n in numbers if n != w.stored_version]
        r1, r2 = st.columns([1, 2], vertical_alignment="bottom")
        back = r1.selectbox("Restore version", old, index=len(old) - 1, format_func=lambda n: _called(by_number[n]),
                            key=f"flow_restore_pick_{w.name}")
        if r2.button(f"Restore version {back} as the newest", key="flow_restore"):
            flow_state.restore(back)
            st.rerun()
