"""The Flow page's diagram: one-click views (workbench.flow.views), a pan/zoom viewer that keeps text readable
on a projector, and downloads (SVG, PNG, A3 PDF).

The SVG is rendered on the server (workbench.flow.render) and shown inline in an st.iframe with a few lines of
our own JavaScript: zoom in/out, Fit (the whole map), 100% (1 pt of the diagram = 4/3 CSS px, as the
file itself is drawn), drag to pan, Ctrl + wheel or a pinch to zoom. It opens at 100% (the views' smallest text
is 12 pt = 16 px there), or larger if a diagram's smallest text would be under READABLE_PX: a big map opens
readable and is panned, never shrunk to a blur; "Fit" shows all of it when asked.
"""

from __future__ import annotations

import functools
import json
import re

import pandas as pd
import streamlit as st

from workbench.app.text import literal
from workbench.demand.catalogue import Catalogue
from workbench.flow.diagram import too_big_to_draw
from workbench.flow.model import Problem, ProcessMap
from workbench.flow.render import RenderError, inline_svg, render
from workbench.flow.views import VIEWS, Demand, demand_types, view_dot

READABLE_PX = 12  # the smallest text, in CSS px, at the scale the viewer opens with (docs/process-maps.md)
VIEWER_HEIGHT = 560  # px: the whole viewer (toolbar and diagram) fits a 1280x720 projector's page
VIEW_KEY = "flow_diagram_view"
TYPE_KEY = "flow_diagram_type"

CAPTIONS = {
    "journey": "The most likely path of each of the most common demand types, left to right (types that share a "
               "path share a row). The table gives each type's expected end-to-end days and hand-offs over all "
               "its routes and rework; the green box, this path's own waiting, work and hand-offs. Red arrows: "
               "hand-offs.",
    "roles": "Teal: value work · orange: waste · red arrows: hand-offs · dashed: rework · outlined in red: a step "
             "with a problem.",
    "value": "Teal: value work · orange: waste; a run of waste steps one after another (no way in or out between "
             "them) is one box, with its total work and waiting. Red arrows: hand-offs · dashed: rework.",
    "type": "In colour, outlined: the steps and routes this demand type can take (rework included); grey: the rest "
            "of the map.",
}

_VIEWER_JS = """
(function () {
  const cfg = JSON.parse(document.getElementById("wb-config").textContent);
  const root = document.getElementById("wb-diagram");
  const box = root.querySelector(".wb-box");
  const svg = box.querySelector("svg");
  const shown = root.querySelector(".wb-zoom");
  if (!svg) return;
  const vb = svg.viewBox.baseVal;
  const PX = 4 / 3;  // CSS px per point: the SVG's own size at 100%
  const natW = vb.width * PX, natH = vb.height * PX;
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  let smallest = Infinity;
  svg.querySelectorAll("text").forEach(function (t) {
    const f = parseFloat(t.getAttribute("font-size"));
    if (f > 0) smallest = Math.min(smallest, f);
  });
  const readable = isFinite(smallest) ? cfg.readablePx / (smallest * PX) : 1;
  let scale = 1;
  function fit() { return Math.min((box.clientWidth - 4) / natW, (box.clientHeight - 4) / natH); }
  function zoom(s, px, py) {  // keep the diagram's point under (px, py) of the box where it is
    s = Math.max(0.02, Math.min(8, s));
    if (px === undefined) { px = box.clientWidth / 2; py = box.clientHeight / 2; }
    const ux = (box.scrollLeft + px) / scale, uy = (box.scrollTop + py) / scale;
    scale = s;
    svg.style.width = natW * s + "px";
    svg.style.height = natH * s + "px";
    box.scrollLeft = ux * s - px;
    box.scrollTop = uy * s - py;
    shown.textContent = Math.round(s * 100) + "%";
    root.dataset.scale = String(s);
    root.dataset.zooms = String((parseInt(root.dataset.zooms || "0", 10)) + 1);
  }
  const actions = {
    "in": function () { zoom(scale * 1.25); },
    "out": function () { zoom(scale / 1.25); },
    "fit": function () { zoom(fit()); box.scrollLeft = 0; box.scrollTop = 0; },
    "one": function () { zoom(1); },
  };
  root.querySelectorAll("button[data-act]").forEach(function (b) {
    b.addEventListener("click", function () { actions[b.dataset.act](); });
  });
  box.addEventListener("wheel", function (e) {
    if (!(e.ctrlKey || e.metaKey)) return;  // a plain wheel scrolls (pans); Ctrl + wheel or a pinch zooms
    e.preventDefault();
    const r = box.getBoundingClientRect();
    zoom(scale * Math.exp(-e.deltaY / 300), e.clientX - r.left, e.clientY - r.top);
  }, {passive: false});
  let drag = null;
  box.addEventListener("pointerdown", function (e) {
    drag = {x: e.clientX, y: e.clientY, left: box.scrollLeft, top: box.scrollTop};
    box.setPointerCapture(e.pointerId);
    box.classList.add("wb-dragging");
  });
  box.addEventListener("pointermove", function (e) {
    if (!drag) return;
    box.scrollLeft = drag.left - (e.clientX - drag.x);
    box.scrollTop = drag.top - (e.clientY - drag.y);
  });
  function stop() { drag = null; box.classList.remove("wb-dragging"); }
  box.addEventListener("pointerup", stop);
  box.addEventListener("pointercancel", stop);
  box.addEventListener("keydown", function (e) {
    const act = {"+": "in", "=": "in", "-": "out", "f": "fit", "0": "one"}[e.key];
    if (act) { e.preventDefault(); actions[act](); }
  });
  zoom(Math.max(1, readable), 0, 0);
  const start = svg.querySelector("g.start");  // open where the demand starts (the customer), not a blank corner
  const at = start ? start.getBoundingClientRect() : null, origin = svg.getBoundingClientRect();
  box.scrollLeft = at ? at.left - origin.left - 24 : 0;
  box.scrollTop = at ? at.top - origin.top - 24 : 0;
  root.dataset.ready = "1";
})();
"""

