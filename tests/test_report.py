"""The study report: its figures against the sample file counted by pandas and the store's own records, what it
says when a study has nothing yet, that it needs nothing from a network, and that names and customers' words
from the study show as text whatever they hold."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from workbench import report
from workbench.cli import main
from workbench.report.model import Bullets, Report, Table, Tiles
from workbench.store import studies

from report_fixtures import (
    CORRECTED,
    compared,
    correct,
    corrected_rows,
    expected_natures,
    sample_file,
    sample_study,
    store,
)

WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
# what a page may hold: the report's own tags and the SVG charts' (vl-convert draws with these)
ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "footer", "section", "h1", "h2", "h3",
                "p", "div", "ul", "li", "figure", "figcaption", "table", "caption", "thead", "tbody", "tr", "th", "td",
                "svg", "g", "path", "rect", "text", "line", "circle", "defs", "clippath", "tspan"}


class _Page(HTMLParser):
    """The tags, attributes and visible text of a report (text inside <style> left out)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []
        self.text: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(k, v or "") for k, v in attrs]
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if not self._in_style:
            self.text.append(data)


def parsed(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def assert_self_contained(html: str) -> _Page:
    """Nothing to fetch and nothing to run: no script, no link, no image, no frame, no handler, no address."""
    page = parsed(html)
    assert set(page.tags) <= ALLOWED_TAGS, set(page.tags) - ALLOWED_TAGS
    assert not [k for k, _ in page.attrs if k.startswith("on")]
    assert not [(k, v) for k, v in page.attrs if k in ("src", "href", "xlink:href", "action")
                and not v.startswith("#")]
    assert not re.search(r"(?i)url\((?!#)", html)  # no CSS or SVG fetch (an in-page #id is fine)
    assert "@import" not in html
    return page


def assert_plain(page: _Page) -> None:
    """Never nan, None, inf or a traceback in what the reader sees."""
    text = " ".join(page.text)
    assert not re.search(r"\b(nan|NaN|NaT|None|inf|Infinity)\b", text), re.findall(r".{40}\b(?:nan|None|inf)\b.{20}",
                                                                                text)
    assert "Traceback" not in text


def _tile(r: Report, label: str) -> str:
    return next(t.value for t in r.tiles() if t.label == label)


def test_the_sample_studys_report_has_the_files_figures_with_the_teams_corrections() -> None:
    with store() as s:
        sid = sample_study(s)
        correct(s, sid)
        log = studies.correction_log(s, sid)
        data = report.gather(s, sid)
    r = report.build(data, now=WHEN)

    # the demand: counted by pandas from the file, the catalogue and the 60 corrections
    counts = expected_natures({line: "value" for line in corrected_rows()})
    rows = len(sample_file())
    share = counts["failure"] / (counts["failure"] + counts["value"])
    before = expected_natures({})
    assert f"{before['failure'] / (before['failure'] + before['value']):.0%}" != f"{share:.0%}"  # they moved it
    assert _tile(r, "Demands") == f"{rows:,}"
    assert _tile(r, "Failure demand share") == f"{share:.0%}"
    assert _tile(r, "Not yet classified") == f"{counts['unclassified']:,}"
    headline = r.section("headline").blocks[0]
    assert f"{share:.0%} of the demand the team has classified is failure demand" in getattr(headline, "text", "")

    # the top types, as pandas counts them (no type was corrected)
    types = next(t for t in r.section("demand").blocks if isinstance(t, Table) and t.columns[0] == "Demand type")
    counted = sample_file()["demand_type"].str.strip().replace("", "Not yet typed").value_counts()
    assert [(row[0], int(row[2].replace(",", ""))) for row in types.rows] == \
        sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))[:10]

    # the data used: rows, and every correction the store logged, with who and when
    data_section = r.section("data")
    tiles = {t.label: t.value for b in data_section.blocks if isinstance(b, Tiles) for t in b.tiles}
    assert tiles == {"Rows read": f"{rows:,}", "Rows used": f"{rows:,}", "Rows set aside": "0",
                     "Corrections": f"{len(log):,}"}
    listed = next(b for b in data_section.blocks if isinstance(b, Table) and b.columns[0] == "Row")
    assert len(log) == CORRECTED and len(listed.rows) == len(log)
    assert [(int(row[0].replace(",", "")), row[3], row[4]) for row in listed.rows] == \
        [(c.row, c.after, c.author) for c in log]
    assert {row[5] for row in listed.rows} == {f"{c.created_at:%d %b %Y at %H:%M} UTC" for c in log}

    html = report.to_html(r)
    page = assert_self_contained(html)
    assert_plain(page)
    assert html.count("<svg") >= 5  # value/failure, touchpoints, types, causes, the weekly chart, capability
    assert "02 Mar 2026 at 09:30 UTC" in html and "Workbench 0.1.0" in html
    # in the order a manager reads
    order = [m.group(1) for m in re.finditer(r'<section id="([a-z-]+)"', html)]
    assert order == ["headline", "demand", "end-to-end", "designs", "assumptions", "data"]
    assert "The designs have not been compared yet" in html


