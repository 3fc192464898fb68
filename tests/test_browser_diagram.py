"""The Flow page's diagram on a projector (a 1280x720 window): every view of both sample services opens with its
step names readable without zooming, measured in the browser, and "Fit" shows the whole map.

Readable means (docs/process-maps.md): every text in a box at least READABLE_PX (12) CSS px high as drawn at the
scale the viewer opens with, step names at least 16 px; measured as each text's font size times the SVG's scale
to the screen (getScreenCTM), with the drawn height (getBoundingClientRect) as a cross-check."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from workbench.app.diagram_panel import READABLE_PX

from conftest import ROOT, AppServer, _need_chromium
from pages import ARTIFACTS, DiagramPanel

pytestmark = pytest.mark.browser

PROJECTOR = {"width": 1280, "height": 720}
NAME_PX = 16  # step names: 14 pt = 18.7 px at 100%; at least 16 px as the viewer opens
# the type to highlight: one of the study's demand (the sample study's housing repairs) that both maps route
MAPS = {"housing_repairs_standard_work.yaml": "Report damp and mould", "call_centre_as_is.yaml": "Report a leak"}
VIEWS = {"journey": "Customer's journey", "roles": "By role", "value": "Value vs waste", "type": "One demand type"}


@pytest.fixture(scope="module")
def sample_maps_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """A server whose process_maps/ holds both sample services' as-is maps with their catalogues."""
    _need_chromium()
    tmp = tmp_path_factory.mktemp("diagram")
    folder = tmp / "maps"
    (folder / "catalogues").mkdir(parents=True)
    for source in [ROOT / "process_maps" / "housing_repairs_standard_work.yaml",
                   ROOT / "process_maps" / "call_centre" / "call_centre_as_is.yaml"]:
        shutil.copy(source, folder / source.name)
    for catalogue in [ROOT / "process_maps" / "catalogues" / "housing_repairs_catalogue.yaml",
                      ROOT / "process_maps" / "call_centre" / "catalogues" / "call_centre_catalogue.yaml"]:
        shutil.copy(catalogue, folder / "catalogues" / catalogue.name)
    server = AppServer(tmp, env={"WORKBENCH_MAPS_DIR": str(folder)}).start()
    yield server
    server.stop()


@pytest.mark.parametrize("map_file", list(MAPS))
def test_every_view_opens_readable_on_a_projector(page: Page, sample_maps_server: AppServer, map_file: str) -> None:
    page.set_viewport_size(PROJECTOR)
    panel = DiagramPanel(page, sample_maps_server.url).open_flow()
    panel.open_sample_map(map_file)
    ARTIFACTS.mkdir(exist_ok=True)
    measured = {}
    moved: list[float] = []
    for view, label in VIEWS.items():
        if view == "type":
            panel.highlight_type(MAPS[map_file])
        else:
            panel.show_view(label)
        m = panel.measure(view)
        measured[view] = m
        panel.viewer(view)  # drawn: the screenshot shows what a room sees
        page.get_by_test_id("stIFrame").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"diagram-{Path(map_file).stem}-{view}.png"))
        assert m["smallest"] >= READABLE_PX - 0.01, (view, m)  # (pt to px leaves 15.99998 for 12 pt)
        assert m["names"] >= NAME_PX - 0.01, (view, m)
        assert m["height"] >= READABLE_PX, (view, m)  # drawn glyph boxes agree with the font sizes
        assert m["in_view"] > 0, (view, m)  # the viewer opens on some of the diagram's words, not a blank corner
        panel.press_viewer("Fit", view)
        fitted = panel.measure(view)
        assert fitted["in_view"] == fitted["texts"], (view, fitted)  # "Fit" shows the whole map
        m.update(fit_scale=fitted["scale"], fit_smallest=fitted["smallest"])
        panel.press_viewer("100%", view)
        assert panel.measure(view)["scale"] == 1.0
        before = panel.scroll(view)
        panel.drag(view, -150)  # drag to the left: the diagram moves left, the view further right
        after = panel.scroll(view)
        assert after["left"] == pytest.approx(min(before["left"] + 150, before["max_left"]), abs=2), (before, after)
        moved.append(after["left"] - before["left"])
    assert max(moved) == pytest.approx(150, abs=2)  # some view was wide enough to be dragged the whole way
    (ARTIFACTS / f"diagram-{Path(map_file).stem}-fonts.json").write_text(json.dumps(measured, indent=2))
