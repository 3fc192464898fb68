"""A big study in the store: 500,000 demand rows, 50 map versions, 100 stored comparisons. Does the managers'
dashboard still open in under 1 s after its first open, and does the zip export/import round trip hold?

    .venv/bin/python benchmarks/store_scale.py [--rows 500000] [--repeat 5] [--database-url URL] [--profile]

In one process and one run:

1. **Builds the study** through the store's API (`workbench.store.studies`), in a temporary SQLite file unless
   `--database-url` names another database (PostgreSQL: the study is made there under a unique name and
   deleted at the end). Its demand file is the generated CSV of benchmarks/run.py (`--rows`, cached in
   benchmarks/out/) with that benchmark's catalogue; `--corrections` rows are corrected in batches of 100;
   two maps (the sample's two designs) get 25 versions each, each version a different staffing; 100
   comparisons are stored as the Compare page stores them (`snapshot` of the sample comparison, 2 designs,
   3 replications, with the page's settings and each run's map versions), each told apart by its seed and
   headline. The sample study (2,532 rows, 2 maps, 1 comparison) is built beside it as the baseline.
2. **Dashboard** (AppTest, each open a new session, as a manager opening the link): the first open in this
   process (imports, the database opened, the file read and analysed, nothing cached), the first open after
   the server's caches are cleared (what a restart costs without the imports), then later opens (what the
   server caches is reused). The sample study's later opens, in the same run, are the baseline; the ratio
   says what the size costs. Every open checks that the page shows the demand total and the latest
   comparison's headline, and no error.
3. **Export and import** (`workbench.store.archive`): `export_study` (the zip's size), then `import_study`
   into the same database (a new study each time, deleted after, untimed), against the bare baseline of
   deflating the demand file alone with `zipfile` at the same level. After each import the imported study
   is compared with the original: the demand file byte for byte, every map version's text, author, note
   and time, every comparison's settings and summary, every correction.
4. Prints best and median seconds, ratios, whether the dashboard's later opens meet the < 1 s target, the
   load average before and after; `--profile` prints the cProfile of the script thread of one later open
   (top 30 by cumulative time, 15 by own time) and of the first open after a cache clear. The temporary
   SQLite folder is removed at the end.

The exit code is 0 whatever the figures (a benchmark reports; it does not gate), 1 if a check fails.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))
APP = str(ROOT / "workbench" / "app" / "main.py")
TARGET_SECONDS = 1.0
DESIGN_FILES = ("housing_repairs_standard_work.yaml", "housing_repairs_worker_led.yaml")


@dataclass
class Built:
    study_id: int
    name: str
    rows: int
    headline: str
    demand_bytes: int
    map_versions: int
    runs: int
    corrections: int
    seconds: float


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def sample_snapshot() -> tuple[dict[str, Any], dict[str, Any]]:
    """The sample comparison as the Compare page stores it: its snapshot, and the page's default settings."""
    from workbench import paths
    from workbench.demand.catalogue import load_catalogue
    from workbench.demand.load import load_demand
    from workbench.flow.model import load_map
    from workbench.sim.compare import CompareSettings
    from workbench.sim.snapshot import snapshot

    catalogue = load_catalogue(paths.SAMPLE_CATALOGUE)
    frame = load_demand(paths.SAMPLE_DEMAND, catalogue=catalogue).frame
    maps = [load_map(paths.PROCESS_MAPS_DIR / f) for f in DESIGN_FILES]
    settings = CompareSettings(replications=3, seed=1)
    result = settings.run(maps, frame, catalogue=catalogue, keep_runs=True)
    summary = snapshot(result, frame["received_at"].min().normalize())
    stored = {**settings.to_dict(), "designs": [m.name for m in maps], "demand": paths.SAMPLE_DEMAND.name}
    return json.loads(json.dumps(summary)), json.loads(json.dumps(stored))


def map_version_text(text: str, version: int) -> str:
    """The map with its first role's staff set for `version` (each saved version differs from the last)."""
    return re.sub(r"staff: \d+", f"staff: {1 + version % 4}", text, count=1)