def test_the_designs_compared_are_the_stored_comparisons() -> None:
    with store() as s:
        sid = sample_study(s)
        snap = compared(s, sid)
        r = report.build(report.gather(s, sid), now=WHEN)
    names = [d["name"] for d in snap["designs"]]
    designs = r.section("designs")
    texts = [getattr(b, "text", "") for b in designs.blocks]
    assert snap["headline"] in texts and snap["headline"] in " ".join(getattr(b, "text", "")
                                                                       for b in r.section("headline").blocks)
    table = next(b for b in designs.blocks if isinstance(b, Table))
    assert table.columns == ["Measure", *names, f"{names[1]} vs {names[0]}"]
    cells = {row[0]: row for row in table.rows}
    assert "The 95% intervals cover" in cells  # what the intervals cover ends the table
    # every measure of the snapshot, each with its interval (3 replications)
    for measure in {row["label"] for row in snap["table"]}:
        shown = [cell for cell in cells[measure][1:1 + len(names)] if cell != "–"]  # "–": not in that design
        assert shown and all(re.search(r"\(.+ to .+\)", cell) for cell in shown), cells[measure]
    assert sum(1 for f in r.figures() if f.title.startswith("Capability: ")) == len(names) + 1  # + end to end
    assumes = r.section("assumptions")
    lines = next(b for b in assumes.blocks if isinstance(b, Bullets)).items
    assert "Maps: " + ", ".join(f"{n} (version 1)" for n in names) + "." in lines
    assert any(line.startswith(f"Staffing of {names[0]}: ") for line in lines)
    roles = next(b for b in assumes.blocks if isinstance(b, Table) and b.columns[1] == "Role")
    assert {row[0] for row in roles.rows} == {f"{n} (version 1)" for n in names}
    assert all(row[2] for row in roles.rows)  # when each role works, in words
    assert r.missing == []
    assert_plain(assert_self_contained(report.to_html(r)))


def test_an_empty_study_says_what_is_missing() -> None:
    with store() as s:
        made = studies.create_study(s, "Nothing yet")
        r = report.build(report.gather(s, made.id), now=WHEN)
    html = report.to_html(r)
    page = assert_self_contained(html)
    assert_plain(page)
    assert r.missing == ["demand data", "a comparison of designs"]
    text = unescape(" ".join(page.text))
    assert "Not in this report yet: demand data; a comparison of designs." in text
    assert "This study has no demand data yet" in text
    assert "The designs have not been compared yet" in text
    assert "The study has no process maps yet." in text
    assert "<svg" not in html and r.tiles() == []


def test_the_command_line_writes_the_report_and_refuses_in_a_sentence(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    with store() as s:
        sid = sample_study(s)
        empty = studies.create_study(s, "Nothing yet").id
        expected = report.make_report(s, sid, now=WHEN)
    out = tmp_path / "report.html"
    assert main(["study", "report", "Housing repairs sample", "-o", str(out)]) == 0
    assert "Wrote the report of 'Housing repairs sample'" in capsys.readouterr().out
    made = out.read_text(encoding="utf-8")
    # the same report as the library makes, but for when it was made
    stamp = re.compile(r"\d{2} \w{3} \d{4} at \d{2}:\d{2} UTC")
    assert stamp.sub("WHEN", made.replace("02 Mar 2026 at 09:30 UTC", "WHEN")) == stamp.sub("WHEN", expected)
    assert main(["study", "report", str(empty), "-o", str(tmp_path / "empty.html")]) == 0
    assert "This study has no demand data yet" in (tmp_path / "empty.html").read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["study", "report", "1", "-o", str(tmp_path / "r.docx")]) != 0
    assert main(["study", "report", "1", "-o", str(tmp_path / "r.html"), "--quotes", "21"]) != 0
    assert main(["study", "report", "No such study", "-o", str(tmp_path / "r.html")]) != 0
    err = capsys.readouterr().err
    assert "written as .html or .pdf" in err and "0 to 20" in err and "there is no study 'No such study'" in err
    assert "Traceback" not in err


