"""Small page objects for the AppTest page tests (streamlit.testing.v1): tests say what a user does
(`DemandScreen(at).correct(row=0, field="nature", value="failure")`, `StudiesScreen(at).create("Repairs")`) and
read what the page shows (`.headline("Failure demand")`); the app's session-state and widget keys are named
here, once.

AppTest cannot type into a data editor: an edit is made by setting the editor's edit state (its key holds
`edited_rows`, `added_rows`, `deleted_rows`) and running the script, which is what the browser sends."""

from __future__ import annotations

from typing import Any

from app_helpers import APP, metric
from streamlit.testing.v1 import AppTest

from workbench.app import keys
from workbench.app.flow_state import SECTION_OF

# ------------------------------------------------------------------ the app's keys, in one place
# Session-state keys come from the app's own list (workbench.app.keys). The file uploaders' and the
# checkbox's keys are the widgets' own (the app reads those widgets only through their return values).
DEMAND_UPLOAD = "demand_upload"  # file uploader: a demand sample
USE_SAMPLE_CATALOGUE = "Use the housing repairs sample catalogue"  # checkbox (one per file): the sample's catalogue
FLOW_UPLOAD = "flow_upload"  # file uploader: a process map
STUDY_IMPORT = "study_import"  # file uploader: a study archive (zip)
READ_AS_EVENT_LOG = "Read as an event log: one demand per case"  # checkbox label (its key names the file)
CREATE_DRAFT_MAP = "Create a draft map from this log"  # button label
E2E_BY = "e2e_by"  # radio: the end-to-end table by type, touchpoint or value/failure
E2E_PERIOD = "e2e_period"  # radio: the capability chart per week or day
E2E_SPLIT = "e2e_split"  # checkbox: capability limits before / after a change


