"""Rendering the diagram views on the server (workbench.flow.render) and `workbench map draw`: SVG that cannot
run script, PNG of the size the SVG says, one A3-landscape PDF page holding the whole map."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from defusedxml import ElementTree
from test_flow_views import HOSTILE

from workbench import cli
from workbench.app.diagram_panel import viewer_html
from workbench.flow import render, views
from workbench.flow.model import load_map, parse_map

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_MAPS = [ROOT / "process_maps" / "housing_repairs_standard_work.yaml",
               ROOT / "process_maps" / "housing_repairs_worker_led.yaml",
               ROOT / "process_maps" / "call_centre" / "call_centre_as_is.yaml",
               ROOT / "process_maps" / "call_centre" / "call_centre_worker_led.yaml"]
CALL_CENTRE = SAMPLE_MAPS[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _type_of(m) -> str:  # noqa: ANN001
    return views.demand_types(m)[0]


@pytest.mark.parametrize("path", SAMPLE_MAPS, ids=lambda p: p.stem)
def test_every_view_of_the_sample_maps_renders_without_a_graphviz_complaint(path: Path, capfd) -> None:  # noqa: ANN001
    render._render.cache_clear()
    m = load_map(path)
    for view in views.VIEWS:
        svg = render.render(views.view_dot(view, m, type_name=_type_of(m)), "svg").decode()
        root = ElementTree.fromstring(render.inline_svg(svg))
        assert root.tag.endswith("svg")
        # every step's name is drawn in the by-role view (each line of it a text of its own)
        if view == "roles":
            drawn = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
            for s in m.steps:
                assert s.name.split()[0] in drawn
    err = capfd.readouterr().err
    assert "Error" not in err and "syntax" not in err, err  # an HTML-like label Graphviz could not read


@pytest.mark.parametrize("view", list(views.VIEWS))
def test_svg_of_hostile_names_cannot_run_script(view: str) -> None:
    m = parse_map(HOSTILE, "hostile.yaml")
    svg = render.inline_svg(render.render(views.view_dot(view, m, type_name='Damp "<i>&amp;"'), "svg"))
    assert "<!--" not in svg and "<?xml" not in svg and "<!DOCTYPE" not in svg
    root = ElementTree.fromstring(svg)
    for el in root.iter():
        assert not el.tag.endswith(("script", "foreignObject", "iframe")), el.tag
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (el.tag, name, value)
            assert "javascript:" not in value.lower()
    texts = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    assert "<script>alert(1)</script>" in texts  # drawn as the words they are
    assert '" onload="alert(2)' in texts.replace("\u00a0", " ")
    html = viewer_html(svg, view)
    # the only scripts in the viewer's page are ours: its settings (JSON) and its code
    assert len(re.findall(r"<script\b", html, re.I)) == 2
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_png_is_a_png_of_the_svgs_size_at_96_dpi() -> None:
    m = load_map(CALL_CENTRE)
    dot = views.roles_dot(m)
    width_pt, height_pt = render.svg_size(render.render(dot, "svg").decode())
    png = render.render(dot, "png")
    assert png[:8] == PNG_SIGNATURE and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    assert width == pytest.approx(width_pt * 96 / 72, rel=0.02)
    assert height == pytest.approx(height_pt * 96 / 72, rel=0.02)
    assert width > 1500  # 14-pt names stay sharp on a slide


def test_a_png_too_big_is_drawn_at_a_lower_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "MAX_PNG_PIXELS", 200_000)
    render._render.cache_clear()
    png = render.render(views.roles_dot(load_map(CALL_CENTRE)), "png")
    width, height = struct.unpack(">II", png[16:24])
    assert width * height <= 200_000 * 1.1
    render._render.cache_clear()


@pytest.mark.parametrize("path", [SAMPLE_MAPS[0], CALL_CENTRE], ids=lambda p: p.stem)
def test_pdf_is_one_a3_landscape_page_holding_the_whole_map(path: Path, tmp_path: Path) -> None:
    m = load_map(path)
    pdf = render.render(views.roles_dot(m), "pdf")
    assert pdf.startswith(b"%PDF-")
    boxes = re.findall(rb"/MediaBox \[ ([\d. ]+) \]", pdf)
    assert [tuple(float(v) for v in b.split()) for b in boxes] == [(0, 0, 1190.55, 841.89)]
    out = tmp_path / "map.pdf"
    out.write_bytes(pdf)
    if not shutil.which("pdfinfo"):
        pytest.skip("pdfinfo (poppler-utils) is not installed: `make chromium` installs it")
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True)
    assert "Page size:       1190.55 x 841.89 pts (A3)" in info.stdout and "Pages:           1" in info.stdout
    assert info.stderr == ""  # the cross-reference table written again is what a reader expects
    words = subprocess.run(["pdftotext", "-bbox", str(out), "-"], capture_output=True, text=True, check=True).stdout
    boxes_of_words = [tuple(float(v) for v in b) for b in re.findall(
        r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', words)]
    assert len(boxes_of_words) > 50
    assert all(x0 >= 20 and x1 <= 1190.55 - 20 and y0 >= 20 and y1 <= 841.89 - 20
               for x0, y0, x1, y1 in boxes_of_words[1:])  # every word on the page, inside its margins
    assert m.steps[-1].name.split()[0] in words


def test_a_dot_text_graphviz_refuses_is_a_clear_error() -> None:
    with pytest.raises(render.RenderError, match="The diagram could not be drawn"):
        render.render("digraph { a -> ", "svg")
    with pytest.raises(ValueError, match="one of svg, png, pdf"):
        render.render("digraph { a }", "gif")


def test_renders_are_cached_by_text() -> None:
    dot = views.value_dot(load_map(CALL_CENTRE))
    assert render.render(dot, "svg") is render.render(dot, "svg")


def test_cli_map_draw(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "value.pdf"
    assert cli.main(["map", "draw", str(CALL_CENTRE), "--view", "value", "-o", str(out)]) == 0
    assert b"/MediaBox [ 0 0 1190.55 841.89 ]" in out.read_bytes()
    assert "Value vs waste of Water contact centre - as-is" in capsys.readouterr().out
    svg = tmp_path / "type.svg"
    assert cli.main(["map", "draw", str(CALL_CENTRE), "--view", "type", "--type", "Wrong bill", "-o", str(svg)]) == 0
    assert "One demand type: Wrong bill" in svg.read_text()
    assert cli.main(["map", "draw", str(CALL_CENTRE), "--view", "type", "-o", str(svg)]) == cli.EXIT_UNUSABLE
    assert "--view type needs --type NAME, one of: Bill not understood; Wrong bill" in capsys.readouterr().err
    assert cli.main(["map", "draw", str(CALL_CENTRE), "-o", str(tmp_path / "x.gif")]) == cli.EXIT_UNUSABLE
