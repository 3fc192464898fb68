"""Many people at once: N sessions on one study, each correcting demand rows or editing map steps, driven over
Streamlit's websocket (no browsers), with the time from each edit to its confirmation.

It starts `workbench app` (a real Streamlit server, headless, on a free loopback port, with a database of its
own: a temporary SQLite file, or a fresh PostgreSQL database made on the server `--database-url` names and
dropped at the end), prepares one study (the sample, or a demand file of `--rows` rows made from the sample's
rows), then, for each count in `--sessions`, opens that many sessions as a browser would (the same protobuf
`BackMsg`/`ForwardMsg` messages on ws://127.0.0.1:PORT/_stcore/stream):

* half open the **Demand** page and correct rows in its customers' words table (the `st.data_editor` keyed
  `words_editor_<n>`): a row's value/failure is switched, as a person does in the table;
* half open the **Flow** page and rename a step in the map's steps table (`flow_steps_<n>`).

An edit is the widget state the browser sends when a cell is edited (`BackMsg.rerun_script` carrying the
editor's JSON `{"edited_rows": {position: {column: value}}, ...}` under the widget id the page sent), so the
app's own write path runs: `studies.add_correction` and `studies.save_map_version`.

**What is timed.** From sending the edit to the **confirmation**: the element that tells the person what
became of it (the "Saved 1 correction(s)" / "Saved as version N" toast, or the refusal naming who changed it
first). Also timed, to the end of the rerun that showed it (`script_finished`): **page redrawn**, when the
page is whole and usable again. Each session waits for its page to be redrawn, then thinks (`--think`
seconds, uniformly 0.5-1.5x, as a person reads the result) before its next edit; a session stops at
`--seconds` or after `--edits` edits. Loopback only, bounded in time and count.

**Checked afterwards, in the store**: every confirmed correction is stored (same row, field, value and author)
and nothing refused or unconfirmed was; every confirmed map version is stored with its author and the edit
in it, and no refused edit was stored. "lost" counts confirmed edits missing from the store (must be 0).

    .venv/bin/python benchmarks/sessions.py                          # 10 and 20 sessions, SQLite, 60 s each
    .venv/bin/python benchmarks/sessions.py --sessions 20 --seconds 90 --rows 20000
    .venv/bin/python benchmarks/sessions.py --database-url postgresql://postgres@127.0.0.1/workbench_bench

Figures print at the end and go to benchmarks/out/sessions.json. The exit code is 0 unless an edit was lost.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
FINISHED = ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY
TARGET_MEDIAN, TARGET_P95 = 1.0, 3.0


# ------------------------------------------------------------------------------------------ the server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Database:
    url: str
    drop: str | None = None  # a PostgreSQL database made for this run: (admin url, name) dropped at the end
    admin: str | None = None


def _database(arg: str | None, folder: Path) -> Database:
    if not arg:
        folder.mkdir(parents=True, exist_ok=True)
        return Database(f"sqlite:///{folder / 'workbench.db'}")
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(arg)
    name = f"{url.database or 'workbench_sessions'}_{os.getpid()}"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return Database(url.set(database=name).render_as_string(hide_password=False), drop=name, admin=admin)


def _drop(db: Database) -> None:
    if db.drop and db.admin:
        import psycopg

        with psycopg.connect(db.admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db.drop}" WITH (FORCE)')


def _demand_bytes(rows: int) -> bytes:
    """The sample's demand file, its rows repeated until there are `rows` of them (same header, same story)."""
    from workbench import paths

    lines = paths.SAMPLE_DEMAND.read_text(encoding="utf-8").splitlines()
    header, body = lines[0], [line for line in lines[1:] if line.strip()]
    out = [header] + [body[i % len(body)] for i in range(rows)]
    return ("\n".join(out) + "\n").encode("utf-8")