def open_app(page: str | None = None, *, author: str | None = None, timeout: float = 90,
             **query: str) -> AppTest:
    """A new session of the app (a new person or a refresh), run once; on `page` (e.g. "flow") if given, with
    `author` as the name typed in the sidebar and `query` in the address."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if author is not None:
        at.session_state[keys.AUTHOR] = author
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(f"views/{page}.py").run()
    Screen(at).assert_no_exception()
    return at


def _edit_state(edited_rows: dict[int, dict[str, Any]]) -> dict[str, Any]:
    return {"edited_rows": edited_rows, "added_rows": [], "deleted_rows": []}


class Screen:
    """What every page offers: widgets found by their label, messages, headline tiles."""

    def __init__(self, at: AppTest) -> None:
        self.at = at

    def run(self) -> Screen:
        self.at.run()
        return self

    def assert_no_exception(self) -> None:
        assert not self.at.exception, [e.value for e in self.at.exception]

    def headline(self, label: str) -> str:
        """The headline tile labelled `label`, as shown."""
        return metric(self.at, label)

    def headline_labels(self) -> list[str]:
        return [m.label for m in self.at.metric]

    def button(self, label: str):  # noqa: ANN201 - AppTest's element type
        return next(b for b in self.at.button if b.label == label)

    def press(self, label: str) -> None:
        self.button(label).click().run()

    def selectbox(self, label: str):  # noqa: ANN201
        return next(s for s in self.at.selectbox if s.label == label)

    def choose(self, label: str, value: object) -> None:
        self.selectbox(label).set_value(value).run()

    def text_input(self, label: str):  # noqa: ANN201
        return next(t for t in self.at.text_input if t.label == label)

    def type(self, label: str, text: str) -> None:
        """Type into a text box and leave it (the app reruns)."""
        self.text_input(label).set_value(text).run()

    def errors(self) -> str:
        return " ".join(e.value for e in self.at.error)

    def warnings(self) -> str:
        return " ".join(w.value for w in self.at.warning)

    def says(self, kind: str, text: str) -> bool:
        """Whether a message of `kind` ("success", "info", "warning", "error", "caption") contains `text`."""
        return any(text in m.value for m in getattr(self.at, kind))

    def table_with(self, column: str):  # noqa: ANN201 - a DataFrame
        """The first st.dataframe that has `column`."""
        return next(d for d in self.at.dataframe if column in d.value.columns).value

    def shown_column_order(self, column: str) -> list[str]:
        """The columns of the first st.dataframe that has `column`, left to right as the page shows them (its
        `column_order`; the frame's own order when none is set)."""
        table = next(d for d in self.at.dataframe if column in d.value.columns)
        return list(table.proto.column_order) or [str(c) for c in table.value.columns]

    def _walk(self, node: Any) -> list[Any]:
        out = [node]
        for child in getattr(node, "children", {}).values():
            out.extend(self._walk(child))
        return out

    def tab(self, label: str):  # noqa: ANN201 - AppTest's Tab
        return next(t for t in self.at.tabs if t.label == label)

    def chart_specs(self, tab: str | None = None) -> list[dict[str, Any]]:
        """The Vega-Lite specs of the charts shown (in the tab labelled `tab`, if given): AppTest cannot draw
        them, only read what would be drawn."""
        import json
        root = self.tab(tab) if tab else self.at._tree
        return [json.loads(n.proto.spec) for n in self._walk(root) if getattr(n, "type", "") == "vega_lite_chart"]

    def chart_titles(self, tab: str | None = None) -> list[str]:
        titles = []
        for spec in self.chart_specs(tab):
            title = spec.get("title")
            titles.append(title.get("text", "") if isinstance(title, dict) else str(title or ""))
        return titles


class DemandScreen(Screen):
    def upload(self, name: str, data: bytes, mime: str = "text/csv") -> None:
        self.at.file_uploader(key=DEMAND_UPLOAD).set_value((name, data, mime)).run()

    def read_without_dates(self, on: bool = True) -> None:
        box = next(c for c in self.at.checkbox if c.label == "No dates in this file")
        (box.check() if on else box.uncheck()).run()

    def date_format(self, fmt: str) -> None:
        self.type("Date format (only if the dates are not read right)", fmt)

    def handling_unit(self, label: str) -> None:
        self.choose("Handling times are in", label)

    def time_zone(self, zone: str | None) -> None:
        self.choose("Times with a UTC offset or 'Z' are shown in", zone)

    def catalogue_checkbox(self):  # noqa: ANN201
        return next(c for c in self.at.checkbox if c.label == USE_SAMPLE_CATALOGUE)

    def use_sample_catalogue(self, on: bool) -> None:
        box = self.catalogue_checkbox()
        (box.check() if on else box.uncheck()).run()

    @property
    def editor_version(self) -> int:
        return self.at.session_state[keys.EDITOR_VERSION]

    def correct(self, row: int, field: str, value: str) -> None:
        """Change a cell of the customers' words table, as shown now: `row` counts the rows shown (0 is the
        first), `field` is the column's name in the frame (e.g. "nature", "demand_type")."""
        key = keys.words_editor(self.editor_version)
        self.at.session_state[key] = _edit_state({row: {field: value}})
        self.at.run()

    def undo(self) -> None:
        self.press("Undo my last correction")

    # ---------------------------------------------------------------- Demand types: the study's catalogue

    @property
    def types_version(self) -> int:
        return int(self.at.session_state[keys.TYPES_VERSION]) if keys.TYPES_VERSION in self.at.session_state else 0

    def type_rows(self) -> list[str]:
        """The demand types in the Classify-by-type table, in the order shown."""
        frame = next(d.value for d in self.at.get("dataframe")
                     if "decision" in d.value.columns and "examples" in d.value.columns)
        return [str(t) for t in frame["type"]]

    def decide_type(self, name: str, decision: str, cause: str = "") -> None:
        """Set a type's value/failure (and cause) in the Classify-by-type table and save."""
        row = self.type_rows().index(name)
        edit: dict[str, Any] = {"decision": decision}
        if cause:
            edit["cause"] = cause
        self.at.session_state[f"type_decisions_table_{self.types_version}"] = _edit_state({row: edit})
        self.press("Save these decisions")

    def merge_pairs(self) -> list[tuple[str, str]]:
        """The proposed (keep, merge-in) pairs of spellings, in the order shown."""
        frame = next(d.value for d in self.at.get("dataframe") if "similarity" in d.value.columns)
        return list(zip(frame["keep"].astype(str), frame["other"].astype(str), strict=True))

    def merge(self, keep: str, other: str) -> None:
        row = self.merge_pairs().index((keep, other))
        self.at.session_state[f"type_merges_table_{self.types_version}"] = _edit_state({row: {"merge": True}})
        self.press("Merge the ticked pairs")

    def end_to_end_by(self, label: str) -> None:
        """Show the end-to-end table by "Demand type", "Touchpoint" or "Value or failure"."""
        self.at.radio(key=E2E_BY).set_value(label).run()

    def end_to_end_per(self, label: str) -> None:
        """The capability chart per "Week" or "Day"."""
        self.at.radio(key=E2E_PERIOD).set_value(label).run()

    # --- an event log
    def event_log_box(self):  # noqa: ANN201 - the checkbox, or None when the file is not offered the choice
        return next((c for c in self.at.checkbox if c.label == READ_AS_EVENT_LOG), None)

    def read_as_event_log(self, on: bool = True) -> None:
        box = self.event_log_box()
        assert box is not None, "the file is not offered to be read as an event log"
        (box.check() if on else box.uncheck()).run()

    def tab_labels(self) -> list[str]:
        return [t.label for t in self.at.tabs]

    def paths_at_least(self, percent: int) -> None:
        """Move the 'Show paths used by at least X%' slider."""
        self.at.slider(key=keys.LOG_MIN_SHARE).set_value(percent).run()

    def create_draft_map(self) -> None:
        self.press(CREATE_DRAFT_MAP)

    def graphviz_specs(self) -> list[str]:
        """The dot text of the diagrams shown (AppTest cannot draw them)."""
        return [n.proto.spec for n in self._walk(self.at._tree) if getattr(n, "type", "") == "graphviz_chart"]

    def end_to_end_split(self, on: bool = True) -> None:
        box = self.at.checkbox(key=E2E_SPLIT)
        (box.check() if on else box.uncheck()).run()


class FlowScreen(Screen):
    @property
    def working(self):  # noqa: ANN201 - workbench.app.flow_state.Working
        """The map on screen: its name, map, the version stored, the version of its tables."""
        return self.at.session_state[keys.FLOW_EDITOR]

    def section(self, name: str) -> None:
        """Show one section of the editor ("Steps", "Routes", "Edit one step", ...: its segmented control)."""
        shown = self.at.session_state.get(keys.FLOW_SECTION)
        if shown != name:
            self.at.button_group(key=keys.FLOW_SECTION).set_value(name).run()

    def edit_step(self, row: int, **fields: str) -> None:
        """Change cells of the Steps table: `row` counts the steps shown (0 is the first), e.g.
        `edit_step(1, role="agent")`."""
        self.edit_table("steps", row, **fields)

    def edit_table(self, table: str, row: int, **fields: Any) -> None:
        """Change cells of one of the map's tables ("hours", "queues", "roles", ...), as `edit_step` does (in
        the section of the editor that shows the table, opened first as a person would)."""
        self.section(SECTION_OF[table])
        key = keys.flow_table(table, self.working.version)
        self.at.session_state[key] = _edit_state({row: dict(fields)})
        self.at.run()

    def add_row(self, table: str, **fields: Any) -> None:
        """Add a row at the end of one of the map's tables."""
        self.section(SECTION_OF[table])
        key = keys.flow_table(table, self.working.version)
        self.at.session_state[key] = {"edited_rows": {}, "added_rows": [dict(fields)], "deleted_rows": []}
        self.at.run()

    def upload(self, name: str, data: bytes, mime: str = "application/x-yaml") -> None:
        self.at.file_uploader(key=FLOW_UPLOAD).set_value((name, data, mime)).run()

    def undo(self) -> None:
        self.press("Undo last edit")


class StudiesScreen(Screen):
    def create(self, name: str, start_with: str | None = None) -> None:
        """Create a study (it becomes the open study); `start_with` is the choice in "Start with"."""
        self.text_input("Name").set_value(name)
        if start_with is not None:
            next(r for r in self.at.radio if r.label == "Start with").set_value(start_with)
        self.press("Create the study")

    def rename(self, name: str) -> None:
        self.text_input("Rename to").set_value(name)
        self.press("Rename")

    def archive(self) -> None:
        self.press("Archive (hide from the list)")

    def delete(self, confirm_name: str) -> None:
        self.type("Type the study's name to confirm", confirm_name)
        self.press("Delete for ever")

    def import_archive(self, name: str, data: bytes) -> None:
        self.at.file_uploader(key=STUDY_IMPORT).set_value((name, data, "application/zip")).run()

    def export(self) -> None:
        self.press("Export the study (zip)")

    def exported(self, study_id: int) -> tuple[bytes, str]:
        """The archive the page offers for download, and its description of what is inside."""
        return self.at.session_state[keys.study_export(study_id)]
