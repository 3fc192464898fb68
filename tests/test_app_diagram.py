"""The Flow page's diagram panel through AppTest: one-click views, the demand type picker, the viewer's HTML
(what the browser is sent) and the downloads. The sample study's housing repairs demand is loaded; the map is
flow_fixtures' small one (answer -> process in the back office -> close: 2 hand-offs, 2 days + 20 min)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from app_pages import FlowScreen, open_app
from defusedxml import ElementTree
from flow_fixtures import SMALL_E2E_DAYS, SMALL_HANDOFFS, SMALL_MAP, maps_folder
from streamlit.testing.v1 import AppTest

from workbench.app.diagram_panel import TYPE_KEY, VIEW_KEY


@pytest.fixture
def at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("WORKBENCH_MAPS_DIR", str(maps_folder(tmp_path)))
    return open_app("flow")


class DiagramScreen(FlowScreen):
    """The diagram panel as AppTest sees it: the viewer is an iframe whose HTML (srcdoc) holds the SVG."""

    def viewer(self) -> str:
        frames = [n.proto.srcdoc for n in self._walk(self.at._tree) if getattr(n, "type", "") == "iframe"]
        assert len(frames) == 1, len(frames)
        return frames[0]

    def view(self, key: str) -> str:
        self.at.radio(key=VIEW_KEY).set_value(key).run()
        self.assert_no_exception()
        html = self.viewer()
        assert f'data-view="{key}"' in html
        return html

    def downloads(self) -> dict[str, str]:
        return {n.proto.label: n.proto.url for n in self._walk(self.at._tree)
                if getattr(n, "type", "") == "download_button"}


def _svg_texts(html: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", html)


def test_opens_by_role_with_the_pan_zoom_viewer_and_downloads(at: AppTest) -> None:
    screen = DiagramScreen(at)
    assert at.radio(key=VIEW_KEY).value == "roles"
    assert at.radio(key=VIEW_KEY).options == ["Customer's journey", "By role", "Value vs waste", "One demand type"]
    html = screen.viewer()
    assert 'data-view="roles"' in html
    assert re.findall(r'<g id="node\d+" class="node step">\s*<title>(\w+)</title>', html) == [
        "answer", "process", "close"]
    assert [t for t in _svg_texts(html) if t.startswith("hand&#45;off;")] == ["hand&#45;off; otherwise"] * 2
    for button in ("Fit", "100%"):
        assert f">{button}</button>" in html
    downloads = screen.downloads()
    assert downloads["Download SVG"].endswith(".svg")
    assert {"Download PNG", "Download A3 PDF"} <= set(downloads)  # drawn when clicked


def test_journey_shows_the_demands_expected_days_and_hand_offs(at: AppTest) -> None:
    screen = DiagramScreen(at)
    texts = _svg_texts(screen.view("journey"))
    # every type of the housing demand takes the small map's one path: its figures are the map's
    assert "Share" in texts and "Take this path" in texts
    rows = [texts[i + 1:i + 3] for i, t in enumerate(texts) if t == "100%"]  # after "take this path": days, hand-offs
    assert rows == [[f"{SMALL_E2E_DAYS:.1f}", f"{SMALL_HANDOFFS:.1f}"]] * 8  # the 8 most common types
    assert "this path: 2.0 days waiting" in texts and "2 hand&#45;offs" in texts


def test_value_view_and_one_demand_type(at: AppTest) -> None:
    screen = DiagramScreen(at)
    texts = _svg_texts(screen.view("value"))
    assert "Process in the back office" in " ".join(texts)
    assert any("hand&#45;off · 10 min work · 2.0 days waiting" in t for t in texts)
    screen.view("type")
    picker = at.selectbox(key=TYPE_KEY)
    assert picker.options[0] == "Chasing a repair"  # the demand's types, most common first
    picker.set_value(picker.options[2]).run()
    html = screen.viewer()
    assert f"One demand type: {picker.options[2]}" in html
    assert html.count('fill="#f1f3f5"') == 0  # every step of the small map is on every type's route


def test_hostile_names_reach_the_browser_as_text(at: AppTest) -> None:
    screen = DiagramScreen(at)
    hostile = SMALL_MAP.replace("name: Answer", 'name: "<script>alert(1)</script>"').replace(
        "name: Close with the customer", "name: '\" onload=\"alert(2)'")
    screen.upload("hostile.yaml", hostile.encode())
    screen.assert_no_exception()
    for view in ("roles", "journey", "value"):
        html = screen.view(view)
        assert len(re.findall(r"<script\b", html, re.I)) == 2, view  # the viewer's settings and code, no more
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        svg = ElementTree.fromstring(html[html.index("<svg"):html.index("</svg>") + 6])
        attributes = [name for el in svg.iter() for name in el.attrib]
        assert attributes and not [a for a in attributes if a.lower().startswith("on")], view  # no event handler
        assert '" onload="alert(2)' in " ".join(t.text or "" for t in svg.iter()).replace("\u00a0", " ")