def prepare_study(url: str, rows: int | None) -> tuple[int, str]:
    """Migrate the database, make the sample study; with `rows`, a study of that many demand rows and the sample's
    maps. Returns (study id, the map the Flow sessions edit)."""
    from workbench.store import db, sample, studies

    engine = db.engine_for(url)
    db.migrate(engine)
    make = db.sessions(engine)
    with make() as session:
        first = sample.ensure_sample_study(session)
        study = first or studies.list_studies(session)[0]
        if rows:
            study = studies.create_study(session, f"Many people at once, {rows:,} rows")
            sample.fill_with_sample(session, study.id, "benchmark")
            reading = studies.current_demand_source(session, study.id, with_data=False)
            assert reading is not None
            studies.set_demand_source(session, study.id, f"demand_{rows}.csv", _demand_bytes(rows),
                                      reading.reading, author="benchmark")
        maps = studies.list_maps(session, study.id)
        name = next((m.name for m in maps if "as is" in m.name.lower()), maps[0].name)
    engine.dispose()
    return study.id, name


def start_server(url: str, port: int, log: Path, profile: Path | None, code: Path | None = None
                 ) -> subprocess.Popen[bytes]:
    """`workbench app` on `url`; with `code`, the Workbench of that checkout (first on the path) is served."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_") or k == "WORKBENCH_PAGE_RUNS"}
    env["WORKBENCH_DATABASE_URL"] = url
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(code), env.get("PYTHONPATH", "")]).strip(os.pathsep)
    if profile is not None:  # the sampling profiler below, started in the server by a sitecustomize
        site = OUT / "sessions_profile_site"
        site.mkdir(parents=True, exist_ok=True)
        (site / "sitecustomize.py").write_text(PROFILER)
        env["PYTHONPATH"] = os.pathsep.join([env.get("PYTHONPATH", ""), str(site)]).strip(os.pathsep)
        env["SESSIONS_PROFILE"] = str(profile)
    command = [str(Path(sys.executable).parent / "workbench"), "app", "--headless", "--port", str(port)]
    proc = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server stopped: see {log}")
        with contextlib.suppress(OSError), urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health",
                                                                    timeout=2) as r:
            if r.read() == b"ok":
                return proc
        time.sleep(0.3)
    raise SystemExit(f"the server did not answer within 90 s: see {log}")


def server_cpu_seconds(proc: subprocess.Popen[bytes]) -> float:
    """CPU time (user + system) used so far by the server's processes (`workbench app` and Streamlit)."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == proc.pid:  # process group: the server was started in a session of its own
                total += (int(fields[11]) + int(fields[12])) / tick
    return total


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# A poor man's sampling profiler (py-spy is not installed): a thread in the server that looks at every
# thread's stack every few milliseconds and counts where time goes, by function and by the app's own lines.
PROFILER = r'''
import collections, os, sys, threading, time
_out = os.environ.get("SESSIONS_PROFILE")
if _out:
    _own, _any, _n = collections.Counter(), collections.Counter(), [0]
    def _sample():
        me = threading.get_ident()
        time.sleep(1.0)  # sys.argv is set after site runs: only the Streamlit server (not `workbench app`) samples
        if "streamlit" not in " ".join(sys.argv):
            return
        last = time.monotonic()
        while True:
            time.sleep(0.005)
            if time.monotonic() - last > 3:  # written every few seconds: the server may end without atexit
                last = time.monotonic()
                _dump()
            for tid, frame in sys._current_frames().items():
                if tid == me:
                    continue
                names, f = [], frame
                while f is not None:
                    c = f.f_code
                    names.append(f"{c.co_filename.rsplit('site-packages/', 1)[-1]}:{c.co_name}")
                    f = f.f_back
                if any("scriptrunner" in n or "/app/" in n or "workbench/" in n for n in names):
                    _n[0] += 1
                    for n in set(names):
                        _any[n] += 1
                    _own[names[0]] += 1
    def _dump():
        with open(_out, "w") as fh:
            fh.write(f"samples in script threads: {_n[0]}\n\n# inclusive (share of samples with it on the stack)\n")
            for n, c in _any.most_common(70):
                fh.write(f"{c / max(_n[0], 1):6.1%}  {n}\n")
            fh.write("\n# self\n")
            for n, c in _own.most_common(40):
                fh.write(f"{c / max(_n[0], 1):6.1%}  {n}\n")
    threading.Thread(target=_sample, daemon=True).start()
'''