_VIEWER_CSS = """
body { margin: 0; font-family: "Source Sans Pro", sans-serif; }
#wb-diagram { display: flex; flex-direction: column; height: %dpx; }
.wb-bar { display: flex; gap: 6px; align-items: center; padding: 0 0 6px 0; }
.wb-bar button { font-size: 16px; min-width: 44px; height: 34px; border: 1px solid #ced4da; border-radius: 6px;
  background: #fff; cursor: pointer; }
.wb-bar button:hover { border-color: #264653; }
.wb-zoom { min-width: 52px; font-size: 15px; text-align: right; }
.wb-hint { color: #495057; font-size: 14px; margin-left: 8px; }
.wb-box { flex: 1; display: flex; overflow: auto; border: 1px solid #dee2e6; border-radius: 6px; cursor: grab;
  background: #fff; touch-action: none; }
.wb-box.wb-dragging { cursor: grabbing; user-select: none; }
.wb-box svg { margin: auto; flex: none; display: block; }
"""


def viewer_html(svg: bytes | str, view: str, readable_px: int = READABLE_PX) -> str:
    """The viewer's HTML: the SVG inline (Graphviz escapes every text; prolog and comments removed), its toolbar
    and its script."""
    config = json.dumps({"readablePx": readable_px}).replace("<", "\\u003c")
    return (f"<style>{_VIEWER_CSS % (VIEWER_HEIGHT - 8)}</style>"
            f'<div id="wb-diagram" data-view="{view}">'
            '<div class="wb-bar">'
            '<button data-act="out" title="Zoom out (-)" aria-label="Zoom out">−</button>'
            '<button data-act="in" title="Zoom in (+)" aria-label="Zoom in">+</button>'
            '<button data-act="fit" title="The whole map (f)">Fit</button>'
            '<button data-act="one" title="Actual size (0)">100%</button>'
            '<span class="wb-zoom" aria-live="polite"></span>'
            '<span class="wb-hint">Drag to move · Ctrl + wheel or pinch to zoom</span></div>'
            f'<div class="wb-box" tabindex="0" aria-label="Diagram: {VIEWS.get(view, view)}">{inline_svg(svg)}</div>'
            f'</div><script type="application/json" id="wb-config">{config}</script>'
            f"<script>{_VIEWER_JS}</script>")


def _file_stem(m: ProcessMap, view: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9]+", "_", m.name or m.source).strip("_").lower()[:60] or "map"
    return f"{stem}_{view}"


def show(m: ProcessMap, problems: list[Problem] | None = None, *, mix: pd.DataFrame | None = None,
         per_type: pd.DataFrame | None = None, catalogue: Catalogue | None = None) -> None:
    """The diagram panel for one map: `mix` and `per_type` are the page's demand mix and expectations (None
    without demand), `catalogue` the map's."""
    too_big = too_big_to_draw(m)
    if too_big:
        st.info(too_big)
        return
    demand = Demand(mix if mix is not None and not mix.empty else None,
                    per_type if per_type is not None and not per_type.empty else None, catalogue)
    view = st.radio("Diagram", list(VIEWS), format_func=VIEWS.__getitem__, horizontal=True, key=VIEW_KEY,
                    index=list(VIEWS).index("roles"))
    type_name = ""
    if view == "type":
        names = demand_types(m, demand)
        if not names:
            st.info("This map names no demand types and no demand is loaded: there is no type to pick.")
            return
        picked = st.columns([2, 1])[0].selectbox("Demand type", names, key=TYPE_KEY)
        type_name = picked if picked in names else names[0]
    try:
        dot = view_dot(view, m, demand=demand, type_name=type_name, problems=problems)
        svg = render(dot, "svg")
    except (RenderError, ValueError) as exc:
        st.error(f"The diagram cannot be drawn: {literal(exc)}")
        return
    st.iframe(viewer_html(svg, view), height=VIEWER_HEIGHT)  # our HTML only: Graphviz escapes every text
    st.caption(CAPTIONS[view] + ("" if demand.loaded or view in ("roles", "value") else
                                 " No demand is loaded: shares need it; figures are per demand at the main entry."))
    stem = _file_stem(m, view)
    d1, d2, d3, _ = st.columns([1, 1, 1, 3])
    d1.download_button("Download SVG", svg, file_name=f"{stem}.svg", mime="image/svg+xml", on_click="ignore",
                       key=f"flow_diagram_svg_{view}", width="stretch")
    d2.download_button("Download PNG", functools.partial(render, dot, "png"), file_name=f"{stem}.png",
                       mime="image/png", on_click="ignore", key=f"flow_diagram_png_{view}", width="stretch")
    d3.download_button("Download A3 PDF", functools.partial(render, dot, "pdf"), file_name=f"{stem}_A3.pdf",
                       mime="application/pdf", on_click="ignore", key=f"flow_diagram_pdf_{view}", width="stretch",
                       help="The whole map on one A3 landscape page, for printing.")
