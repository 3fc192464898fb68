"""DOT text to SVG, PNG or an A3-landscape PDF, on the server, with the Graphviz that pygraphviz's wheels carry.

Renders are cached by (text, format): a view is drawn once per text of its DOT, however often a page asks.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pygraphviz

FORMATS = ("svg", "png", "pdf")
A3_LANDSCAPE_POINTS = (1190.55, 841.89)  # 420 x 297 mm
A3_MARGIN_INCHES = 0.4
PNG_DPI = 96  # 1 pt of the diagram = 4/3 pixels, as a browser draws the SVG at 100%
MAX_PNG_PIXELS = 60_000_000  # a bigger PNG is drawn at a lower resolution (a slide needs no more)


class RenderError(RuntimeError):
    """The diagram could not be drawn (a DOT text Graphviz refuses, or a Graphviz failure)."""


def render(dot: str, fmt: str) -> bytes:
    """The diagram as SVG, PNG or PDF (A3 landscape, the whole map scaled to the page) bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format '{fmt}': one of {', '.join(FORMATS)}.")
    return _render(dot, fmt)


@lru_cache(maxsize=64)
def _render(dot: str, fmt: str) -> bytes:
    try:
        g = pygraphviz.AGraph(string=dot)
        if fmt == "pdf":
            width, height = (p / 72 - 2 * A3_MARGIN_INCHES for p in A3_LANDSCAPE_POINTS)
            # the whole drawing scaled to fill the page inside its margins (down for a big map, up for a small one)
            g.graph_attr.update(size=f"{width:.3f},{height:.3f}!", margin="0", pad="0")
        if fmt == "png":
            g.graph_attr["dpi"] = str(_png_dpi(_render(dot, "svg").decode("utf-8", "replace")))
        data = g.draw(format=fmt, prog="dot")
    except (pygraphviz.DotError, OSError, ValueError, TypeError) as exc:
        raise RenderError(f"The diagram could not be drawn: {_first_line(exc)}") from None
    if not data:
        raise RenderError("The diagram could not be drawn: Graphviz returned nothing.")
    return on_page(data, A3_LANDSCAPE_POINTS) if fmt == "pdf" else data


_MEDIABOX = re.compile(rb"/MediaBox \[ *([-\d.]+) +([-\d.]+) +([-\d.]+) +([-\d.]+) *\]")


def on_page(pdf: bytes, size: tuple[float, float]) -> bytes:
    """A one-page PDF of Graphviz (cairo) put on a page of `size` points, centred: the page's MediaBox is set to
    the size, two small content streams around the drawing move it to the middle (q, translate ... Q), and the
    cross-reference table is written again. Graphviz makes a PDF exactly the drawing's size in whole points;
    a printer needs the paper's."""
    try:
        xref_at = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
        lines = pdf[xref_at:].split(b"trailer", 1)[0].split(b"\n")
        first, count = (int(v) for v in lines[1].split())
        offsets = [int(r[:10]) for r in lines[2:2 + count]]
        page = re.search(rb"\n(\d+) 0 obj\n<< /Type /Page\b", pdf)
        box = _MEDIABOX.search(pdf, page.start() if page else 0)
        contents = re.compile(rb"/Contents (\d+ 0 R)").search(pdf, page.start() if page else 0)
        if first != 0 or page is None or box is None or contents is None or b"/Count 1\n" not in pdf:
            raise ValueError("not a one-page PDF as cairo writes it")
    except (ValueError, IndexError) as exc:
        raise RenderError(f"The A3 PDF could not be made: {exc}") from None
    x0, y0, x1, y1 = (float(v) for v in box.groups())
    dx, dy = (size[0] - (x1 - x0)) / 2 - x0, (size[1] - (y1 - y0)) / 2 - y0
    n = count
    before, after = n, n + 1
    new_box = b"/MediaBox [ 0 0 %.2f %.2f ]" % size
    new_contents = b"/Contents [ %d 0 R %s %d 0 R ]" % (before, contents.group(1), after)
    start = page.start() + 1
    body = pdf[:xref_at]
    edited = (body[:box.start()] + new_box + body[box.end():contents.start()] + new_contents + body[contents.end():])
    delta = len(edited) - len(body)
    offsets = [o + delta if o > start else o for o in offsets]
    extra = b""
    for number, text in ((before, b"q 1 0 0 1 %.3f %.3f cm\n" % (dx, dy)), (after, b"Q\n")):
        offsets.append(len(edited) + len(extra))
        extra += b"%d 0 obj\n<< /Length %d >>\nstream\n%sendstream\nendobj\n" % (number, len(text), text)
    out = edited + extra
    table = [b"xref", b"0 %d" % len(offsets), b"0000000000 65535 f "]
    table += [b"%010d 00000 n " % o for o in offsets[1:]]
    trailer = pdf[xref_at:].split(b"trailer", 1)[1].split(b"startxref", 1)[0]
    trailer = re.sub(rb"/Size \d+", b"/Size %d" % len(offsets), trailer)
    return out + b"\n".join(table) + b"\ntrailer" + trailer + b"startxref\n%d\n%%%%EOF\n" % len(out)


def _png_dpi(svg: str) -> int:
    """PNG_DPI, or less when the drawing (its SVG, in points) would be bigger than MAX_PNG_PIXELS at that
    resolution."""
    size = svg_size(svg)
    if size is None:
        return PNG_DPI
    w, h = (v * PNG_DPI / 72 for v in size)
    if w * h <= MAX_PNG_PIXELS:
        return PNG_DPI
    return max(24, int(PNG_DPI * (MAX_PNG_PIXELS / (w * h)) ** 0.5))


_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


def svg_size(svg: str) -> tuple[float, float] | None:
    """The SVG's width and height in points, as Graphviz writes them."""
    found = _SIZE.search(svg)
    return (float(found.group(1)), float(found.group(2))) if found else None


_PROLOG = re.compile(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->", re.S)


def inline_svg(svg: bytes | str) -> str:
    """Graphviz's SVG ready to sit inside an HTML page: no XML prolog, doctype or comments (which name the
    graph and its nodes). Graphviz escapes every text it writes; this removes the only parts that are not
    drawn."""
    text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    return _PROLOG.sub("", text).strip()


def _first_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]