# ------------------------------------------------------------------------------------------ one session


@dataclass
class Edit:
    session: str
    page: str
    started: float
    outcome: str = "unconfirmed"  # saved | refused | unconfirmed
    confirm: float | None = None  # seconds from the edit to the confirmation shown
    redrawn: float | None = None  # seconds from the edit to the end of the rerun that showed it
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Run:
    """What one script run (and the runs it chained with st.rerun) sent: elements by widget key, messages."""

    editors: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # key -> (widget id, arrow bytes)
    messages: list[tuple[float, str, str]] = field(default_factory=list)  # (arrival, kind, text)
    finished: float = 0.0


_KEY = re.compile(r"^\$\$ID-[0-9a-f]+-(.*)$")


class Session:
    def __init__(self, port: int, study_id: int, page: str, name: str, map_name: str) -> None:
        self.port, self.study_id, self.page, self.name, self.map_name = port, study_id, page, name, map_name
        self.ws: Any = None
        self.page_hash = ""
        self.name_widget = ""  # the sidebar's "Your name" box: the name goes with every edit through it
        self.last = Run()
        self.edits: list[Edit] = []
        self.n = 0

    async def open(self) -> None:
        self.ws = await connect(f"ws://127.0.0.1:{self.port}/_stcore/stream", subprotocols=["streamlit"],  # type: ignore[list-item]
                                max_size=None, open_timeout=60, ping_interval=None)
        self.last = await self.rerun(None)
        if not self.name_widget:
            raise RuntimeError(f"{self.name}: no 'Your name' box in the sidebar")
        self.last = await self.rerun(None)  # the name typed, as a person does before their first edit

    def _client_state(self, widgets: list[Any]) -> BackMsg:
        msg = BackMsg()
        state = msg.rerun_script
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        state.query_string = f"study={self.study_id}"  # the name is typed, never taken from the address
        state.page_name = "" if self.page == "demand" else "flow"
        if self.page_hash:
            state.page_script_hash = self.page_hash
        if self.name_widget:  # a browser sends every widget's state with each rerun: the name box's too
            state.widget_states.widgets.append(WidgetState(id=self.name_widget, string_value=self.name))
        for w in widgets:
            state.widget_states.widgets.append(w)
        return msg

    async def rerun(self, widget: Any | None, timeout: float = 600.0) -> Run:
        """Send a rerun (with the widget state of one edit, or none) and read until a run ends normally."""
        await self.ws.send(self._client_state([widget] if widget is not None else []).SerializeToString())
        run = Run()
        deadline = time.perf_counter() + timeout
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), max(deadline - time.perf_counter(), 0.1))
            now = time.perf_counter()
            m = ForwardMsg()
            m.ParseFromString(raw)
            kind = m.WhichOneof("type")
            if kind == "new_session":
                run.editors.clear()  # a chained run (st.rerun) draws the page again
            elif kind == "navigation" and not self.page_hash:
                self.page_hash = m.navigation.page_script_hash  # the page this session is on, as the browser keeps it
            elif kind == "delta" and m.delta.WhichOneof("type") == "new_element":
                e = m.delta.new_element
                et = e.WhichOneof("type")
                if et == "dataframe" and e.dataframe.id:
                    found = _KEY.match(e.dataframe.id)
                    if found:
                        run.editors[found.group(1)] = (e.dataframe.id, e.dataframe.arrow_data.data)
                elif et == "text_input" and e.text_input.label == "Your name":
                    self.name_widget = e.text_input.id
                elif et == "toast":
                    run.messages.append((now, "toast", e.toast.body))
                elif et == "alert":
                    run.messages.append((now, "alert", e.alert.body))
            elif kind == "script_finished" and m.script_finished == FINISHED:
                run.finished = now
                return run

    def _editor(self, prefix: str) -> tuple[str, Any]:
        keys = [k for k in self.last.editors if re.fullmatch(prefix + r"\d+", k)]
        if not keys:
            raise RuntimeError(f"{self.name}: no {prefix} table on the page")
        wid, data = self.last.editors[max(keys, key=lambda k: int(k.rsplit("_", 1)[1]))]
        frame = pa.ipc.open_stream(io.BytesIO(data)).read_all().to_pandas()
        return wid, frame

    async def edit(self, rng: random.Random) -> Edit:
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        self.n += 1
        if self.page == "demand":
            wid, frame = self._editor("words_editor_")
            pos = rng.randrange(min(len(frame), 40))
            old = str(frame["nature"].iloc[pos])
            new = "failure" if old == "value" else "value"
            detail = {"row": int(frame["row"].iloc[pos]), "field": "nature", "after": new}
            delta = {"edited_rows": {str(pos): {"nature": new}}, "added_rows": [], "deleted_rows": []}
        else:
            wid, frame = self._editor("flow_steps_")
            pos = rng.randrange(len(frame))
            base = re.sub(r" \[[^\]]*\]$", "", str(frame["name"].iloc[pos]))
            mark = f"{self.name}#{self.n}"
            detail = {"step": str(frame["id"].iloc[pos]), "mark": mark}
            delta = {"edited_rows": {str(pos): {"name": f"{base} [{mark}]"}}, "added_rows": [], "deleted_rows": []}
        widget = WidgetState(id=wid, string_value=json.dumps(delta))
        edit = Edit(self.name, self.page, time.perf_counter(), detail=detail)
        run = await self.rerun(widget)
        self.last = run
        for at, kind, text in run.messages:
            saved = (kind == "toast" and ("Saved 1 correction" in text or text.startswith("Saved as version")))
            refused = kind == "alert" and ("not saved" in text or "Nothing of yours was saved" in text)
            if saved or refused:
                edit.outcome = "saved" if saved else "refused"
                edit.confirm = at - edit.started
                if saved and text.startswith("Saved as version"):
                    edit.detail["version"] = int(re.findall(r"\d+", text)[0])
                break
        if edit.outcome == "unconfirmed":  # kept to say why: what the page said instead
            edit.detail["said"] = [text[:160] for _, _, text in run.messages]
        edit.redrawn = run.finished - edit.started
        self.edits.append(edit)
        return edit

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


