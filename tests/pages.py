"""Page objects for the browser tests: small helpers so that tests read like a user's steps.

They never sleep and never click at pixel offsets. An action that makes the app rerun waits for that rerun
to end (the server's "script finished" message on the page's websocket), then for the page to be idle; and
every figure the app recomputes is checked with Playwright's `expect`, which retries until the page shows it
or the time runs out (`expect_headline`, `expect_tile`, ...). On a busy machine the page may be drawn a
moment after the run ends: reading a figure once and asserting on it is how tests become flaky."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Frame, Locator, Page, WebSocket, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import Engine
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from workbench.store import db, studies
from workbench.store.sample import SAMPLE_STUDY

from independent import SAMPLE_CSV

TIMEOUT_MS = 60_000
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

_RUN_ENDED = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)  # not: early for a rerun


def _run_finished(payload: str | bytes) -> bool:
    """Whether a websocket frame from the server says a script run ended (and no rerun follows at once)."""
    if not isinstance(payload, bytes):
        return False
    msg = ForwardMsg()
    try:
        msg.ParseFromString(payload)
    except Exception:  # noqa: BLE001 - not a message of ours: not the one we wait for
        return False
    return msg.WhichOneof("type") == "script_finished" and msg.script_finished in _RUN_ENDED


def _streams(page: Page) -> list[WebSocket]:
    """The websockets the page opened, newest last (one per load of the app), recorded once per page."""
    streams: list[WebSocket] | None = getattr(page, "_workbench_streams", None)
    if streams is None:
        streams = []
        page.on("websocket", lambda ws: streams.append(ws))  # a Python function: Playwright tags its handlers
        page._workbench_streams = streams  # type: ignore[attr-defined]
    return streams


class AppPage:
    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        _streams(page)  # before the first load, so its websocket is seen

    # ------------------------------------------------------------------ loading and reruns

    def open(self, path: str = "") -> AppPage:
        self.page.goto(f"{self.base_url}/{path}")
        self._wait_loaded()
        return self

    def start_loading(self, path: str = "") -> None:
        """Load the app without waiting for its first run (`wait_loaded` waits): two windows opened at once."""
        self.page.goto(f"{self.base_url}/{path}", wait_until="commit")

    def wait_loaded(self) -> None:
        self._wait_loaded()

    def reload(self) -> None:
        self.page.reload()
        self._wait_loaded()

    def _wait_loaded(self) -> None:
        # a fresh document starts 'initial': 'notRunning' can only follow the end of its first run
        expect(self.page.locator('[data-testid="stApp"][data-test-connection-state="CONNECTED"]')).to_be_attached(
            timeout=TIMEOUT_MS)
        self.wait_idle()

    def wait_idle(self) -> None:
        """Wait until no script run is under way (the page's own script state, and no status widget)."""
        expect(self.page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')).to_be_attached(
            timeout=TIMEOUT_MS)
        expect(self.page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=TIMEOUT_MS)

    @contextmanager
    def rerun(self) -> Iterator[None]:
        """Around an action that makes the app rerun: wait for that run to end, then for the page to be idle."""
        live = [ws for ws in _streams(self.page) if not ws.is_closed()]
        if not live:  # no websocket seen (a page object made after the load): the page's state is all we have
            yield
            self.wait_idle()
            return
        with live[-1].expect_event("framereceived", predicate=_run_finished, timeout=TIMEOUT_MS):
            yield
        self.wait_idle()

    def go_to(self, name: str) -> None:
        """Another page of the app, through the sidebar (same session)."""
        with self.rerun():
            self.page.get_by_test_id("stSidebarNav").get_by_text(name, exact=True).click()

    def enter_text(self, label: str, text: str) -> None:
        """Type into a text box found by its label and press Enter (Streamlit reruns with the new text)."""
        box = self.page.get_by_role("textbox", name=label)
        box.fill(text)
        with self.rerun():
            box.press("Enter")
        expect(box).to_have_value(text, timeout=TIMEOUT_MS)

    def press(self, button: str) -> None:
        with self.rerun():
            self.page.get_by_role("button", name=button, exact=True).click()

    # ------------------------------------------------------------------ reading what the page shows

    def tile(self, label: str) -> Locator:
        """The value of the headline tile (st.metric) labelled `label`."""
        metric = self.page.get_by_test_id("stMetric").filter(
            has=self.page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
        return metric.get_by_test_id("stMetricValue")

    def expect_headline(self, label: str, value: str) -> None:
        """The tile labelled `label` shows `value` (retried until it does, or the time runs out)."""
        expect(self.tile(label)).to_have_text(value, timeout=TIMEOUT_MS)

    expect_tile = expect_headline

    def tab(self, name: str) -> None:
        """Open a tab (no rerun: st.tabs switch in the browser)."""
        tab = self.page.get_by_role("tab", name=name)
        tab.click()
        expect(tab).to_have_attribute("aria-selected", "true", timeout=TIMEOUT_MS)

    def charts(self) -> Locator:
        """What the Vega-Lite charts have drawn (a canvas or an svg each)."""
        return self.page.get_by_test_id("stVegaLiteChart").locator("canvas, svg")

    def expect_rendered_charts(self, at_least: int) -> None:
        """At least `at_least` charts have drawn (they draw one by one, after the run)."""
        expect(self.charts().nth(at_least - 1)).to_be_attached(timeout=TIMEOUT_MS)

    def expect_no_exception(self) -> None:
        expect(self.page.get_by_test_id("stException")).to_have_count(0)

    def choose(self, label: str, option: str) -> None:
        """Pick an option in a Streamlit selectbox found by its label (the app reruns)."""
        with self.rerun():
            self._pick(self.page, label, option)

    def _pick(self, scope: Page | Locator, label: str, option: str) -> None:
        """Open a selectbox's list and click an option (the list opens below, so scroll it into view)."""
        box = scope.get_by_test_id("stSelectbox").filter(
            has=self.page.get_by_role("combobox", name=label, exact=True))
        box.scroll_into_view_if_needed()
        choice = self.page.get_by_role("listbox").get_by_role("option").filter(
            has=self.page.get_by_text(option, exact=True))
        for _ in range(5):  # a list opened while the page was redrawn can close again: open it once more
            box.get_by_role("button", name="Open").click()
            try:
                choice.wait_for(state="visible", timeout=3000)
                break
            except PlaywrightTimeout:
                self.page.keyboard.press("Escape")
        choice.click()
        expect(box.get_by_role("combobox")).to_have_value(option, timeout=TIMEOUT_MS)

    def grid(self, column: str) -> Locator:
        """The st.dataframe that has a column headed `column` (the first, if several)."""
        return self.page.get_by_test_id("stDataFrame").filter(
            has=self.page.locator("thead th").filter(has_text=column)).first

    def grid_cell(self, grid: Locator, row: int, column: str) -> Locator:
        """A cell of an st.dataframe: `row` counts the rows shown (0 is the first), `column` is the header. The
        grid is drawn on a canvas; the cells are also in a table for screen readers, which is what this reads
        (and what moves the grid's selection when focused). That table holds the columns in view only."""
        # the table is drawn afresh after a rerun: wait for its header before reading where the column is
        expect(grid.locator("thead th").filter(has_text=column).first).to_be_attached(timeout=TIMEOUT_MS)
        headers = [h.strip() for h in grid.locator("thead th").all_inner_texts()]
        if column not in headers:
            raise AssertionError(f"no column {column!r} in the table; have {headers}")
        return grid.get_by_test_id(f"glide-cell-{headers.index(column)}-{row}")

    def select_cell(self, grid: Locator, target: Locator) -> None:
        """Select a cell of an editable grid (the keyboard then acts on it), and see the grid show it selected."""
        expect(grid).to_be_visible(timeout=TIMEOUT_MS)
        grid.scroll_into_view_if_needed()
        expect(target).to_be_attached(timeout=TIMEOUT_MS)
        # Focusing a cell selects it, but the grid ignores a focus on the cell it last saw focused, and may
        # select its first cell when it had no selection yet: focus a neighbour, then the target, until the
        # grid shows the target selected.
        cell = target.get_attribute("data-testid") or ""
        target_row = cell.rsplit("-", 1)[1]
        neighbour = grid.locator(f"[data-testid^='glide-cell-'][data-testid$='-{target_row}']"
                                 f":not([data-testid='{cell}'])").first
        for attempt in range(5):
            if attempt:
                grid.hover()  # a grid drawn afresh may take focus only once the pointer has been over it
            neighbour.focus()
            target.focus()
            try:
                expect(target).to_have_attribute("aria-selected", "true", timeout=10_000 if attempt < 4 else TIMEOUT_MS)
                break
            except AssertionError:
                if attempt == 4:
                    raise

    def pick_in_cell(self, grid: Locator, row: int, column: str, value: str, *, kept: bool = True,
                     target: Locator | None = None) -> None:
        """Select a selectbox cell of an editable grid, open its list (Enter) and click `value` (and, with
        `kept`, see the cell show it). `target`: the cell, when `grid_cell` does not find it."""
        target = target or self.grid_cell(grid, row, column)
        self.select_cell(grid, target)
        self.page.keyboard.press("Enter")  # opens the cell's list of options
        option = self.page.locator("#portal").get_by_role("option", name=value, exact=True)
        expect(option).to_be_visible(timeout=TIMEOUT_MS)
        option.click()
        if kept:
            expect(target).to_contain_text(value, timeout=TIMEOUT_MS)

    def type_in_cell(self, grid: Locator, target: Locator, text: str) -> None:
        """Select a cell of an editable grid, open its editor (Enter), type `text` and press Enter (the app reruns:
        wrap in `rerun()`)."""
        self.select_cell(grid, target)
        self.page.keyboard.press("Enter")
        box = self.page.locator("#portal input.gdg-input, #portal textarea.gdg-input").first
        expect(box).to_be_visible(timeout=TIMEOUT_MS)
        box.fill(text)
        box.press("Enter")

    def diagram_nodes(self) -> Locator:
        """The boxes of the graphviz diagrams on the page (drawn in the browser, after the run)."""
        return self.page.get_by_test_id("stGraphVizChart").locator("svg g.node")

    def diagram_node(self, text: str) -> Locator:
        """The diagram's box for `text`, however the diagram wrapped it over lines (each line is an svg text of its
        own, so the words of two lines meet with no space between them)."""
        words = r"\s*".join(re.escape(w) for w in text.split())
        return self.diagram_nodes().filter(has_text=re.compile(words))

    def screenshot(self, path: Path) -> None:
        height = self.page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
        self.page.set_viewport_size({"width": 1400, "height": min(int(height), 8000)})
        self.page.screenshot(path=str(path), full_page=True)


class DemandPage(AppPage):
    WORDS_TAB = "Customers' words"
    FLOW_TAB = "How the work flows"
    LOOKS_LIKE_A_LOG = "This file looks like an event log"
    READ_AS_LOG = "Read as an event log: one demand per case"
    CREATE_MAP = "Create a draft map from this log"

    def open_data_panel(self) -> None:
        panel = self.page.get_by_text("Upload a demand sample (CSV or Excel)")
        if not panel.is_visible():
            self.page.get_by_text("Data: use the sample or upload your own demand").click()
        expect(panel).to_be_visible(timeout=TIMEOUT_MS)

    def use_sample_catalogue(self) -> None:
        """Tick 'Use the housing repairs sample catalogue' for the file on screen (a file of one's own is read
        without it until the person says so)."""
        self.open_data_panel()
        box = self.page.get_by_role("checkbox", name="Use the housing repairs sample catalogue")
        expect(box).not_to_be_checked(timeout=TIMEOUT_MS)
        with self.rerun():
            self.page.get_by_text("Use the housing repairs sample catalogue", exact=True).click()
        expect(box).to_be_checked(timeout=TIMEOUT_MS)

    def upload(self, path: Path) -> None:
        self.open_data_panel()
        with self.rerun():
            self.page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(path))
        expect(self.page.get_by_role("heading", name=path.name)).to_be_visible(timeout=TIMEOUT_MS)

    def words_table(self) -> Locator:
        return self.page.get_by_test_id("stDataFrame").filter(has_text="Customer's words").first

    def cell(self, row: int, column: str) -> Locator:
        """A cell of the customers' words table (see `grid_cell`)."""
        return self.grid_cell(self.words_table(), row, column)

    def search_words(self, text: str) -> None:
        """Search the customers' words, and wait for the table's first row to be a match."""
        self.tab(self.WORDS_TAB)
        self.enter_text("Search the customers' words", text)
        expect(self.cell(0, "Customer's words")).to_contain_text(text, ignore_case=True, timeout=TIMEOUT_MS)
        self.page.get_by_text("matching demands").click()  # leave the search box, as a user does

    def correct(self, row: int, column: str, value: str, *, kept: bool = True) -> None:
        """Pick `value` in a cell of the customers' words table, as a user does: select the cell, press Enter to
        open its list, click the option. The app saves it and reruns; this waits for that run to end (what it
        saved or refused is for the caller to expect; `kept=False`: the cell need not show `value` after)."""
        self.tab(self.WORDS_TAB)
        grid = self.words_table()
        with self.rerun():
            self.pick_in_cell(grid, row, column, value, kept=kept)

    # ------------------------------------------------------------------ demand types: the study's catalogue

    TYPES_TAB = "Demand types"

    def types_table(self) -> Locator:
        return self.grid("What customers said (most frequent)")

    def type_row(self, name: str) -> int:
        """Where a demand type is in the Classify-by-type table (rows counted from 0)."""
        self.tab(self.TYPES_TAB)
        grid = self.types_table()
        expect(self.grid_cell(grid, 0, "Demand type")).to_be_attached(timeout=TIMEOUT_MS)
        for row in range(50):
            cell = self.grid_cell(grid, row, "Demand type")
            if not cell.count():
                break
            if cell.inner_text().strip() == name:
                return row
        raise AssertionError(f"no demand type {name!r} in the table")

    def decide_type(self, name: str, decision: str) -> None:
        """Set a type's value/failure in the table, then press the form's Save button (the app reruns)."""
        row = self.type_row(name)
        self.pick_in_cell(self.types_table(), row, "Value or failure", decision)
        with self.rerun():
            self.page.get_by_role("button", name="Save these decisions").click()
        expect(self.page.get_by_test_id("stAlertContentSuccess").filter(
            has_text="Saved in the study's catalogue")).to_be_visible(timeout=TIMEOUT_MS)

    # ------------------------------------------------------------------ suggestions

    CLASSIFY_TAB = "Classify together"

    def show_suggestions(self) -> None:
        self.tab(self.CLASSIFY_TAB)
        label = self.page.get_by_text("Suggest value or failure for the demands not classified yet", exact=True)
        expect(label).to_be_visible(timeout=TIMEOUT_MS)
        with self.rerun():
            label.click()  # a toggle switches when its label is clicked
        expect(self.suggestions_table()).to_be_visible(timeout=TIMEOUT_MS)

    def suggestions_table(self) -> Locator:
        return self.grid("Why (the words that drove it)")

    def pick_suggestion(self, row: int) -> None:
        """Tick a suggestion's Pick box with the mouse, as a person does: the grid is drawn on a canvas, so the
        click lands where the box is drawn (the first column; rows of the grid's own height). No rerun: the
        table is in a form."""
        grid = self.suggestions_table()
        target = self.grid_cell(grid, row, "Pick")
        expect(target).to_be_attached(timeout=TIMEOUT_MS)
        canvas = grid.locator("canvas").first
        grid.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        assert box is not None
        header = grid.locator("thead th").first.bounding_box()
        row_height = 35  # Streamlit's data editor rows
        top = (header["height"] if header and header["height"] else row_height)
        width = grid.locator("thead th").first.bounding_box()
        first = width["width"] if width and width["width"] else 60
        for _ in range(3):
            # the grid's scroller lies over its canvas and takes the pointer: click the page where the box is
            self.page.mouse.click(box["x"] + first / 2, box["y"] + top + row_height * row + row_height / 2)
            try:
                expect(target).to_contain_text("true", timeout=5_000)
                return
            except AssertionError:
                continue
        expect(target).to_contain_text("true", timeout=TIMEOUT_MS)

    def suggestion_words(self, row: int) -> str:
        return self.grid_cell(self.suggestions_table(), row, "Customer's words").inner_text().strip()

    def expect_type_decision(self, name: str, decision: str) -> None:
        row = self.type_row(name)
        expect(self.grid_cell(self.types_table(), row, "Value or failure")).to_have_text(decision,
                                                                                        timeout=TIMEOUT_MS)

    def correct_first_row(self, column: str, value: str, *, kept: bool = True) -> None:
        """Change the first shown row's cell in the column headed `column` of the customers' words table
        (`kept=False`: a change that will be refused, whose cell the page puts back at once)."""
        self.correct(0, column, value, kept=kept)

    def expect_saved(self, count: int) -> Locator:
        """The customers' words tab says `count` corrections are saved in the study (returned, to check more of
        its text)."""
        self.tab(self.WORDS_TAB)
        saved = self.page.get_by_test_id("stAlertContentSuccess").filter(has_text=f"Saved: {count} correction(s)")
        expect(saved).to_be_visible(timeout=TIMEOUT_MS)
        return saved

    def report(self) -> Locator:
        """The load report (a warning when rows were set aside, else a note); not the note, above it, that the
        file looks like an event log."""
        return self.page.get_by_test_id("stAlertContentWarning").or_(
            self.page.get_by_test_id("stAlertContentInfo")).filter(has_not_text=self.LOOKS_LIKE_A_LOG).first

    # ------------------------------------------------------------------ event logs

    def event_log_box(self) -> Locator:
        return self.page.get_by_role("checkbox", name=self.READ_AS_LOG)

    def expect_read_as_event_log(self, cases: int, events: int) -> None:
        """The file was recognised as an event log and read as one demand per case: the box is ticked, the
        report says how many cases from how many events, and the headline counts the cases."""
        expect(self.page.get_by_test_id("stAlertContentInfo").filter(has_text=self.LOOKS_LIKE_A_LOG)).to_be_visible(
            timeout=TIMEOUT_MS)
        expect(self.event_log_box()).to_be_checked(timeout=TIMEOUT_MS)
        expect(self.report()).to_contain_text(f"as an event log: {cases:,} cases (one demand each) from {events:,} "
                                              "events", timeout=TIMEOUT_MS)
        self.expect_headline("Demands", f"{cases:,}")

    def open_flow_tab(self) -> None:
        """The tab 'How the work flows', once its table of transitions is drawn."""
        self.tab(self.FLOW_TAB)
        expect(self.transitions()).to_be_visible(timeout=TIMEOUT_MS)

    def transitions(self) -> Locator:
        return self.grid("Median wait (hours)")

    def expect_transition(self, row: int, source: str, target: str, times: int) -> None:
        """Row `row` of the transitions table (0 is the first, the most frequent) reads source -> target, `times`
        times."""
        table = self.transitions()
        expect(self.grid_cell(table, row, "From")).to_have_text(source, timeout=TIMEOUT_MS)
        expect(self.grid_cell(table, row, "To")).to_have_text(target, timeout=TIMEOUT_MS)
        expect(self.grid_cell(table, row, "Times")).to_have_text(re.compile(rf"^{times:,}$|^{times}$"),
                                                                 timeout=TIMEOUT_MS)

    def create_draft_map(self, name: str) -> None:
        """Press 'Create a draft map from this log' and see it saved in the study as `name`."""
        self.press(self.CREATE_MAP)
        expect(self.page.get_by_test_id("stAlertContentSuccess").filter(
            has_text=f"Saved in the study as the map '{name}'")).to_be_visible(timeout=TIMEOUT_MS)

    def open_draft_on_flow_page(self) -> FlowPage:
        """Follow the link to the Flow page that the message about the new map offers (same session)."""
        with self.rerun():
            self.page.get_by_role("link", name="Open it on the Flow page").click()
        flow = FlowPage(self.page, self.base_url)
        flow.expect_heading()
        return flow


class FlowPage(AppPage):
    def open_flow(self) -> FlowPage:
        self.open("flow")
        self.expect_heading()
        return self

    def expect_heading(self) -> None:
        expect(self.page.get_by_role("heading", name="Flow", exact=True)).to_be_visible(timeout=TIMEOUT_MS)

    def diagram_nodes(self) -> Locator:
        """The boxes of the Flow page's diagram: the SVG in the diagram panel's viewer (an iframe)."""
        return self.page.frame_locator('[data-testid="stIFrame"]').locator(".wb-box svg g.node")

    def diagram_edges(self, label: str) -> Locator:
        return self.page.frame_locator('[data-testid="stIFrame"]').locator(".wb-box svg g.edge").filter(
            has_text=label)

    def expect_open_map(self, name: str, version: int) -> None:
        """The map on screen is `name` (its heading; " · design" may follow), saved in the study as `version`."""
        expect(self.page.get_by_role("heading", name=re.compile(rf"^{re.escape(name)}( · .*)?$"))).to_be_visible(
            timeout=TIMEOUT_MS)
        saved = self.page.get_by_test_id("stCaptionContainer").filter(
            has_text=re.compile(rf"Saved in the study as '{re.escape(name)}', version {version}( ·|$)"))
        expect(saved).to_be_visible(timeout=TIMEOUT_MS)

    def expect_handoff_edges(self, count: int) -> None:
        """The diagram shows `count` edges labelled as hand-offs (it is drawn in the browser, after the run)."""
        expect(self.diagram_nodes().first).to_be_visible(timeout=TIMEOUT_MS)
        expect(self.diagram_edges("hand-off")).to_have_count(count, timeout=TIMEOUT_MS)

    def expect_diagram_nodes(self, count: int) -> None:
        expect(self.diagram_nodes()).to_have_count(count, timeout=TIMEOUT_MS)

    def change_step_role(self, step_label: str, role: str) -> None:
        """In the one-step form: pick the step, pick its role, apply (the app saves a new version)."""
        self.section("Edit one step")
        self.choose("Step", step_label)
        form = self.page.get_by_test_id("stForm")
        # the form is drawn afresh for the chosen step: wait for it to show that step's name
        name = re.sub(r" \([^)]*\)$", "", step_label)
        expect(form.get_by_role("textbox", name="Name", exact=True)).to_have_value(name, timeout=TIMEOUT_MS)
        self._pick(form, "Role", role)
        with self.rerun():
            form.get_by_role("button", name="Apply to step").click()

    def expect_version(self, version: int) -> None:
        expect(self.page.get_by_text(f"version {version}", exact=False).first).to_be_visible(timeout=TIMEOUT_MS)

    def expect_saved(self, version: int, edits: int) -> None:
        """The line under the heading: the stored version, holding `edits` of one person's edits."""
        words = f"version {version} ({edits} edits)" if edits > 1 else f"version {version}"
        expect(self.page.get_by_text(words, exact=False).first).to_be_visible(timeout=TIMEOUT_MS)

    def save_as(self, stem: str) -> None:
        self.enter_text("File name in process_maps/", stem)
        self.press("Save")

    # ------------------------------------------------------------------ building a map in the room

    def expect_no_map_yet(self) -> None:
        expect(self.page.get_by_text("This study has no process map yet")).to_be_visible(timeout=TIMEOUT_MS)

    def new_from_template(self, title: str) -> None:
        """Choose a template and make a map from it (the page says what it made)."""
        if self.page.get_by_role("combobox", name="Template", exact=True).input_value() != title:
            self.choose("Template", title)  # (choosing the one already chosen would not rerun)
        self.press("New from template")
        expect(self.page.get_by_test_id("stAlertContentSuccess").filter(
            has_text=f"from the template '{title}'")).to_be_visible(timeout=TIMEOUT_MS)

    def message(self, text: str) -> Locator:
        """A message box (success, info, warning, error) holding `text`."""
        return self.page.get_by_test_id(re.compile(r"^stAlertContent")).filter(has_text=text)

    def set_details(self, name: str, design: str) -> None:
        """Rename the map and set its design in "Name, design and description" (a form: sent with its button)."""
        form = self.page.get_by_test_id("stForm").filter(has=self.page.get_by_role("textbox", name="Map name"))
        if not form.is_visible():
            self.page.get_by_text("Name, design and description", exact=True).click()
        box = form.get_by_role("textbox", name="Map name")
        expect(box).to_be_visible(timeout=TIMEOUT_MS)
        box.fill(name)
        self._pick(form, "Design", design)
        with self.rerun():
            form.get_by_role("button", name="Save the name, design and description").click()
        expect(self.page.get_by_role("heading", name=f"{name} · {design}")).to_be_visible(timeout=TIMEOUT_MS)

    def _sections(self) -> Locator:
        return self.page.get_by_role("radiogroup", name="Edit the map")

    def section(self, name: str) -> None:
        """Show a section of the editor (its segmented control; the app reruns)."""
        with self.rerun():
            self._sections().get_by_role("radio", name=name, exact=True).click()
        self.expect_section(name)

    def expect_section(self, name: str) -> None:
        """The editor shows the section `name` (its segment is the chosen one)."""
        expect(self._sections().get_by_role("radio", checked=True)).to_have_text(name, timeout=TIMEOUT_MS)

    def steps_table(self) -> Locator:
        return self.grid("Touch time")

    def routes_table(self) -> Locator:
        return self.grid("From step")

    def table_cell(self, grid: Locator, row: int, column: str) -> Locator:
        """A cell of one of the map's tables: they add rows, so their first column is the row markers (no header,
        no cell) and the cells of `column` are one further right than `grid_cell` counts."""
        expect(grid.locator("thead th").filter(has_text=column).first).to_be_attached(timeout=TIMEOUT_MS)
        headers = [h.strip() for h in grid.locator("thead th").all_inner_texts()]
        return grid.get_by_test_id(f"glide-cell-{headers.index(column) + 1}-{row}")

    def pick_step_role(self, row: int, role: str) -> None:
        """Pick a step's role from the Role dropdown of the Steps table (the app saves and reruns)."""
        grid = self.steps_table()
        with self.rerun():
            self.pick_in_cell(grid, row, "Role", role, kept=False, target=self.table_cell(grid, row, "Role"))
        expect(self.table_cell(self.steps_table(), row, "Role")).to_have_text(role, timeout=TIMEOUT_MS)

    def type_probability(self, row: int, text: str) -> None:
        """Type a route's probability in the Routes table (the app saves and reruns)."""
        grid = self.routes_table()
        with self.rerun():
            self.type_in_cell(grid, self.table_cell(grid, row, "Probability"), text)

    def add_next_step_after(self, step_label: str) -> None:
        """In the one-step form: pick the step, press "Add the next step after this one"."""
        self.section("Edit one step")
        self.choose("Step", step_label)
        self.press("Add the next step after this one")


class StudiesPage(AppPage):
    def create(self, name: str, start_with: str) -> None:
        """Create a study (it becomes the open study), starting with `start_with` (a choice of "Start with")."""
        form = self.page.get_by_test_id("stForm").filter(has=self.page.get_by_role("button", name="Create the study"))
        form.get_by_role("textbox", name="Name", exact=True).fill(name)
        form.get_by_text(start_with, exact=True).click()
        with self.rerun():
            form.get_by_role("button", name="Create the study").click()
        expect(self.page.get_by_text(f"Created '{name}'.")).to_be_visible(timeout=TIMEOUT_MS)

    def rename(self, name: str) -> None:
        """Rename the open study (a form: the new name is sent with the button)."""
        self.page.get_by_role("textbox", name="Rename to").fill(name)
        self.press("Rename")
        expect(self.page.get_by_text(f"Renamed to '{name}'.")).to_be_visible(timeout=TIMEOUT_MS)


class ComparePage(AppPage):
    def open_compare(self) -> ComparePage:
        self.open("compare")
        expect(self.page.get_by_role("heading", name="Compare designs")).to_be_visible(timeout=TIMEOUT_MS)
        return self

    def headline_box(self) -> Locator:
        return self.page.get_by_test_id("stAlertContentSuccess").first

    def headline_text(self) -> str:
        box = self.headline_box()
        expect(box).to_be_visible(timeout=TIMEOUT_MS)
        return box.inner_text()

    def results_table(self) -> list[list[str]]:
        """The side-by-side table as text rows (header first)."""
        return self._rows(self.page.get_by_test_id("stTable").locator("table").first)

    def expect_results_of(self, names: list[str]) -> None:
        """The side-by-side table is of the designs `names`, in this order (its first columns after the measure)."""
        header = self.page.get_by_test_id("stTable").locator("table").first.locator("thead th")
        for i, name in enumerate(names, start=1):
            expect(header.nth(i)).to_have_text(name, timeout=TIMEOUT_MS)

    def fit_cell(self, measure: str, column: str) -> Locator:
        """A cell of the table 'Does the as-is map fit reality?' (measured beside simulated): the row of `measure`
        (as the table names it), the column headed `column`."""
        table = self.page.get_by_test_id("stTable").filter(has_text="Verdict").locator("table")
        expect(table).to_be_visible(timeout=TIMEOUT_MS)
        headers = [c.strip() for c in table.locator("thead th").all_inner_texts()]  # fixed by the page, not the run
        row = table.locator("tbody tr").filter(has=self.page.locator("th, td").first.get_by_text(measure, exact=True))
        return row.locator("th, td").nth(headers.index(column))

    def fit_caption(self) -> Locator:
        """The line above the fit table: how many needs were measured and which design is the as-is."""
        return self.page.get_by_test_id("stCaptionContainer").filter(has_text="Measured from")

    def _rows(self, table: Locator) -> list[list[str]]:
        expect(table).to_be_visible(timeout=TIMEOUT_MS)
        header = [c.strip() for c in table.locator("thead th").all_inner_texts()]
        rows = [[c.strip() for c in row.locator("th, td").all_inner_texts()] for row in table.locator("tbody tr").all()]
        return [header, *rows]

    def designs(self) -> list[str]:
        """The designs chosen in the 'Designs' box, in its order."""
        return [t.get_attribute("aria-label") or "" for t in self._designs_box().locator("[data-tag]").all()]

    def _designs_box(self) -> Locator:
        return self.page.get_by_test_id("stMultiSelect").filter(
            has=self.page.get_by_role("combobox", name="Designs", exact=True))

    def choose_designs(self, names: list[str]) -> None:
        """Make the 'Designs' box hold `names`, in this order: take out what is chosen unless it is a first part of
        `names`, then add the rest one by one (the app reruns on each)."""
        box = self._designs_box()
        expect(box).to_be_visible(timeout=TIMEOUT_MS)
        chosen = self.designs()
        keep = 0
        while keep < min(len(chosen), len(names)) and chosen[keep] == names[keep]:
            keep += 1
        for name in chosen[keep:]:
            with self.rerun():
                box.get_by_role("button", name=f"Remove {name}", exact=True).click()
            expect(box.locator(f'[data-tag][aria-label="{name}"]')).to_have_count(0, timeout=TIMEOUT_MS)
        for name in names[keep:]:
            box.get_by_role("combobox", name="Designs", exact=True).click()
            option = self.page.get_by_role("listbox").get_by_role("option", name=name, exact=True)
            expect(option).to_be_visible(timeout=TIMEOUT_MS)
            with self.rerun():
                option.click()
            self.page.keyboard.press("Escape")  # the list stays open after a pick, and hides the page from readers
            expect(self.page.get_by_role("listbox")).to_have_count(0, timeout=TIMEOUT_MS)
            expect(box.locator(f'[data-tag][aria-label="{name}"]')).to_have_count(1, timeout=TIMEOUT_MS)
        assert self.designs() == names, self.designs()

    def run_comparison(self) -> None:
        """Press 'Run the comparison'; the results are of the designs chosen (no note that settings changed)."""
        self.press("Run the comparison")
        expect(self.page.get_by_text("The settings have changed since these results")).to_have_count(
            0, timeout=TIMEOUT_MS)
        expect(self.headline_box()).to_be_visible(timeout=TIMEOUT_MS)

    def choose_as_is(self, name: str) -> None:
        """Say which design is the as-is, for the fit table (when it is not the one the page took already)."""
        label = "Which design is the as-is?"
        box = self.page.get_by_role("combobox", name=label, exact=True)
        expect(box).to_be_visible(timeout=TIMEOUT_MS)
        if box.input_value() != name:
            self.choose(label, name)
        expect(self.fit_caption()).to_contain_text(f"simulated by {name}.", timeout=TIMEOUT_MS)

    # ------------------------------------------------------------------ assumptions: failure demand prevented

    PREVENTS = "Failure demand each design prevents (an assumption)"

    def open_prevention(self) -> None:
        """Open the expander where the team says which failure demand each design prevents (no rerun)."""
        expander = self.page.get_by_test_id("stExpander").filter(has_text=self.PREVENTS)
        inside = expander.get_by_text("A redesign's main point", exact=False)
        expect(expander).to_be_visible(timeout=TIMEOUT_MS)
        if not inside.is_visible():
            expander.get_by_text(self.PREVENTS, exact=True).click()
        expect(inside).to_be_visible(timeout=TIMEOUT_MS)

    def assume_prevented(self, design: str, what: str, percent: int | None = None) -> None:
        """Say that `design` prevents the failure demand `what` (a cause or a type as the list names it, e.g.
        "progress chasing"), and if given the percent of it (else the 80% offered). The app reruns on each."""
        self.open_prevention()
        label = f"Failure demand {design} prevents"
        box = self.page.get_by_test_id("stMultiSelect").filter(
            has=self.page.get_by_role("combobox", name=label, exact=True))
        box.scroll_into_view_if_needed()
        option = self.page.get_by_role("listbox").get_by_role("option", name=re.compile(rf"^{re.escape(what)} \("))
        for attempt in range(3):  # a rerun still drawing the page can close the list as it opens, or before the
            self.wait_idle()      # option is clicked: open it again
            box.get_by_role("combobox", name=label, exact=True).click()
            try:
                expect(option.first).to_be_visible(timeout=TIMEOUT_MS // 3)
                with self.rerun():
                    option.first.click(timeout=TIMEOUT_MS // 3)
                break
            except (AssertionError, PlaywrightTimeout):
                if attempt == 2:
                    raise
                self.page.keyboard.press("Escape")
        self.page.keyboard.press("Escape")
        expect(self.page.get_by_role("listbox")).to_have_count(0, timeout=TIMEOUT_MS)
        share = self.page.get_by_role("spinbutton", name=f"% of {what} that {design} prevents", exact=True)
        expect(share).to_be_visible(timeout=TIMEOUT_MS)
        if percent is not None:
            self.set_number(f"% of {what} that {design} prevents", percent)

    def set_number(self, label: str, value: float) -> None:
        """Type a number into a number box found by its label and press Enter (the app reruns)."""
        box = self.page.get_by_role("spinbutton", name=label, exact=True)
        box.fill(f"{value:g}")
        with self.rerun():
            box.press("Enter")
        expect(box).to_have_value(f"{value:g}", timeout=TIMEOUT_MS)

    def results_cell(self, measure: str, column: str) -> Locator:
        """A cell of the side-by-side table: the row of `measure`, the column headed `column`."""
        table = self.page.get_by_test_id("stTable").locator("table").first
        expect(table).to_be_visible(timeout=TIMEOUT_MS)
        headers = [c.strip() for c in table.locator("thead th").all_inner_texts()]
        row = table.locator("tbody tr").filter(has=self.page.get_by_text(measure, exact=True))
        return row.locator("th, td").nth(headers.index(column))

    def publish(self) -> None:
        """Press 'Show on the dashboard' and see the page say this comparison is the one shown there."""
        self.press("Show on the dashboard")
        expect(self.page.get_by_test_id("stCaptionContainer").filter(
            has_text="This comparison is the one on the managers' dashboard.")).to_be_visible(timeout=TIMEOUT_MS)


class DashboardPage(AppPage):
    """The managers' dashboard: its study report downloads, and the downloaded report opened with no network."""

    REPORT_HTML = "Download the study report (HTML)"
    REPORT_PDF = "Download the study report (PDF)"

    def report_button(self, label: str = REPORT_HTML) -> Locator:
        return self.page.get_by_test_id("stDownloadButton").filter(has_text=label)

    def download_report(self, folder: Path, label: str = REPORT_HTML) -> Path:
        """Click a report button and keep the file the browser downloads (made on the server when clicked)."""
        button = self.report_button(label)
        expect(button).to_be_visible(timeout=TIMEOUT_MS)
        with self.page.expect_download(timeout=TIMEOUT_MS) as made:
            button.click()
        path = folder / made.value.suggested_filename
        made.value.save_as(path)
        return path


class OfflineReport:
    """A downloaded report opened in a browser context with no network at all: every request other than the
    file itself is refused and recorded, so a report that needs anything from outside is seen to."""

    def __init__(self, browser: Browser, path: Path) -> None:
        self.context = browser.new_context(offline=True, viewport={"width": 1100, "height": 900})
        self.asked: list[str] = []
        self.context.route(re.compile(r"^(?!file:).*"), self._refuse)
        self.page = self.context.new_page()
        self.page.on("request", lambda request: self.asked.append(request.url))
        self.page.goto(path.as_uri())

    def _refuse(self, route) -> None:  # noqa: ANN001 - Playwright's Route
        self.asked.append(route.request.url)
        route.abort()

    def charts(self) -> Locator:
        """The report's charts: an <svg> each, inline in a <figure>."""
        return self.page.locator("figure > svg")

    def expect_charts_drawn(self, at_least: int) -> None:
        """At least `at_least` charts are on the page and drawn: each has size and text marks (axis labels)."""
        expect(self.charts().nth(at_least - 1)).to_be_visible(timeout=TIMEOUT_MS)
        for chart in self.charts().all():
            box = chart.bounding_box()
            assert box is not None and box["width"] > 100 and box["height"] > 100, box
            expect(chart.locator("text").first).to_be_attached()

    def section(self, key: str) -> Locator:
        return self.page.locator(f"section#{key}")

    def outside_requests(self) -> list[str]:
        return [url for url in self.asked if not url.startswith("file:")]

    def close(self) -> None:
        self.context.close()


# ---------------------------------------------------------------------------------- journeys shared by tests

VIEWPORT = {"width": 1400, "height": 1000}


def two_people_correct(browser: Browser, ann_url: str, bob_url: str, *, open_together: bool = False) -> None:
    """Ann (on the server at `ann_url`) and Bob (at `bob_url`, the same server or another on the same database)
    both look at row 2 of the sample as 'failure'. Ann corrects it; Bob's change to it is then refused with
    Ann's name and value; Bob corrects row 3 instead, which is kept beside Ann's (2 corrections saved), and
    Ann, reloading, sees both.

    `open_together`: both windows load the app at the same moment (the first run of each server at once, as
    the first two people through a load balancer), rather than Bob's once Ann's has loaded."""
    with SAMPLE_CSV.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert (rows[0]["nature"], rows[1]["nature"]) == ("failure", "failure")
    ann_ctx, bob_ctx = browser.new_context(viewport=VIEWPORT), browser.new_context(viewport=VIEWPORT)
    try:
        ann = DemandPage(ann_ctx.new_page(), ann_url)
        bob = DemandPage(bob_ctx.new_page(), bob_url)
        if open_together:
            ann.start_loading()
            bob.start_loading()
            ann.wait_loaded()
            bob.wait_loaded()
        else:
            ann.open()
            bob.open()
        ann.enter_text("Your name", "Ann")  # typed: a name is never taken from the address
        bob.enter_text("Your name", "Bob")
        # both look at row 2 as 'failure'

        ann.correct_first_row("Value or failure", "value")
        ann.expect_saved(1)

        # Bob's page still shows row 2 as it was: his change to it is refused, with Ann's name and value
        # (kept=False: the refused pick is put back as soon as the page answers, too soon to be seen reliably)
        bob.correct_first_row("Value or failure", "unclassified", kept=False)
        refusal = bob.page.get_by_test_id("stAlertContentError").filter(has_text="Ann corrected row 2")
        expect(refusal).to_be_visible(timeout=60_000)
        expect(refusal).to_contain_text("to 'value'")
        expect(refusal).to_contain_text("'unclassified' was not saved")

        # Bob finds another demand (row 3) and corrects it: kept, beside Ann's
        bob.search_words(rows[1]["customer_words"][:40])
        bob.correct_first_row("Value or failure", "value")
        bob.expect_saved(2)

        # Ann's page, read afresh, shows Bob's correction too
        ann.reload()
        ann.expect_saved(2)
    finally:
        ann_ctx.close()
        bob_ctx.close()


def expect_two_corrections_stored(engine: Engine) -> None:
    """The store holds Ann's correction of row 2 and Bob's of row 3, and nothing else."""
    with db.sessions(engine)() as s:
        found = studies.find_study(s, SAMPLE_STUDY)
        assert found is not None
        log = studies.correction_log(s, found.id)
        assert [(c.row, c.field, c.before, c.after, c.author) for c in log] == [
            (2, "nature", "failure", "value", "Ann"), (3, "nature", "failure", "value", "Bob")]


class DiagramPanel(FlowPage):
    """The Flow page's diagram panel: one-click views, the pan/zoom viewer (our SVG inside a component's iframe),
    and what the viewer shows measured in the browser (font sizes in CSS px at its current scale)."""

    def open_sample_map(self, file_name: str) -> None:
        """Add a map from process_maps/ to the study and open it (the expander's picker and button)."""
        self.page.get_by_text("Start another map: from a template, blank, from process_maps/ or an upload").click()
        with self.rerun():
            self._pick(self.page, "A map in process_maps/", file_name)
        self.press("Add to the study and open")

    def show_view(self, label: str) -> None:
        """Pick a view (a radio option, one click; the app reruns)."""
        option = self.page.get_by_test_id("stRadio").get_by_text(label, exact=True)
        if option.locator("xpath=ancestor::label//input").is_checked():
            return
        with self.rerun():
            option.click()

    def highlight_type(self, name: str) -> None:
        self.show_view("One demand type")
        self.choose("Demand type", name)

    def viewer(self, view: str) -> Frame:
        """The viewer's frame once it shows `view` (a key of workbench.flow.views.VIEWS) and has set its scale."""
        frame = self.page.get_by_test_id("stIFrame")
        expect(frame).to_have_count(1, timeout=TIMEOUT_MS)
        inner = self.page.frame_locator('[data-testid="stIFrame"]')
        expect(inner.locator(f'#wb-diagram[data-view="{view}"][data-ready="1"]')).to_be_attached(timeout=TIMEOUT_MS)
        handle = frame.element_handle()
        content = handle.content_frame() if handle else None
        assert content is not None
        return content

    def measure(self, view: str) -> dict[str, float]:
        """Font sizes of the diagram's boxes as drawn now, in CSS px: each text's font size (SVG user units)
        times the SVG's current scale to the screen (getScreenCTM), and its drawn height (getBoundingClientRect).
        `names`: the largest text of each step's box (its name); `smallest`: every text in any box."""
        return self.viewer(view).evaluate("""() => {
            const svg = document.querySelector('.wb-box svg');
            const box = document.querySelector('.wb-box').getBoundingClientRect();
            const px = t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a;
            const nodes = [...svg.querySelectorAll('g.node.step')];
            const all = [...svg.querySelectorAll('g.node')].flatMap(n => [...n.querySelectorAll('text')]);
            const names = nodes.map(n => Math.max(...[...n.querySelectorAll('text')].map(px))).filter(isFinite);
            const inView = all.filter(t => { const r = t.getBoundingClientRect();
                return r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom; });
            return {scale: parseFloat(document.getElementById('wb-diagram').dataset.scale),
                    names: Math.min(...names), smallest: Math.min(...all.map(px)),
                    height: Math.min(...all.map(t => t.getBoundingClientRect().height)),
                    texts: all.length, in_view: inView.length,
                    view_width: box.width, view_height: box.height};
        }""")

    def press_viewer(self, button: str, view: str) -> None:
        """A viewer button ("Fit", "100%", ...): no rerun, the script in the frame rescales the SVG."""
        frame = self.page.frame_locator('[data-testid="stIFrame"]')
        before = self.viewer(view).evaluate("() => document.getElementById('wb-diagram').dataset.zooms")
        frame.get_by_role("button", name=button, exact=True).click()
        expect(frame.locator("#wb-diagram")).not_to_have_attribute("data-zooms", before, timeout=TIMEOUT_MS)

    def scroll(self, view: str) -> dict[str, float]:
        """Where the viewer is scrolled to, and how far it could go (CSS px)."""
        return self.viewer(view).evaluate("""() => { const b = document.querySelector('.wb-box');
            return {left: b.scrollLeft, top: b.scrollTop, max_left: b.scrollWidth - b.clientWidth}; }""")

    def drag(self, view: str, dx: float) -> None:
        """Drag the diagram sideways by `dx` CSS px, from the middle of the viewer (a person's drag to pan)."""
        self.viewer(view)
        box = self.page.frame_locator('[data-testid="stIFrame"]').locator(".wb-box").bounding_box()
        assert box is not None
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        self.page.mouse.move(x, y)
        self.page.mouse.down()
        self.page.mouse.move(x + dx, y, steps=5)
        self.page.mouse.up()
