"""The app's session-state keys (workbench/app/keys.py) and the messages kept across a rerun (notices.py)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from workbench.app import keys


def _page() -> None:
    import streamlit as st

    from workbench.app import keys, notices

    notices.show(keys.STUDIES_NOTICES)
    if st.button("Save"):
        notices.later(keys.STUDIES_NOTICES, "Saved it.")
        notices.later(keys.STUDIES_NOTICES, "Someone else's change is kept too.", "info", icon=":material/merge:")
        notices.later(keys.STUDIES_NOTICES, "Refused: changed meanwhile.", "error")
        notices.later(keys.STUDIES_NOTICES, "Saved as version 2.", "toast")
        st.rerun()


def test_a_notice_kept_before_a_rerun_is_shown_once_after_it_with_its_kind_and_icon() -> None:
    at = AppTest.from_function(_page).run()
    assert not at.success and not at.error and not at.toast
    at.button[0].click().run()
    assert not at.exception
    assert [(s.value, s.icon) for s in at.success] == [("Saved it.", ":material/check_circle:")]
    assert [(s.value, s.icon) for s in at.info] == [("Someone else's change is kept too.", ":material/merge:")]
    assert [(s.value, s.icon) for s in at.error] == [("Refused: changed meanwhile.", ":material/sync_problem:")]
    assert [(s.value, s.icon) for s in at.toast] == [("Saved as version 2.", ":material/cloud_done:")]
    assert keys.STUDIES_NOTICES not in at.session_state
    at.run()  # shown once: the next run has nothing to say
    assert not at.success and not at.info and not at.error and not at.toast


def test_every_session_state_key_is_spelled_once() -> None:
    constants = {name: value for name, value in vars(keys).items() if name.isupper() and isinstance(value, str)}
    assert len(set(constants.values())) == len(constants)
    made = [keys.words_editor(0), keys.correction_versions(1), keys.flow_table("steps", 0), keys.flow_step_apply(0),
            keys.study_export(1)]
    assert not set(made) & set(constants.values())
    # the tests and stored sessions read these by their spelling
    assert (keys.AUTHOR, keys.STUDY, keys.EDITOR_VERSION, keys.FLOW_EDITOR) == ("author", "study_id",
                                                                               "editor_version", "flow_editor")
    assert (keys.words_editor(3), keys.flow_table("steps", 2), keys.study_export(7)) == (
        "words_editor_3", "flow_steps_2", "study_export_7")
