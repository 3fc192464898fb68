"""A report as one self-contained HTML file: styles inline, charts as inline SVG, no script, nothing fetched.

Every text from the study (its name, file names, type names, map names, people, customers' words) goes through
`html.escape`, so HTML, script or a formula in it shows as typed. The page's own policy (a Content-Security-Policy
meta tag) also forbids fetching anything or running any script, should something ever slip through.
"""

from __future__ import annotations

from html import escape

from workbench.report.model import Block, Bullets, Figure, Report, Section, Table, Text, Tiles

_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

_CSS = """
:root { --ink: #1b263b; --quiet: #495057; --line: #dee2e6; --value: #2a9d8f; --failure: #e76f51; }
* { box-sizing: border-box; }
body { font-family: "Source Sans Pro", "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink);
       max-width: 980px; margin: 2rem auto; padding: 0 1.5rem; line-height: 1.45; font-size: 15px; }
header.report { border-bottom: 3px solid var(--value); margin-bottom: 1.5rem; padding-bottom: .75rem; }
header.report h1 { margin: 0 0 .25rem; font-size: 2rem; }
header.report p { margin: .2rem 0; color: var(--quiet); }
h2 { font-size: 1.45rem; margin: 2rem 0 .75rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
h3 { font-size: 1.1rem; margin: 1.25rem 0 .5rem; }
p { margin: .5rem 0; }
p.note { color: var(--quiet); font-size: .92rem; }
p.headline { font-size: 1.2rem; font-weight: 600; background: #e9f5f3; border-left: 5px solid var(--value);
             padding: .6rem .8rem; }
p.missing { background: #f1f3f5; border-left: 5px solid #adb5bd; padding: .5rem .8rem; }
p.warning { background: #fff4e6; border-left: 5px solid var(--failure); padding: .5rem .8rem; }
.tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: .75rem; margin: .75rem 0 1rem; }
.tile { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .7rem; }
.tile .label { font-size: .85rem; color: var(--quiet); }
.tile .value { font-size: 1.6rem; font-weight: 600; }
.tile .help { font-size: .75rem; color: var(--quiet); }
figure { margin: 1rem 0; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { font-size: .9rem; color: var(--quiet); margin-top: .25rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .9rem; }
caption { caption-side: bottom; text-align: left; color: var(--quiet); font-size: .85rem; padding-top: .3rem; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f8f9fa; }
ul { margin: .4rem 0 .8rem 1.2rem; padding: 0; }
footer { margin-top: 2.5rem; border-top: 1px solid var(--line); padding-top: .5rem; color: var(--quiet);
         font-size: .85rem; }
@page { size: A4; margin: 16mm 14mm 18mm; }
@media print {
  body { margin: 0; padding: 0; max-width: none; font-size: 11pt; }
  section { break-before: page; }
  section.first { break-before: auto; }
  h2, h3 { break-after: avoid; }
  figure, .tiles, p.headline, tr { break-inside: avoid; }
  thead { display: table-header-group; }
  .tiles { grid-template-columns: repeat(4, 1fr); }
}
"""


def _text(b: Text) -> str:
    if b.kind == "subheading":
        return f"<h3>{escape(b.text)}</h3>"
    kind = b.kind if b.kind in ("note", "missing", "warning", "headline") else "text"
    return f'<p class="{kind}">{escape(b.text)}</p>'


def _bullets(b: Bullets) -> str:
    items = "".join(f"<li>{escape(i)}</li>" for i in b.items)
    return (f"<p>{escape(b.title)}</p>" if b.title else "") + f"<ul>{items}</ul>"


def _tiles(b: Tiles) -> str:
    tiles = "".join(
        f'<div class="tile"><div class="label">{escape(t.label)}</div><div class="value">{escape(t.value)}</div>'
        + (f'<div class="help">{escape(t.help)}</div>' if t.help else "") + "</div>" for t in b.tiles)
    return f'<div class="tiles">{tiles}</div>'


def _figure(b: Figure) -> str:
    # the SVG is vl-convert's own output: Vega escapes the texts it writes (type names, titles) itself
    caption = f"<figcaption>{escape(b.caption)}</figcaption>" if b.caption else ""
    return f'<figure role="img" aria-label="{escape(b.title)}">{b.svg}{caption}</figure>'


def _table(b: Table) -> str:
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in b.columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>" for row in b.rows)
    caption = f"<caption>{escape(b.caption)}</caption>" if b.caption else ""
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _block(b: Block) -> str:
    if isinstance(b, Text):
        return _text(b)
    if isinstance(b, Bullets):
        return _bullets(b)
    if isinstance(b, Tiles):
        return _tiles(b)
    if isinstance(b, Figure):
        return _figure(b)
    return _table(b)


def _section(s: Section, first: bool) -> str:
    blocks = "\n".join(_block(b) for b in s.blocks)
    kind = ' class="first"' if first else ""
    return f'<section id="{escape(s.key)}"{kind}>\n<h2>{escape(s.title)}</h2>\n{blocks}\n</section>'


def to_html(report: Report) -> str:
    """The report as one HTML document (a str; write it as UTF-8)."""
    title = f"{report.study}: study report"
    made = f"{report.generated_at:%d %b %Y at %H:%M} UTC"
    sections = "\n".join(_section(s, i == 0) for i, s in enumerate(report.sections))
    description = f"<p>{escape(report.description)}</p>" if report.description else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Workbench {escape(report.version)}">
<title>{escape(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<header class="report">
<h1>{escape(report.study)}</h1>
{description}
<p>Study report made {escape(made)} by Workbench {escape(report.version)}.</p>
</header>
{sections}
<footer>Made {escape(made)} by Workbench {escape(report.version)} from what the study stored then. Figures are
the study dashboard's; the comparison is the one the team last ran.</footer>
</body>
</html>
"""
