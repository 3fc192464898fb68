"""Page objects for the browser tests: small helpers so that tests read like a user's steps."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

TIMEOUT_MS = 60_000
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


class AppPage:
    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    def open(self, path: str = "") -> AppPage:
        self.page.goto(f"{self.base_url}/{path}")
        expect(self.page.locator('[data-testid="stApp"][data-test-connection-state="CONNECTED"]')).to_be_attached(
            timeout=TIMEOUT_MS)
        self.wait_idle()
        return self

    def wait_idle(self) -> None:
        """Wait until the script has finished its current run (and any run it started)."""
        self.page.wait_for_timeout(300)
        expect(self.page.locator('[data-test-script-state="notRunning"]')).to_be_attached(timeout=TIMEOUT_MS)
        expect(self.page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=TIMEOUT_MS)

    def headline(self, label: str) -> str:
        metric = self.page.get_by_test_id("stMetric").filter(
            has=self.page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
        return metric.get_by_test_id("stMetricValue").inner_text().strip()

    def tab(self, name: str) -> None:
        self.page.get_by_role("tab", name=name).click()
        self.wait_idle()

    def rendered_charts(self) -> int:
        """Vega-Lite charts that have drawn something (a canvas or an svg with marks)."""
        return self.page.get_by_test_id("stVegaLiteChart").locator("canvas, svg").count()

    def screenshot(self, path: Path) -> None:
        height = self.page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
        self.page.set_viewport_size({"width": 1400, "height": min(int(height), 8000)})
        self.page.screenshot(path=str(path), full_page=True)


class DemandPage(AppPage):
    def open_data_panel(self) -> None:
        uploader = self.page.get_by_test_id("stFileUploaderDropzoneInput")
        if uploader.count() == 0 or not self.page.get_by_text("Upload a demand sample").is_visible():
            self.page.get_by_text("Data: use the sample or upload your own demand").click()
        expect(self.page.get_by_text("Upload a demand sample (CSV or Excel)")).to_be_visible()

    def upload(self, path: Path) -> None:
        self.open_data_panel()
        self.page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(path))
        self.wait_idle()
        expect(self.page.get_by_role("heading", name=path.name)).to_be_visible(timeout=TIMEOUT_MS)
        self.wait_idle()

    def correct_first_row(self, column: int, value: str) -> None:
        """Change the first shown row's cell in the customers' words table: click the row's first cell,
        move right `column` cells, open the cell's editor, type the option and press Enter."""
        self.tab("Customers' words")
        grid = self.page.get_by_test_id("stDataFrame").filter(has_text="Customer's words").first
        expect(grid).to_be_visible(timeout=TIMEOUT_MS)
        focused = "el => el.contains(document.activeElement)"
        for _ in range(10):  # the grid is drawn on a canvas: click it once it has stopped moving
            grid.scroll_into_view_if_needed()
            before = grid.bounding_box()
            self.page.wait_for_timeout(400)
            box = grid.bounding_box()
            if box is None or box != before:
                continue
            # hover first: a grid drawn afresh after a rerun takes a click only once the pointer is over it
            self.page.mouse.move(box["x"] + 30, box["y"] + 35 + 17)
            self.page.wait_for_timeout(300)
            self.page.mouse.click(box["x"] + 20, box["y"] + 35 + 17)  # the first cell under the header
            if grid.evaluate(focused):
                break
        else:
            raise AssertionError("could not put the focus in the customers' words table")
        for _ in range(column):
            self.page.keyboard.press("ArrowRight")
        self.page.keyboard.press("Enter")  # opens the cell's list of options
        self.page.wait_for_timeout(600)
        self.page.keyboard.type(value)
        self.page.wait_for_timeout(300)
        self.page.keyboard.press("Enter")
        self.wait_idle()

    def report_text(self) -> str:
        return self.page.get_by_test_id("stAlertContentWarning").or_(
            self.page.get_by_test_id("stAlertContentInfo")).first.inner_text()


class FlowPage(AppPage):
    def open_flow(self) -> FlowPage:
        self.open("flow")
        expect(self.page.get_by_role("heading", name="Flow", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
        return self

    def choose(self, label: str, option: str) -> None:
        """Pick an option in a Streamlit selectbox found by its label."""
        self._pick(self.page, label, option)
        self.wait_idle()

    def _pick(self, scope: Page | Locator, label: str, option: str) -> None:
        """Open a selectbox's list and click an option (the list opens below, so scroll it into view)."""
        box = scope.get_by_test_id("stSelectbox").filter(
            has=self.page.get_by_role("combobox", name=label, exact=True))
        box.scroll_into_view_if_needed()
        choice = self.page.get_by_role("listbox").get_by_role("option").filter(
            has=self.page.get_by_text(option, exact=True))
        for _ in range(5):
            box.get_by_role("button", name="Open").click()
            try:
                choice.wait_for(state="visible", timeout=3000)
                break
            except PlaywrightTimeout:
                self.page.keyboard.press("Escape")
        choice.click()

    def handoff_edges(self) -> int:
        """Edges of the diagram labelled as hand-offs."""
        edges = self.page.get_by_test_id("stGraphVizChart").locator("svg g.edge")
        return edges.filter(has_text="hand-off").count()

    def diagram_nodes(self) -> int:
        return self.page.get_by_test_id("stGraphVizChart").locator("svg g.node").count()

    def change_step_role(self, step_label: str, role: str) -> None:
        self.tab("Edit one step")
        self.choose("Step", step_label)
        form = self.page.get_by_test_id("stForm")
        self._pick(form, "Role", role)
        form.get_by_role("button", name="Apply to step").click()
        self.wait_idle()

    def save_as(self, stem: str) -> None:
        box = self.page.get_by_label("File name in process_maps/")
        box.fill(stem)
        box.press("Enter")
        self.wait_idle()
        self.page.get_by_role("button", name="Save", exact=True).click()
        self.wait_idle()


class ComparePage(AppPage):
    def open_compare(self) -> ComparePage:
        self.open("compare")
        expect(self.page.get_by_role("heading", name="Compare designs")).to_be_visible(timeout=TIMEOUT_MS)
        return self

    def headline_text(self) -> str:
        box = self.page.get_by_test_id("stAlertContentSuccess").first
        expect(box).to_be_visible(timeout=TIMEOUT_MS)
        return box.inner_text()

    def results_table(self) -> list[list[str]]:
        """The side-by-side table as text rows (header first)."""
        table = self.page.get_by_test_id("stTable").locator("table").first
        expect(table).to_be_visible(timeout=TIMEOUT_MS)
        header = [c.strip() for c in table.locator("thead th").all_inner_texts()]
        rows = [[c.strip() for c in row.locator("th, td").all_inner_texts()] for row in table.locator("tbody tr").all()]
        return [header, *rows]
