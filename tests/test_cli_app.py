"""`workbench app` ends its Streamlit server when it is itself ended: by SIGTERM, by Ctrl-C (SIGINT), and on
Linux even by SIGKILL (the kernel stops the server when its parent dies). A real server on a free port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import ROOT, _free_port

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the server")

POLL = 0.2  # seconds between looks
STOP_WITHIN = 30.0  # seconds: the CLI waits at most 10 s for the server, then kills it


class Started:
    def __init__(self, parent: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.parent, self.port, self.log = parent, port, log

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_stcore/health", timeout=2) as r:
                return r.read().decode().strip() == "ok"
        except OSError:
            return False


def _children(pid: int) -> list[int]:
    """The live processes whose parent is `pid` (zombies count as gone)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # ended while we looked
            continue
        state, ppid = text.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == pid and state != "Z":
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(POLL)
    return condition()


@pytest.fixture
def started(tmp_path: Path) -> Iterator[Started]:
    port = _free_port()
    log = tmp_path / "app.log"
    env = {**os.environ, "WORKBENCH_DATA_DIR": str(tmp_path / "data")}
    env.pop("WORKBENCH_DATABASE_URL", None)
    with log.open("wb") as out:
        parent = subprocess.Popen([sys.executable, "-m", "workbench.cli", "app", "--headless", "--port", str(port)],
                                  cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    app = Started(parent, port, log)
    servers: list[int] = []
    try:
        assert _until(lambda: app.answers() or parent.poll() is not None, 90), log.read_text()
        assert parent.poll() is None, f"workbench app exited early:\n{log.read_text()}"
        servers = _children(parent.pid)
        assert len(servers) == 1, servers
        yield app
    finally:
        for pid in [parent.pid, *servers]:  # whatever the test left running
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        parent.wait(timeout=10)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_the_server_stops_with_workbench_app(started: Started, stop: signal.Signals) -> None:
    (server,) = _children(started.parent.pid)
    started.parent.send_signal(stop)  # to the CLI alone, as `kill` or a service manager would
    assert _until(lambda: not _alive(server), STOP_WITHIN), f"the server outlived it:\n{started.log.read_text()}"
    assert started.parent.wait(timeout=STOP_WITHIN) == 0  # it waited for the server, which stopped cleanly
    assert not started.answers()


def test_the_server_stops_even_when_workbench_app_is_killed(started: Started) -> None:
    (server,) = _children(started.parent.pid)
    started.parent.send_signal(signal.SIGKILL)  # no chance to pass anything on: the kernel tells the server
    assert started.parent.wait(timeout=10) == -signal.SIGKILL
    assert _until(lambda: not _alive(server), STOP_WITHIN), f"the server outlived it:\n{started.log.read_text()}"
    assert _until(lambda: not started.answers(), STOP_WITHIN)