async def drive(port: int, study_id: int, map_name: str, count: int, seconds: float, max_edits: int,
                think: float, seed: int, tag: str, cpu: dict[str, float], server: subprocess.Popen[bytes]
                ) -> list[Edit]:
    rng = random.Random(seed)
    sessions = [Session(port, study_id, "demand" if i % 2 == 0 else "flow", f"{tag}-{'d' if i % 2 == 0 else 'm'}{i:02d}",
                        map_name) for i in range(count)]
    # open them a little apart, as people arriving; each first page is the slow one (not timed)
    for s in sessions:
        await s.open()
    end = time.perf_counter() + seconds
    cpu["start"] = server_cpu_seconds(server)

    async def loop(s: Session, r: random.Random) -> None:
        await asyncio.sleep(r.uniform(0, think))
        while time.perf_counter() < end and len(s.edits) < max_edits:
            await s.edit(r)
            await asyncio.sleep(think * r.uniform(0.5, 1.5))

    await asyncio.gather(*(loop(s, random.Random(rng.random())) for s in sessions))
    cpu["end"] = server_cpu_seconds(server)
    for s in sessions:
        await s.close()
    return [e for s in sessions for e in s.edits]


# ------------------------------------------------------------------------------------------ checks


def verify(url: str, study_id: int, map_name: str, edits: list[Edit], tag: str) -> dict[str, Any]:
    """Every confirmed edit is in the store, and nothing refused was stored."""
    from collections import Counter

    from workbench.store import db, studies

    engine = db.engine_for(url)
    with db.sessions(engine)() as session:
        log = studies.correction_log(session, study_id)
        versions = studies.list_map_versions(session, study_id, map_name)
    engine.dispose()
    stored = Counter((r.author, r.row, r.field, r.after) for r in log if r.author.startswith(tag + "-"))
    confirmed = Counter((e.session, e.detail["row"], e.detail["field"], e.detail["after"])
                        for e in edits if e.page == "demand" and e.outcome == "saved")
    lost = sum((confirmed - stored).values())
    extra = sum((stored - confirmed).values())  # stored but not confirmed as saved (refused, or no answer)
    by_version = {v.version: v for v in versions}
    for e in edits:
        if e.page != "flow":
            continue
        mark = f"[{e.detail['mark']}]"
        if e.outcome == "saved":
            v = by_version.get(e.detail.get("version", -1))
            if v is None or v.author != e.session or mark not in v.yaml_text:
                lost += 1
        elif any(mark in v.yaml_text for v in versions):
            extra += 1
    unconfirmed = [{"session": e.session, **e.detail} for e in edits if e.outcome == "unconfirmed"]
    return {"lost": lost, "stored_without_confirmation": extra, "unconfirmed_edits": unconfirmed}


