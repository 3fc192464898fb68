"""The Dashboard's study report (AppTest): its buttons download what `workbench study report` writes for the same
study (apart from when it was made), the report's figures are the ones the Dashboard shows, the team chooses how
many customers' words go in, and a share link's holder downloads the report of their study only."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from app_pages import Screen, open_app
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from workbench import report
from workbench.app import study_report
from workbench.cli import main
from workbench.store import share_links, studies

from report_fixtures import compared, correct, sample_study, store

STAMP = re.compile(r"\d{2} \w{3} \d{4} at \d{2}:\d{2} UTC")  # when it was made (and when things were stored)


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Callable[[], bytes]]]:
    """What each download button would send when clicked, by file name: Streamlit registers a deferred download's
    callable with the media file manager, and calls it when the browser asks for the file."""
    seen: dict[str, Callable[[], bytes]] = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self: MediaFileManager, data_callable: Callable[[], bytes], mimetype: str | None,
                     coordinates: str, file_name: str | None = None, **kw: object) -> str:
        seen[file_name or ""] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name=file_name, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    yield seen


def _labels(at: AppTest) -> list[str]:
    return [e.proto.label for e in at.get("download_button")]


def _cli(study_id: int, tmp_path: Path, *extra: str) -> str:
    out = tmp_path / "cli.html"
    assert main(["study", "report", str(study_id), "-o", str(out), *extra]) == 0
    return out.read_text(encoding="utf-8")


def _same(a: str, b: str) -> bool:
    return STAMP.sub("WHEN", a) == STAMP.sub("WHEN", b)


def _unescaped(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)  # what Streamlit's Markdown shows of `literal`'s escapes


@pytest.fixture
def sid() -> int:
    with store() as s:
        found = sample_study(s)
        compared(s, found)
        correct(s, found)
        return found


def test_the_dashboards_report_is_the_command_lines_and_shows_the_dashboards_figures(
        sid: int, downloads: dict[str, Callable[[], bytes]], tmp_path: Path) -> None:
    at = open_app("dashboard", study=str(sid))
    screen = Screen(at)
    screen.assert_no_exception()
    assert _labels(at)[:2] == [study_report.HTML_LABEL, study_report.PDF_LABEL]
    stem = study_report.file_stem("Housing repairs sample")
    html = downloads[f"{stem}.html"]().decode("utf-8")
    assert _same(html, _cli(sid, tmp_path))
    assert f"{stem}.pdf" in downloads  # made only when clicked (tests/test_report_pdf.py prints one)

    # every headline figure the Dashboard shows, with the same label and value, and in the same order
    with store() as s:
        r = report.build(report.gather(s, sid))
    shown = [(m.label, m.value) for m in at.metric]
    assert len(shown) == 8
    assert shown == [(t.label, t.value) for sec in r.sections if sec.key != "data"
                     for b in sec.blocks if isinstance(b, report.model.Tiles) for t in b.tiles]
    # the comparison: its headline, the side-by-side table cell by cell, what it assumes
    assert _unescaped(at.success[0].value) in html.replace("&#x27;", "'")
    table = next(t for t in r.tables() if t.columns[0] == "Measure")
    frame = at.table[0].value
    assert [str(c) for c in frame.columns] == table.columns
    assert [[_unescaped(str(v)) for v in row] for row in frame.itertuples(index=False)] == table.rows
    lines = next(b for b in r.section("assumptions").blocks if isinstance(b, report.model.Bullets)).items
    assert _unescaped(at.markdown[[m.value for m in at.markdown].index("**What this comparison assumes**") + 1]
                      .value) == "\n".join(f"- {line}" for line in lines)


def test_the_team_chooses_how_many_customers_words_go_in(sid: int, downloads: dict[str, Callable[[], bytes]],
                                                         tmp_path: Path) -> None:
    at = open_app("dashboard", study=str(sid))
    stem = study_report.file_stem("Housing repairs sample")
    assert "In the customers&#x27; words" not in downloads[f"{stem}.html"]().decode("utf-8")
    box = next(n for n in at.number_input if n.label == study_report.QUOTES_LABEL)
    assert (box.value, box.min, box.max) == (0, 0, 20)
    box.set_value(3).run()
    html = downloads[f"{stem}.html"]().decode("utf-8")
    assert len(re.findall(r"<li>“", html)) == 3
    assert _same(html, _cli(sid, tmp_path, "--quotes", "3"))


def test_a_share_links_holder_downloads_their_studys_report_only(sid: int,
                                                                 downloads: dict[str, Callable[[], bytes]],
                                                                 tmp_path: Path) -> None:
    with store() as s:
        made = share_links.make_link(s, sid, label="for the director")
        other = studies.create_study(s, "Other team's secret study").id
    at = open_app(share=made.token, study=str(other))
    Screen(at).assert_no_exception()
    assert _labels(at)[:2] == [study_report.HTML_LABEL, study_report.PDF_LABEL]
    assert not [n for n in at.number_input if n.label == study_report.QUOTES_LABEL]  # the team's choice, not theirs
    html = downloads[f"{study_report.file_stem('Housing repairs sample')}.html"]().decode("utf-8")
    assert _same(html, _cli(sid, tmp_path))
    assert "Other team" not in html
    # withdrawn: the button's download refuses (the page, at its next run, says the link does not open)
    with store() as s:
        share_links.revoke_link(s, sid, made.link.id, author="Ann")
    with pytest.raises(share_links.LinkRefused, match="withdrawn"):
        downloads[f"{study_report.file_stem('Housing repairs sample')}.html"]()
