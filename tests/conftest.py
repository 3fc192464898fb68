"""Shared fixtures. Browser tests drive Debian's Chromium (/usr/bin/chromium) through Playwright against a
real `streamlit run` server. On a user's machine without Chromium they skip with the reason; under CI
(CI=true) a missing browser is a failure, because `make test` installs it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "sample_data"
pytest_plugins = ["store_fixtures"]  # session / engine / database_url on SQLite and PostgreSQL

# A busy machine draws pages slowly: every `expect` retries for up to a minute before it fails (Playwright's
# default is 5 s), so what a test waits for is what the page shows, never how long it usually takes.
expect.set_options(timeout=60_000)

CHROMIUM = os.environ.get("WORKBENCH_CHROMIUM", "/usr/bin/chromium")
# Every chart the tests draw (AppTest in this process, the app servers they start) is checked against the Vega-Lite
# schema, which the app itself skips for speed (workbench/app/chart.py).
os.environ.setdefault("WORKBENCH_VALIDATE_CHARTS", "1")
UNDER_CI = os.environ.get("CI", "").lower() == "true"


def _need_chromium() -> None:
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return
    message = f"Chromium not found at {CHROMIUM}: `make test` installs it (apt-get install chromium)"
    if UNDER_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    _need_chromium()
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


@pytest.fixture(autouse=True)
def _own_study_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test that opens the app or the store by default gets a study database of its own."""
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "workbench-data"))
    monkeypatch.delenv("WORKBENCH_DATABASE_URL", raising=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    """A `streamlit run` of the app on a free port, with its output in a log file."""

    NAME = "streamlit"
    STOP_SECONDS = 10

    def __init__(self, tmp: Path, env: dict[str, str] | None = None) -> None:
        self.port = _free_port()
        self.url = f"http://localhost:{self.port}"
        self.log_path = tmp / f"{self.NAME}-{self.port}.log"
        # each server keeps its studies in a database of its own, beside its log
        self.env = {**os.environ, "WORKBENCH_DATA_DIR": str(tmp / f"data-{self.port}"), **(env or {})}
        self.env.pop("WORKBENCH_DATABASE_URL", None)
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        return [sys.executable, "-m", "streamlit", "run", str(ROOT / "workbench" / "app" / "main.py"),
                "--server.headless", "true", "--server.port", str(self.port),
                "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]

    def launch(self) -> AppServer:
        """Start the process, without waiting for it to answer."""
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(self.command(), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                            env=self.env)
        return self

    def answers(self) -> bool:
        """Whether the server's health check says ok now (raises if the process has ended)."""
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.NAME} exited early:\n{self.log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                return r.read().decode().strip() == "ok"
        except OSError:
            return False

    def start(self, seconds: float = 60) -> AppServer:
        self.launch()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.answers():
                return self
            time.sleep(0.3)  # polling the server's health, not waiting on a page
        raise RuntimeError(f"{self.NAME} did not answer on {self.url}:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=self.STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """A fresh server with a database of its own: what one test saves in a study never reaches another."""
    _need_chromium()
    server = AppServer(tmp_path_factory.mktemp("server")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def flow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppServer, Path]]:
    """A server whose process_maps/ is a temporary folder holding the small test map."""
    _need_chromium()
    from flow_fixtures import maps_folder

    tmp = tmp_path_factory.mktemp("flow")
    folder = maps_folder(tmp)
    server = AppServer(tmp, env={"WORKBENCH_MAPS_DIR": str(folder)}).start()
    yield server, folder
    server.stop()


@pytest.fixture
def small_maps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A process_maps/ folder holding the small map (flow_fixtures.SMALL_MAP), which the app reads instead of
    the project's own."""
    from flow_fixtures import maps_folder

    folder = maps_folder(tmp_path)
    monkeypatch.setenv("WORKBENCH_MAPS_DIR", str(folder))
    return folder