def build_study(session: Any, name: str, demand_name: str, data: bytes, catalogue_text: str, *,
                map_versions: int, runs: int, corrections: int, summary: dict[str, Any],
                settings: dict[str, Any]) -> Built:
    """A study made through the store's API, as the app makes it (see the module's docstring)."""
    from workbench import paths
    from workbench.flow.model import parse_map
    from workbench.store import studies

    start = time.perf_counter()
    made = studies.create_study(session, name, "A big study: every part of it at scale")
    studies.set_demand_source(session, made.id, demand_name, data, catalogue_text=catalogue_text, author="Ann")
    rows = data.count(b"\n") - 1  # one header line; the generated file ends with a newline
    for first in range(0, corrections, 100):  # a workshop's batches: rows 2, 7, 12, ... set to 'value'
        batch = [studies.Change(row=2 + 5 * k, field="nature", after="value")
                 for k in range(first, min(first + 100, corrections))]
        studies.add_corrections(session, made.id, batch, "Bob", note="workshop")
    texts = {}
    for f in DESIGN_FILES:
        text = (paths.PROCESS_MAPS_DIR / f).read_text(encoding="utf-8")
        texts[parse_map(text, f).name] = text
    per_map = [map_versions // len(texts) + (1 if i < map_versions % len(texts) else 0) for i in range(len(texts))]
    saved: dict[str, int] = {}
    for (map_name, text), count in zip(texts.items(), per_map, strict=True):
        for v in range(1, count + 1):
            saved[map_name] = studies.save_map_version(
                session, made.id, map_name, map_version_text(text, v), "Cy", saved.get(map_name),
                note=f"staffing try {v}").version
    headline = ""
    for i in range(1, runs + 1):
        headline = f"{summary.get('headline', '')} (run {i})"
        studies.save_comparison_run(session, made.id, {**settings, "seed": i, "map_versions": dict(saved)},
                                    {**summary, "headline": headline}, "Dee")
    return Built(made.id, name, rows, headline, len(data), sum(per_map), runs, corrections,
                 time.perf_counter() - start)


SCRIPT: list[tuple[float, float]] = []  # (wall, CPU) seconds of each script thread: the server's part of a run
PROFILE: list[cProfile.Profile] = []  # when set, the script thread runs under it


def _instrument() -> None:
    """Time the script thread of every AppTest run (the server's time from the request to the end of the page's
    run, without AppTest turning the messages into elements or scanning the installed packages for components,
    which a server does once at start-up), and compile the page scripts once, as a server does."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner
    from streamlit.testing.v1.local_script_runner import LocalScriptRunner

    plain = LocalScriptRunner._run_script_thread

    def timed(self: Any) -> None:
        t0, c0 = time.perf_counter(), time.thread_time()
        try:
            if PROFILE:
                PROFILE[0].runcall(plain, self)
            else:
                plain(self)
        finally:
            SCRIPT.append((time.perf_counter() - t0, time.thread_time() - c0))

    LocalScriptRunner._run_script_thread = timed  # type: ignore[method-assign]
    shared = ScriptCache()
    app_test.ScriptCache = lambda: shared  # type: ignore[attr-defined]
    local_script_runner.ScriptCache = lambda: shared  # type: ignore[attr-defined]


_COMPONENTS: list[Any] = []  # the component registry of the first AppTest, reused (a server scans once)


def open_dashboard(built: Built, expected_total: int) -> tuple[float, float]:
    """One open of the study's dashboard link in a new session (AppTest): the script thread's wall and CPU
    seconds; checks what the page shows."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=600)
    if _COMPONENTS:
        at._bidi_component_manager = _COMPONENTS[0]
    at.query_params["view"] = "dashboard"
    at.query_params["study"] = str(built.study_id)
    SCRIPT.clear()
    at.run()
    if not _COMPONENTS and getattr(at, "_bidi_component_manager", None) is not None:
        _COMPONENTS.append(at._bidi_component_manager)
    took = (sum(w for w, _ in SCRIPT), sum(c for _, c in SCRIPT))
    problems = [e.value for e in at.exception] + [w.value for w in at.warning] + [e.value for e in at.error]
    if problems:
        raise SystemExit(f"the dashboard of {built.name!r} showed problems: {problems}")
    if built.headline and not any(built.headline == s.value for s in at.success):
        raise SystemExit(f"the dashboard of {built.name!r} did not show the latest comparison")
    demands = [m.value for m in at.metric if m.label == "Demands"]
    if demands != [f"{expected_total:,}"]:
        raise SystemExit(f"the dashboard of {built.name!r} shows {demands} demands, not {expected_total:,}")
    return took


def clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def round_trip_differences(session: Any, original: int, imported: int) -> list[str]:
    """What differs between a study and its import: [] when every part came back exactly."""
    from sqlalchemy import select

    from workbench.store import studies
    from workbench.store.models import ComparisonRunRow

    def content(study_id: int) -> dict[str, Any]:
        sources = [(d.name, d.reading, d.created_at, d.created_by, studies.demand_file(session, d.id))
                   for d, _n in studies.list_demand_sources(session, study_id)]
        log = [(c.row, c.field, c.before, c.after, c.author, c.created_at, c.version, c.note)
               for c in studies.correction_log(session, study_id)]
        maps = {m.name: [(v.version, v.yaml_text, v.author, v.note, v.created_at)
                         for v in studies.list_map_versions(session, study_id, m.name)]
                for m in studies.list_maps(session, study_id)}
        runs = [(r.created_at, r.author, r.settings, r.summary) for r in session.scalars(
            select(ComparisonRunRow).where(ComparisonRunRow.study_id == study_id).order_by(ComparisonRunRow.id))]
        session.rollback()
        return {"demand files": sources, "corrections": log,
                "map versions": maps, "comparisons": runs}

    a, b = content(original), content(imported)
    return [part for part in a if a[part] != b[part]]


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    value = fn()
    return time.perf_counter() - began, value


def profile(label: str, fn: Callable[[], Any]) -> None:
    """cProfile of the script thread during `fn` (the page's run on the server), top 30 by cumulative time."""
    PROFILE.append(cProfile.Profile())
    try:
        fn()
    finally:
        prof = PROFILE.pop()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(30)
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(15)
    print(f"\n--- profile (script thread): {label} ---")
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip()))