def _p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def summarise(edits: list[Edit]) -> dict[str, Any]:
    confirm = [e.confirm for e in edits if e.confirm is not None]
    redrawn = [e.redrawn for e in edits if e.redrawn is not None and e.outcome != "unconfirmed"]
    out: dict[str, Any] = {
        "edits": len(edits),
        "saved": sum(e.outcome == "saved" for e in edits),
        "refused": sum(e.outcome == "refused" for e in edits),
        "unconfirmed": sum(e.outcome == "unconfirmed" for e in edits),
        "confirm_median": statistics.median(confirm) if confirm else float("nan"),
        "confirm_p95": _p(confirm, 0.95),
        "confirm_max": max(confirm, default=float("nan")),
        "redrawn_median": statistics.median(redrawn) if redrawn else float("nan"),
        "redrawn_p95": _p(redrawn, 0.95),
    }
    for page in ("demand", "flow"):
        mine = [e.confirm for e in edits if e.page == page and e.confirm is not None]
        out[f"{page}_edits"] = sum(e.page == page for e in edits)
        out[f"{page}_confirm_median"] = statistics.median(mine) if mine else float("nan")
        out[f"{page}_confirm_p95"] = _p(mine, 0.95)
    return out


def _load() -> float:
    return os.getloadavg()[0]


