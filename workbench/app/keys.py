"""Session-state keys: the one place their names are spelled.

Every `st.session_state[...]` entry and every widget `key=` that code other than the widget's own line reads
is named here, with what it holds. Widgets read only through their return value keep their keys where they
are drawn. Some values are read by the tests (e.g. "author", "editor_version", "flow_editor"): do not rename
them lightly.
"""

from __future__ import annotations

# ------------------------------------------------------------------------------ the study and the person

STUDY = "study_id"  # the id of the study this session last opened (the URL's ?study= comes first)
AUTHOR = "author"  # the sidebar's "Your name" box: who is working, saved with every change they make
ADOPTED_SHOWN = "adopted_shown"  # an administrator was told which studies became theirs at this start
ACTOR = "actor"  # who is asking (workbench.access.Actor), set by main.py: the store's sessions act as them

# ------------------------------------------------------------------------------------------ Share links

SHARE_MADE = "share_made"  # {study id: the link this session just made}, shown until the person hides it

# ------------------------------------------------------------------------------------------ Demand page

DEMAND_UPLOAD_STORED = "demand_upload_stored"  # file_id of the upload this session already stored in the study
EDITOR_VERSION = "editor_version"  # generation of the customers' words table, bumped after every save
TYPES_VERSION = "types_editor_version"  # generation of the Demand types tables, bumped after every catalogue save
SUGGESTIONS_ON = "suggestions_on"  # the toggle: suggestions are worked out (and shown) only when it is on
SUGGESTIONS_REJECTED = "suggestions_rejected"  # rows whose suggestion a person rejected in this session
SUGGESTIONS_VERSION = "suggestions_version"  # generation of the suggestions table, bumped after accepting
SUGGESTION_NOTICES = "suggestion_notices"  # what accepting or rejecting did
WORKSHOP_DONE = "workshop_done"  # rows this session answered (or skipped) in the workshop, not shown again
WORKSHOP_NOTICES = "workshop_notices"  # a workshop answer the store refused
TYPES_NOTICES = "types_notices"  # what the last catalogue save did (saved, merged, refused), shown above the table


def words_editor(version: int) -> str:
    """The customers' words table of generation `version`: its pending edits (st.data_editor's delta)."""
    return f"words_editor_{version}"


def correction_versions(source_id: int | None) -> str:
    """The corrections' versions the page last showed for a demand file: what the next correction is made from."""
    return f"correction_versions_{source_id}"


# ---------------------------------------------------------------------------- Flow page and its editor

FLOW_EDITOR = "flow_editor"  # the map on screen (flow_state.Working)
FLOW_HISTORY = "flow_editor_history"  # the YAML before each edit of the map on screen, for undo (newest last)
FLOW_UPLOADED = "flow_uploaded"  # file_id of the map upload last opened (so it is not added again)
FLOW_CONFIRM_OVERWRITE = "flow_confirm_overwrite"  # the file Save found taken: offer Save as new, or Overwrite
FLOW_SECTION = "flow_section"  # the editor's section on screen (flow_state.SECTIONS): kept across edits
FLOW_FORM_STEP = "flow_form_step"  # the step shown in the one-step form (its selectbox)
FLOW_FORM_OPEN = "flow_form_open"  # a step to show in the one-step form on the next run (a step just added)
FLOW_TABLE_NOTICES = "notices_flow_table"  # above the editor's tables: a number read other than as typed
FLOW_TEMPLATE_PICK = "flow_template_pick"  # the template chosen in "Start a map"


def flow_table(table: str, version: int) -> str:
    """An editable table of the map on screen (steps, routes, ...) at editor generation `version`: its edits."""
    return f"flow_{table}_{version}"


def flow_step_apply(version: int) -> str:
    """The step form's "Apply to step" button at editor generation `version`: True on the run it was pressed."""
    return f"flow_step_form_apply_{version}"


# ----------------------------------------------------------------------------------------- Compare page

COMPARE_LAST = "cmp_last"  # the key (input digest) of the comparison this session last showed

# ----------------------------------------------------------------------------------------- Studies page

STUDY_IMPORTED = "study_imported"  # file_id of the study zip last imported (so it is not imported twice)


def study_export(study_id: int) -> str:
    """A study's export, built and read back: (zip bytes, a summary of its contents), ready to download."""
    return f"study_export_{study_id}"


# ------------------------------------------------------- messages shown on the next run (notices.py)
# Each holds the notices waiting to be shown at one place; see notices.later / notices.show.

DEMAND_NOTICES = "notices_demand"  # the Demand page, under the data panel: a file or correction saved
CORRECTION_NOTICES = "notices_corrections"  # the customers' words tab: corrections the store refused
FLOW_NOTICES = "notices_flow"  # the Flow page, above the map: saved, merged with another's edit, refused
FLOW_FILE_NOTICES = "notices_flow_file"  # the Flow page's "save a copy as a file" box: the file written
STUDIES_NOTICES = "notices_studies"  # the Studies page, at the top: created, renamed, archived, deleted, imported

# ------------------------------------------------------------------- Demand page: an event log's flow

LOG_MIN_SHARE = "log_min_share"  # slider: paths shown / folded in the draft map, in percent
LOG_CREATE_MAP = "log_create_map"  # button: create a draft map from the log
LOG_MAP_MADE = "log_map_made"  # the name of the map last created from the log (for the message and link)