def _fmt(xs: list[float]) -> str:
    return f"best {min(xs):7.3f} s   median {statistics.median(xs):7.3f} s"


def _fmt2(xs: list[tuple[float, float]]) -> str:
    wall, cpu = [w for w, _ in xs], [c for _, c in xs]
    return f"{_fmt(wall)}   (CPU median {statistics.median(cpu):6.3f} s)"


def _med(xs: list[tuple[float, float]]) -> float:
    return statistics.median(w for w, _ in xs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000, help="demand rows (500,000)")
    parser.add_argument("--map-versions", type=int, default=50)
    parser.add_argument("--runs", type=int, default=100, help="stored comparisons (100)")
    parser.add_argument("--corrections", type=int, default=1_000, help="corrected rows (1,000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed opens, exports and imports (5)")
    parser.add_argument("--database-url", help="a database to build in (default: a temporary SQLite file)")
    parser.add_argument("--first-opens", type=int, default=3,
                        help="timed first opens after the caches are cleared (3; each reads the whole file)")
    parser.add_argument("--no-zip", action="store_true", help="skip the export/import timing")
    parser.add_argument("--profile", action="store_true", help="print cProfile of the dashboard's opens")
    args = parser.parse_args(argv)

    scratch = tempfile.mkdtemp(prefix="workbench-scale-")  # the SQLite file (unless --database-url): removed at the end
    os.environ["WORKBENCH_DATA_DIR"] = scratch
    if args.database_url:
        os.environ["WORKBENCH_DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("WORKBENCH_DATABASE_URL", None)
    os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")  # no "missing ScriptRunContext" noise

    from run import catalogue_yaml, dataset  # benchmarks/run.py: the generated demand file
    from sqlalchemy.engine import make_url

    from workbench import paths
    from workbench.store import archive, db, sample, studies

    load_before = _load()
    engine = db.engine_for()
    db.migrate(engine)
    where = make_url(db.database_url()).render_as_string(hide_password=True)
    print(f"database: {where}")
    path, generated = dataset(args.rows)
    data = path.read_bytes()
    print(f"demand file: {path.name}, {len(data) / 1e6:.1f} MB" + (f" (generated in {generated:.1f} s)"
                                                                    if generated else " (cached)"))
    t_snap, (summary, settings) = timed(sample_snapshot)
    print(f"the sample comparison to store (2 designs x 3 replications): {t_snap:.1f} s, "
          f"{len(json.dumps(summary)) / 1e3:.0f} kB as JSON")

    sessions = db.sessions(engine)
    tag = uuid.uuid4().hex[:6]
    with sessions() as s:
        base = sample.ensure_sample_study(s) or studies.find_study(s, sample.SAMPLE_STUDY)
        assert base is not None
        studies.save_comparison_run(s, base.id, settings, summary, "Dee")
        big = build_study(s, f"A big study {tag}", path.name, data, catalogue_yaml(), map_versions=args.map_versions,
                          runs=args.runs, corrections=args.corrections, summary=summary, settings=settings)
    small = Built(base.id, base.name, 0, summary.get("headline", ""), paths.SAMPLE_DEMAND.stat().st_size, 2, 1, 0, 0)
    print(f"built: {big.rows:,} rows ({big.demand_bytes / 1e6:.1f} MB), {big.map_versions} map versions, "
          f"{big.runs} comparisons, {big.corrections:,} corrections in {big.seconds:.1f} s")

    from workbench.demand.catalogue import parse_catalogue
    from workbench.demand.load import load_demand

    total = len(load_demand(path, catalogue=parse_catalogue(catalogue_yaml(), "catalogue.yaml")).frame)
    sample_total = len(load_demand(paths.SAMPLE_DEMAND).frame)
    _instrument()
    try:
        first = open_dashboard(big, total)
        print(f"\ndashboard, first open in this process (imports, nothing cached): {first[0]:7.3f} s "
              f"(CPU {first[1]:.3f} s)")
        after_clear = []
        for _ in range(args.first_opens):
            clear_caches()
            after_clear.append(open_dashboard(big, total))
        later = [open_dashboard(big, total) for _ in range(args.repeat)]
        open_dashboard(small, sample_total)  # the sample's first open: not timed
        baseline = [open_dashboard(small, sample_total) for _ in range(args.repeat)]
        if args.profile:
            profile("a later open of the big study's dashboard", lambda: open_dashboard(big, total))
            clear_caches()
            profile("the first open after the caches are cleared", lambda: open_dashboard(big, total))

        exports, imports, bare, checks = [], [], [], []
        zipped = b""
        for _ in range(0 if args.no_zip else args.repeat):
            with sessions() as s:
                t, zipped = timed(lambda s=s: archive.export_study(s, big.study_id))
            exports.append(t)
            t, _z = timed(lambda: _deflate(data))
            bare.append(t)
            with sessions() as s:
                t, made = timed(lambda s=s, z=zipped: archive.import_study(s, z, name=f"{big.name} imported"))
                imports.append(t)
                checks.append(round_trip_differences(s, big.study_id, made.id))
                studies.delete_study(s, made.id)
    finally:
        with sessions() as s:
            studies.delete_study(s, big.study_id)
        engine.dispose()
        shutil.rmtree(scratch, ignore_errors=True)

    print(f"\n{'':42} {'':>30}   {'':>25} ratio (median)")
    print("server time of the dashboard's run (script thread), each open a new session:")
    print(f"{'dashboard, sample study, later opens':42} {_fmt2(baseline)}   baseline")
    print(f"{'dashboard, first open after cache clear':42} {_fmt2(after_clear)}   "
          f"{_med(after_clear) / _med(baseline):5.1f}x")
    print(f"{'dashboard, later opens':42} {_fmt2(later)}   {_med(later) / _med(baseline):5.1f}x")
    if exports:
        print(f"{'bare: deflate the demand file (zipfile)':42} {_fmt(bare)}   baseline")
        print(f"{f'export_study (zip {len(zipped) / 1e6:.1f} MB)':42} {_fmt(exports)}   "
              f"{statistics.median(exports) / statistics.median(bare):5.1f}x")
        print(f"{'import_study (read, check, write)':42} {_fmt(imports)}   "
              f"{statistics.median(imports) / statistics.median(bare):5.1f}x")
    held = all(not c for c in checks)
    said = "every demand byte, correction, map version and comparison came back exactly" if held else checks
    print(f"\nround trip: {said if exports else 'not timed (--no-zip)'}")
    best = min(w for w, _ in later)
    met = _med(later) < TARGET_SECONDS
    print(f"target: the dashboard opens in under {TARGET_SECONDS:g} s after the first open (median of later opens): "
          f"{'MET' if met else 'NOT MET'} (best {best:.3f} s, median {_med(later):.3f} s)")
    print(f"load average before {load_before}, after {_load()}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
          f"python {sys.version.split()[0]}")
    return 0 if held else 1


def _deflate(data: bytes) -> int:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("demand.csv", data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return len(buffer.getvalue())


if __name__ == "__main__":
    sys.exit(main())
