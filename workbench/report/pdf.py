"""A report as PDF: the HTML report printed by Chromium (headless), so the PDF is the same document as the HTML,
paginated by its print styles (A4, a page per section, tables and charts not split badly).

Chromium is found from WORKBENCH_CHROMIUM, else `chromium`, `chromium-browser` or `google-chrome` on the PATH.
Without one, `PdfUnavailable` says so in a sentence; the HTML report works without it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_ENV = "WORKBENCH_CHROMIUM"
_NAMES = ("chromium", "chromium-browser", "google-chrome")
TIMEOUT_SECONDS = 120


class PdfUnavailable(RuntimeError):
    """No PDF could be made (no Chromium, or it failed); the message is one plain sentence."""


def find_chromium() -> str | None:
    """The Chromium to print with, or None when there is none."""
    named = os.environ.get(CHROMIUM_ENV)
    if named:
        return named if Path(named).is_file() else shutil.which(named)
    return next((found for name in _NAMES if (found := shutil.which(name))), None)


def html_to_pdf(html: str, chromium: str | None = None) -> bytes:
    """`html` (a self-contained document) printed to PDF by headless Chromium. Nothing is fetched: the document
    needs nothing, and its own policy forbids it."""
    browser = chromium or find_chromium()
    if not browser:
        raise PdfUnavailable("A PDF needs Chromium, and none was found (install the chromium package, or set "
                             f"{CHROMIUM_ENV} to its path); the HTML report needs nothing and prints the same.")
    with tempfile.TemporaryDirectory(prefix="workbench-report-") as tmp:
        page, out = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   "--no-first-run", "--no-default-browser-check", "--no-pdf-header-footer",
                   f"--user-data-dir={Path(tmp) / 'profile'}", f"--print-to-pdf={out}", page.as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfUnavailable(f"Chromium ({browser}) could not print the report: {exc}") from None
        if not out.exists() or out.stat().st_size == 0:
            last = (done.stderr or b"").decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise PdfUnavailable(f"Chromium ({browser}) did not print the report (exit {done.returncode}"
                                 + (f": {last[0][:200]}" if last[0] else "") + ").")
        return out.read_bytes()