def _print(row: dict[str, Any], think: float) -> None:
    print(f"\n{row['code']}: {row['sessions']} sessions ({row['backend']}, {row['rows']:,} rows, think {think:g} s, "
          f"{row['wall_seconds']:.0f} s, load {row['load_before']:.1f} -> {row['load_after']:.1f})")
    print(f"  edits {row['edits']} (demand {row['demand_edits']}, flow {row['flow_edits']}): "
          f"saved {row['saved']}, conflicts refused {row['refused']}, unconfirmed {row['unconfirmed']}, "
          f"lost {row['lost']}, stored without confirmation {row['stored_without_confirmation']}")
    print(f"  edit -> confirmation: median {row['confirm_median']:.2f} s, p95 {row['confirm_p95']:.2f} s, "
          f"max {row['confirm_max']:.2f} s (demand {row['demand_confirm_median']:.2f} / "
          f"{row['demand_confirm_p95']:.2f}, flow {row['flow_confirm_median']:.2f} / {row['flow_confirm_p95']:.2f})")
    print(f"  edit -> page redrawn: median {row['redrawn_median']:.2f} s, p95 {row['redrawn_p95']:.2f} s; "
          f"server CPU per edit {row['server_cpu_per_edit']:.2f} s")
    met = row["confirm_median"] < TARGET_MEDIAN and row["confirm_p95"] < TARGET_P95
    print(f"  target (median < {TARGET_MEDIAN:g} s, p95 < {TARGET_P95:g} s): {'met' if met else 'NOT met'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="10,20", help="session counts to run, one after another")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long each count edits")
    parser.add_argument("--edits", type=int, default=40, help="at most this many edits per session")
    parser.add_argument("--think", type=float, default=2.0, help="mean pause between a redrawn page and the next edit")
    parser.add_argument("--rows", type=int, default=None, help="a demand file of this many rows (default: the sample)")
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL server (postgresql://user@127.0.0.1/name): a fresh database name_<pid> is "
                             "made there and dropped at the end; default: a temporary SQLite file")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="another checkout of Workbench (e.g. the main branch) served the same load in the same run, "
                             "before this one at each count, for a ratio")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--profile", action="store_true",
                        help="sample the server's script threads; the profile goes to benchmarks/out/sessions_profile_*.txt")
    parser.add_argument("--label", default="", help="a word saved with the figures (e.g. before / after)")
    args = parser.parse_args()
    counts = [int(x) for x in str(args.sessions).split(",") if x.strip()]
    codes: list[tuple[str, Path | None]] = [("this", None)]
    if args.baseline is not None:
        codes.insert(0, ("baseline", args.baseline.resolve()))

    OUT.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="workbench-sessions-"))
    backend = "postgresql" if args.database_url else "sqlite"
    results: list[dict[str, Any]] = []
    lost_any = False
    for count in counts:
        by_code: dict[str, dict[str, Any]] = {}
        for code, path in codes:
            # each server gets a database of its own, prepared alike: the same study, nothing from the other run
            database = _database(args.database_url, folder / f"{code}_{count}")
            try:
                (folder / f"{code}_{count}").mkdir(parents=True, exist_ok=True)
                study_id, map_name = prepare_study(database.url, args.rows)
                port = _free_port()
                profile = OUT / f"sessions_profile_{backend}_{count}_{code}.txt" if args.profile else None
                server = start_server(database.url, port, folder / f"server_{code}_{count}.log", profile, path)
                tag = f"s{count}"
                load_before = _load()
                t0 = time.perf_counter()
                cpu: dict[str, float] = {}
                try:
                    edits = asyncio.run(drive(port, study_id, map_name, count, args.seconds, args.edits, args.think,
                                              args.seed + count, tag, cpu, server))
                finally:
                    stop_server(server)
                wall = time.perf_counter() - t0
                checks = verify(database.url, study_id, map_name, edits, tag)
            finally:
                _drop(database)
            lost_any |= checks["lost"] > 0
            row = {"code": code, "code_path": str(path or ROOT), "sessions": count, "backend": backend,
                   "rows": args.rows or 2532, "wall_seconds": wall, "load_before": load_before, "load_after": _load(),
                   "server_cpu_per_edit": (cpu["end"] - cpu["start"]) / max(len(edits), 1),
                   **summarise(edits), **checks}
            results.append(row)
            by_code[code] = row
            _print(row, args.think)
            if profile is not None:
                print(f"  profile: {profile}")
        if len(by_code) == 2:
            base, this = by_code["baseline"], by_code["this"]
            print(f"\n  ratio baseline / this at {count} sessions: confirmation median "
                  f"{base['confirm_median'] / this['confirm_median']:.2f}x, p95 "
                  f"{base['confirm_p95'] / this['confirm_p95']:.2f}x; page redrawn median "
                  f"{base['redrawn_median'] / this['redrawn_median']:.2f}x; server CPU per edit "
                  f"{base['server_cpu_per_edit'] / this['server_cpu_per_edit']:.2f}x")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    record = {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "commit": commit, "label": args.label,
              "cpus": os.cpu_count(), "args": {k: str(v) for k, v in vars(args).items()}, "results": results}
    path = OUT / "sessions.json"
    history = []
    if path.exists():
        with contextlib.suppress(ValueError):
            history = json.loads(path.read_text()).get("runs", [])
    path.write_text(json.dumps({"latest": record, "runs": [*history, record][-20:]}, indent=1, default=str))
    print(f"\nfigures: {path}")
    return 1 if lost_any else 0


if __name__ == "__main__":
    raise SystemExit(main())
