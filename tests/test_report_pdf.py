"""The study report as PDF, printed by Debian's Chromium: its pages hold the headline and the designs' table
(read back with pdftotext), and without Chromium the command says so in a sentence."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from workbench import report
from workbench.cli import main

from conftest import _need_chromium
from report_fixtures import compared, sample_study, store


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    found = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    assert found, info
    return int(found.group(1))


@pytest.fixture(autouse=True)
def _tools() -> None:
    _need_chromium()
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext not found: `make chromium` installs poppler-utils")


def test_the_pdf_has_the_headline_and_the_designs_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_CHROMIUM", "/usr/bin/chromium")
    with store() as s:
        sid = sample_study(s)
        snap = compared(s, sid)
    out = tmp_path / "report.pdf"
    assert main(["study", "report", str(sid), "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF-")
    text = _text(out)
    flat = " ".join(text.split())
    # a page per section: the headline, demand, end to end, designs, assumptions, data (more when one runs over)
    pages = _pages(out)
    assert 6 <= pages <= 20, pages
    assert text.count("\f") == pages  # pdftotext ends every page with a form feed
    first = text.split("\f")[0]
    assert "The headline" in first and "of the demand the team has classified is failure demand" in " ".join(
        first.split())
    assert " ".join(snap["headline"].split()[:8]) in flat  # the comparison's headline, as stored
    names = [d["name"] for d in snap["designs"]]
    designs = next(p for p in text.split("\f") if "The designs compared" in p)
    assert "Measure" in designs and all(n in " ".join(designs.split()) for n in names)
    assert "The 95% intervals cover" in " ".join(designs.split())  # the table, with what its intervals cover
    assert "Workbench 0.1.0" in flat


def test_without_chromium_the_pdf_is_refused_in_a_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("WORKBENCH_CHROMIUM", str(tmp_path / "no-chromium-here"))
    with store() as s:
        sid = sample_study(s)
    assert report.find_chromium() is None
    assert main(["study", "report", str(sid), "-o", str(tmp_path / "report.pdf")]) != 0
    err = capsys.readouterr().err
    assert "A PDF needs Chromium, and none was found" in err and "Traceback" not in err
    assert not (tmp_path / "report.pdf").exists()
    assert main(["study", "report", str(sid), "-o", str(tmp_path / "report.html")]) == 0  # the HTML needs nothing
