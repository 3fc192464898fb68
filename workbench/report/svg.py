"""Charts as inline SVG: the Vega-Lite spec the app draws, rendered here by vl-convert (Vega in an embedded
engine, no browser, no network), so a report opens anywhere with nothing else to fetch."""

from __future__ import annotations

import itertools
import os
import re
from typing import Any

WIDTH = 660  # px: an A4 page's text width at print scale; the app's charts stretch to their column instead

_ids = itertools.count(1)
_ID = re.compile(r'\bid="([^"]+)"')


def _own_ids(svg: str) -> str:
    """Give the SVG's ids (clip paths, gradients) a prefix of their own: many SVGs inline in one page share one
    id space, and a second chart's `url(#clip1)` would find the first chart's clip."""
    found = set(_ID.findall(svg))
    if not found:
        return svg
    prefix = f"wb{next(_ids)}-"
    for name in sorted(found, key=len, reverse=True):
        svg = svg.replace(f'id="{name}"', f'id="{prefix}{name}"').replace(f"url(#{name})", f"url(#{prefix}{name})")
        svg = svg.replace(f'href="#{name}"', f'href="#{prefix}{name}"')
    return svg


def spec_of(chart: Any) -> dict[str, Any]:
    """The chart's Vega-Lite spec (checked against the schema when WORKBENCH_VALIDATE_CHARTS=1, as in the app)."""
    spec: dict[str, Any] = chart.to_dict(validate=os.environ.get("WORKBENCH_VALIDATE_CHARTS") == "1")
    spec.setdefault("width", WIDTH)
    return spec


def chart_svg(chart: Any) -> str:
    """An Altair chart of workbench.charts as one `<svg>` element. Its texts (type names, titles) are escaped by
    Vega's SVG writer; tests/test_report.py checks that with hostile names."""
    import vl_convert  # imported when a report is made: the pages that never make one do not load it

    svg = vl_convert.vegalite_to_svg(spec_of(chart))
    start = svg.find("<svg")
    return _own_ids(svg[start:] if start >= 0 else svg)