def test_the_customers_words_are_left_out_unless_the_team_asks_for_some() -> None:
    with store() as s:
        data = report.gather(s, sample_study(s))
    words = sample_file()["customer_words"].str.strip()
    distinct = [w for w in words.unique() if len(w) > 25]
    none = report.to_html(report.build(data, now=WHEN))
    assert not [w for w in distinct if w in unescape(none)]
    five = report.build(data, quotes=5, now=WHEN)
    quoted = next(b for b in five.section("demand").blocks if isinstance(b, Bullets) and "customers' words" in b.title)
    assert len(quoted.items) == 5
    said = [re.match(r"“(.*)” \((.*), (value|failure|not yet classified)\)$", q) for q in quoted.items]
    assert all(said), quoted.items
    assert {m.group(1) for m in said if m} <= set(words)
    assert len({m.group(2) for m in said if m}) == 5  # one from each of the five most common types
    assert len(next(b for b in report.build(data, quotes=50, now=WHEN).section("demand").blocks
                    if isinstance(b, Bullets) and "customers' words" in b.title).items) == 20


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://127.0.0.1:9/x","click")'


def _hostile_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["received_at", "touchpoint", "customer_words", "demand_type", "nature", "failure_cause"])
    for day in range(5, 19):
        for k in range(3):
            writer.writerow([f"2026-01-{day:02d} 09:{k:02d}", "</svg><script>x()</script>", f"{FORMULA} {HOSTILE} {k}",
                             f"<b>type</b> {k} {HOSTILE}", "value" if k else "failure", "<iframe src=//x> cause"])
    return out.getvalue().encode()


def test_names_and_customers_words_show_as_text_whatever_they_hold() -> None:
    from workbench import paths

    map_text = paths.PROCESS_MAPS_DIR.joinpath("housing_repairs_worker_led.yaml").read_text(encoding="utf-8")
    with store() as s:
        made = studies.create_study(s, f"{HOSTILE} study", f"{HOSTILE} {FORMULA}")
        studies.set_demand_source(s, made.id, f"{HOSTILE}.csv", _hostile_csv(), author=f"{HOSTILE} Ann")
        studies.save_map_version(s, made.id, f"{HOSTILE} map", map_text, HOSTILE, None)
        studies.add_corrections(s, made.id, [studies.Change(2, "demand_type", f"{HOSTILE} renamed")], HOSTILE)
        r = report.build(report.gather(s, made.id), quotes=20, now=WHEN)
    html = report.to_html(r)
    page = assert_self_contained(html)  # no <script>, <img>, <iframe> or handler made it into the page
    assert_plain(page)
    text = " ".join(page.text)
    assert text.count(HOSTILE) >= 8  # study, description, file, type names, map, people, quotes: shown as typed
    assert f"{FORMULA} {HOSTILE} 0" in text  # a customer's formula is text, and no link
    assert "</svg><script>x()</script>" in text  # a touchpoint named to break out of a chart
    assert "<b>type</b> 0" in text and "<iframe src=//x> cause" in text
    assert sum(1 for q in next(b for b in r.section("demand").blocks if isinstance(b, Bullets)
                               and "customers' words" in b.title).items if HOSTILE in q) == 20


def test_a_comparison_stored_by_an_older_workbench_is_said_in_a_sentence() -> None:
    with store() as s:
        sid = sample_study(s)
        studies.save_comparison_run(s, sid, {"map_versions": {"Housing repairs - as is": 1}}, {"table": 5}, "Ann")
        r = report.build(report.gather(s, sid), now=WHEN)
    page = assert_self_contained(report.to_html(r))
    assert_plain(page)
    text = unescape(" ".join(page.text))
    assert "The latest comparison stored in this study cannot be shown" in text
    assert r.missing == ["a comparison that can be read (run it again)"]
    assert _tile(r, "Demands") == f"{len(sample_file()):,}"  # the demand is all there
