"""What a workshop waits for in the app on a 100,000-row study: the server's time of each common interaction.

    .venv/bin/python benchmarks/pages.py [--rows N] [--repeat K] [--only NAME ...] [--profile NAME] [--browser]

1. Builds once (cached in benchmarks/out/pages_study_<rows>_g<generator>_s<version>/) a study database: the
   sample study (its two maps) with the demand CSV of `benchmarks/run.py` (100,000 rows by default) as its demand
   file, read with that file's own catalogue, and a stored comparison of the two sample designs (on the sample's
   own demand: what the dashboard draws is the stored snapshot, whatever demand it was run on). Each run works on
   a copy of it, so the corrections and map edits of one run never reach the next.
2. Opens the app with streamlit.testing.v1.AppTest on that copy (the Demand page, and a second session on the
   Flow page) and times, K times each and interleaved (a busy spell on a shared machine hits all alike):
   * **baseline**: a rerun of the Demand page with nothing changed;
   * **views**: the tab-like views of the Demand page that the server draws: Over time per week/day, End to end
     per week/day, End to end by type/touchpoint/value-failure, Handling by touchpoint/type (each a radio; the
     page's tabs themselves switch in the browser, without the server);
   * **filter words**: the customers' words searched for a word (two words in turn);
   * **correction**: a row's value/failure corrected in the customers' words table (its edit state set, as the
     browser sends it; to failure when it is value, else to value), a different row each time so that the study
     is never in a state it was in before: stored, and every chart redrawn with it;
   * **flow baseline**: a rerun of the Flow page with nothing changed;
   * **map edit**: the first step's Touch likely changed in the Steps table (4 and 3.5 minutes in turn): stored as the map's
     next version, the diagram and the exact flow metrics drawn again;
   * **open dashboard**: the managers' link (`?view=dashboard&study=<id>`) opened in a new session.
   The figure is the wall time of the script thread(s) of one `AppTest.run()` (a change that is saved and
   reruns the script counts both runs): the server's time from the widget change to the end of the script's
   run, without AppTest's own turning of the messages into elements (shown too, as "AppTest.run()"). The page
   scripts are compiled once, as a server does (AppTest alone would compile them again at every run).
3. Prints best-of and median seconds per interaction, its ratio to the baseline and whether it answers in under
   300 ms (on the median); checks each interaction did what it says (the matching count, the correction saved,
   the map's version and touch minutes, the dashboard's headline); writes benchmarks/out/pages.json.
   `--profile NAME` also writes a cProfile of one more run of that interaction (benchmarks/out/pages_NAME.prof)
   and prints its top functions. `--browser` also times one interaction in Chromium (Playwright): `workbench app`
   on another copy of the study, a word typed into the search box, until the page shows the new count.

A benchmark reports; it does not gate: the exit code is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import logging
import os
import pstats
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (benchmarks/run.py: the generator, the machine description)

TARGET_SECONDS = 0.3
STUDY_VERSION = 1  # bump when what the cached study holds changes
APP = str(run.ROOT / "workbench" / "app" / "main.py")
AUTHOR = "Benchmark"


# ------------------------------------------------------------------------------------------ the study


def study_dir(rows: int) -> Path:
    return run.OUT / f"pages_study_{rows}_g{run.GENERATOR_VERSION}_s{STUDY_VERSION}"


def build_study(rows: int) -> tuple[Path, int, float]:
    """The cached study database (built when missing): its folder, the study's id, seconds spent building."""
    folder = study_dir(rows)
    marker = folder / "study.json"
    if marker.exists():
        return folder, int(json.loads(marker.read_text())["study_id"]), 0.0
    t0 = time.perf_counter()
    path, _ = run.dataset(rows)
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    env_before = os.environ.get("WORKBENCH_DATA_DIR")
    os.environ["WORKBENCH_DATA_DIR"] = str(tmp)
    try:
        from workbench import paths
        from workbench.demand.catalogue import load_catalogue
        from workbench.demand.load import load_demand
        from workbench.flow.model import load_map
        from workbench.sim.compare import compare
        from workbench.sim.snapshot import snapshot
        from workbench.store import db, sample, studies

        engine = db.engine_for(db.database_url())
        db.migrate(engine)
        with db.sessions(engine)() as s:
            made = sample.ensure_sample_study(s)
            assert made is not None
            studies.set_demand_source(s, made.id, path.name, path.read_bytes(), catalogue_text=run.catalogue_yaml(),
                                      author=AUTHOR)
            catalogue = load_catalogue(paths.SAMPLE_CATALOGUE)
            frame = load_demand(paths.SAMPLE_DEMAND, catalogue=catalogue).frame
            names = {"housing_repairs_standard_work.yaml": None, "housing_repairs_worker_led.yaml": None}
            maps = [load_map(paths.PROCESS_MAPS_DIR / f) for f in names]
            result = compare(maps, frame, catalogue=catalogue, replications=3, seed=1)
            versions = {v.name: v.version for v in studies.list_maps(s, made.id)}
            studies.save_comparison_run(s, made.id, {"replications": 3, "designs": list(versions),
                                                     "map_versions": versions, "demand": paths.SAMPLE_DEMAND.name},
                                        snapshot(result, frame["received_at"].min()), AUTHOR)
            study_id = made.id
        engine.dispose()
    finally:
        if env_before is None:
            os.environ.pop("WORKBENCH_DATA_DIR", None)
        else:
            os.environ["WORKBENCH_DATA_DIR"] = env_before
    (tmp / "study.json").write_text(json.dumps({"study_id": study_id, "rows": rows}))
    shutil.rmtree(folder, ignore_errors=True)
    tmp.replace(folder)
    return folder, study_id, time.perf_counter() - t0


def copy_of(folder: Path, into: Path) -> Path:
    target = into / "data"
    shutil.copytree(folder, target)
    return target


# ------------------------------------------------------------------------------------------ timing

SCRIPT_SECONDS: list[float] = []  # wall time of each script thread of one AppTest.run(): the server's part
SCRIPT_CPU: list[float] = []  # the CPU time of those threads (what other processes on a busy machine do not add)


def _time_the_script_thread() -> None:
    from streamlit.testing.v1.local_script_runner import LocalScriptRunner

    plain = LocalScriptRunner._run_script_thread

    def timed(self) -> None:  # noqa: ANN001
        t0, c0 = time.perf_counter(), time.thread_time()
        try:
            plain(self)
        finally:
            SCRIPT_SECONDS.append(time.perf_counter() - t0)
            SCRIPT_CPU.append(time.thread_time() - c0)

    LocalScriptRunner._run_script_thread = timed  # type: ignore[method-assign]


def _one_script_cache() -> None:
    """A server compiles each page script once (its ScriptCache lives as long as the server); AppTest makes a new
    cache at every run, so every rerun would pay for compiling main.py and the page again (0.3-0.6 s for the
    Demand page on this machine). One cache for every run: what is timed is what a server spends."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    app_test.ScriptCache = lambda: shared  # type: ignore[attr-defined,assignment]
    local_script_runner.ScriptCache = lambda: shared  # type: ignore[attr-defined,assignment]


def _check(at, what: str) -> None:  # noqa: ANN001 - AppTest
    if at.exception:
        raise SystemExit(f"{what}: the app raised {[e.value for e in at.exception]}")
    if at.error:
        raise SystemExit(f"{what}: the app showed an error: {[e.value for e in at.error]}")


Timing = tuple[float, float, float]  # AppTest.run() seconds, script-thread seconds, script-thread CPU seconds


def _run(at, what: str) -> Timing:  # noqa: ANN001
    gc.collect()
    SCRIPT_SECONDS.clear()
    SCRIPT_CPU.clear()
    t0 = time.perf_counter()
    at.run()
    total = time.perf_counter() - t0
    _check(at, what)
    return total, sum(SCRIPT_SECONDS), sum(SCRIPT_CPU)


def _metric(at, label: str) -> str:  # noqa: ANN001
    return next(m.value for m in at.metric if m.label == label)


def _caption_with(at, text: str) -> str:  # noqa: ANN001
    return next((c.value for c in at.caption if text in c.value), "")


# ------------------------------------------------------------------------------------------ interactions


class Bench:
    """The sessions the interactions run in, and each interaction as a function that makes its change and runs
    the script once (returning what `_run` returns), checking it did what it says."""

    def __init__(self, study_id: int, frame_words: Any) -> None:
        from streamlit.testing.v1 import AppTest

        self.AppTest = AppTest
        self.study_id = study_id
        self.words = frame_words  # the cleaned customers' words, to count matches independently
        self.problems: list[str] = []
        self.demand = self._session()
        self.flow = self._session()
        self.flow.switch_page("views/flow.py")
        self._first(self.flow, "opening the Flow page")
        self.turn: dict[str, int] = {}

    def _session(self):  # noqa: ANN202 - AppTest
        at = self.AppTest.from_file(APP, default_timeout=600)
        at.session_state["author"] = AUTHOR
        at.query_params["study"] = str(self.study_id)
        self._first(at, "opening the app")
        return at

    def _first(self, at, what: str) -> None:  # noqa: ANN001
        at.run()
        _check(at, what)

    def _next(self, name: str, options: list[Any]) -> Any:
        i = self.turn.get(name, -1) + 1
        self.turn[name] = i
        return options[i % len(options)]

    def interactions(self) -> dict[str, Callable[[], Timing]]:
        return {
            "baseline": lambda: _run(self.demand, "a rerun"),
            "view: over time per day/week": lambda: self._radio("spc_period", ["Day", "Week"]),
            "view: end to end per day/week": lambda: self._radio("e2e_period", ["Day", "Week"]),
            "view: end to end by ...": lambda: self._radio("e2e_by", None),
            "view: handling by ...": lambda: self._radio("handling_by", ["Demand type", "Touchpoint"]),
            "filter words": self._filter,
            "correction": self._correct,
            "flow baseline": lambda: _run(self.flow, "a rerun of the Flow page"),
            "map edit": self._map_edit,
            "open dashboard": self._dashboard,
        }

    def _radio(self, key: str, options: list[str] | None) -> Timing:
        radio = self.demand.radio(key=key)
        value = self._next(key, options or [o for o in radio.options if o != radio.value] + [radio.value])
        radio.set_value(value)
        out = _run(self.demand, f"radio {key} -> {value}")
        if self.demand.radio(key=key).value != value:
            self.problems.append(f"radio {key} shows {self.demand.radio(key=key).value!r}, not {value!r}")
        return out

    def _filter(self) -> Timing:
        word = self._next("filter", ["boiler", "mould"])
        box = next(t for t in self.demand.text_input if t.label == "Search the customers' words")
        box.set_value(word)
        out = _run(self.demand, f"searching for {word!r}")
        expected = int(self.words.str.contains(word, case=False, regex=False, na=False).sum())
        shown = _caption_with(self.demand, "matching demands")
        if not shown.startswith(f"{expected:,} matching demands"):
            self.problems.append(f"filter {word!r}: expected {expected:,} matches, the page says {shown!r}")
        return out

    def _saved_count(self) -> int:
        said = next((s.value for s in self.demand.success if "correction(s) in this study" in s.value), "")
        m = re.search(r"Saved: ([\d,]+) correction", said)
        return int(m.group(1).replace(",", "")) if m else 0

    def _correct(self) -> Timing:
        from workbench.app import keys

        before = self._saved_count()
        shown = next(d.value for d in self.demand.dataframe  # the words table (not the rows set aside)
                     if {"customer_words", "nature", "row"} <= set(map(str, d.value.columns))
                     and "reason" not in d.value.columns)
        # A different row each time: every correction leaves the study in a state it was never in, so nothing
        # drawn after it (the figures, the charts' specs) can come from a cache of an earlier state.
        i = self._next("correct", list(range(min(len(shown), 25))))
        value = "value" if shown["nature"].iloc[i] == "failure" else "failure"  # row i as shown, changed
        version = self.demand.session_state[keys.EDITOR_VERSION]
        self.demand.session_state[keys.words_editor(version)] = {
            "edited_rows": {i: {"nature": value}}, "added_rows": [], "deleted_rows": []}
        out = _run(self.demand, f"correcting row {i} to {value}")
        if self._saved_count() != before + 1:
            self.problems.append(f"correction to {value}: {before} saved before, {self._saved_count()} after")
        return out

    def _map_edit(self) -> Timing:
        from workbench.app import keys

        w = self.flow.session_state[keys.FLOW_EDITOR]
        likely = self._next("map", [4.0, 3.5])
        step = w.map.steps[0]
        self.flow.session_state[keys.flow_table("steps", w.version)] = {
            "edited_rows": {0: {"touch_likely": likely}}, "added_rows": [], "deleted_rows": []}
        out = _run(self.flow, f"touch likely of {step.id} -> {likely}")
        after = self.flow.session_state[keys.FLOW_EDITOR]
        shown = self.flow.session_state[keys.FLOW_EDITOR].map.steps[0].touch.likely
        if after.stored_version != (w.stored_version or 0) + 1 or shown != likely:
            self.problems.append(f"map edit: version {w.stored_version} -> {after.stored_version}, touch likely "
                                 f"{shown} (wanted {likely})")
        if not any(getattr(n, "type", "") == "graphviz_chart" for n in _walk(self.flow._tree)):
            self.problems.append("map edit: no diagram drawn")
        _metric(self.flow, "Touch minutes")  # the exact metrics are shown
        return out

    def _dashboard(self) -> Timing:
        at = self.AppTest.from_file(APP, default_timeout=600)
        at.query_params["view"] = "dashboard"
        at.query_params["study"] = str(self.study_id)
        out = _run(at, "opening the dashboard")
        if not any(m.label == "Demands" for m in at.metric) or not at.success:
            self.problems.append("dashboard: no demand tiles or no comparison headline")
        return out


def _walk(node: Any) -> list[Any]:
    out = [node]
    for child in getattr(node, "children", {}).values():
        out.extend(_walk(child))
    return out


def _profile(fn: Callable[[], Timing], name: str) -> None:
    from streamlit.testing.v1.local_script_runner import LocalScriptRunner

    prof = cProfile.Profile()
    plain = LocalScriptRunner._run_script_thread
    LocalScriptRunner._run_script_thread = lambda self: prof.runcall(plain, self)  # type: ignore[method-assign]
    try:
        fn()
    finally:
        LocalScriptRunner._run_script_thread = plain  # type: ignore[method-assign]
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    out = run.OUT / f"pages_{slug}.prof"
    prof.dump_stats(out)
    stats = pstats.Stats(prof).sort_stats("cumulative")
    stats.print_stats(50)
    stats.sort_stats("tottime").print_stats(25)
    print(f"profile written to {out.relative_to(run.ROOT)}")


# ------------------------------------------------------------------------------------------ the browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def browser_time(folder: Path, study_id: int, words: Any, repeat: int) -> dict[str, object]:
    """`workbench app` on a copy of the study; in Chromium, a word typed into the customers' words search, timed
    from the key press to the page showing the new number of matches."""
    from playwright.sync_api import expect, sync_playwright

    with tempfile.TemporaryDirectory(prefix="wb-pages-browser-") as tmp:
        data = copy_of(folder, Path(tmp))
        port = _free_port()
        log = (Path(tmp) / "server.log").open("wb")
        env = {**os.environ, "WORKBENCH_DATA_DIR": str(data)}
        env.pop("WORKBENCH_DATABASE_URL", None)
        server = subprocess.Popen([sys.executable, "-m", "workbench.cli", "app", "--headless", "--port", str(port)],
                                  cwd=run.ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            url = f"http://localhost:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.read().decode().strip() == "ok":
                            break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("the app server did not start") from None
                    time.sleep(0.3)
            times: list[float] = []
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=os.environ.get("WORKBENCH_CHROMIUM", "/usr/bin/chromium"),
                                            args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"{url}/?study={study_id}")
                idle = page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')
                expect(idle).to_be_visible(timeout=120_000)
                page.get_by_role("tab", name="Customers' words").click()
                box = page.get_by_label("Search the customers' words")
                expect(box).to_be_visible(timeout=120_000)
                for i in range(repeat + 1):  # the first (untimed) warms what the server caches
                    word = ["boiler", "mould"][i % 2]
                    expected = int(words.str.contains(word, case=False, regex=False, na=False).sum())
                    box.fill(word)
                    t0 = time.perf_counter()
                    box.press("Enter")
                    expect(page.get_by_text(f"{expected:,} matching demands")).to_be_visible(timeout=120_000)
                    took = time.perf_counter() - t0
                    expect(idle).to_be_visible(timeout=120_000)
                    if i:
                        times.append(took)
                browser.close()
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()
    return {"interaction": "filter words (in Chromium, key press to the new count shown)",
            "best": round(min(times), 4), "median": round(statistics.median(times), 4),
            "runs": [round(t, 4) for t in times]}


# ------------------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    run.size_arguments(parser, 100_000, "interaction")
    parser.add_argument("--only", nargs="*", help="time only the interactions whose name contains one of these")
    parser.add_argument("--profile", metavar="NAME", help="also profile one run of the interaction named so "
                        "(a part of its name will do), e.g. 'correction'")
    parser.add_argument("--browser", action="store_true", help="also time the word search in Chromium")
    args = parser.parse_args(argv)
    os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")
    logging.getLogger("streamlit").setLevel(logging.ERROR)

    folder, study_id, built = build_study(args.rows)
    print(f"study: {folder.relative_to(run.ROOT)} (study {study_id}, {args.rows:,} rows"
          + (f", built in {built:.1f} s" if built else ", cached") + ")", flush=True)

    import workbench as wb_package
    from workbench.demand.load import load_demand

    print(f"workbench: {Path(wb_package.__file__).parent}", flush=True)
    path, _ = run.dataset(args.rows)
    words = load_demand(path, catalogue=run.parse_catalogue(run.catalogue_yaml(), "catalogue")).frame[
        "customer_words"]
    load_before = run._load()
    with tempfile.TemporaryDirectory(prefix="wb-pages-") as tmp:
        os.environ["WORKBENCH_DATA_DIR"] = str(copy_of(folder, Path(tmp)))
        os.environ.pop("WORKBENCH_DATABASE_URL", None)
        _time_the_script_thread()
        _one_script_cache()
        t0 = time.perf_counter()
        bench = Bench(study_id, words)
        print(f"first opens (the file read and analysed, nothing cached): {time.perf_counter() - t0:.1f} s",
              flush=True)
        every = bench.interactions()
        chosen = {n: f for n, f in every.items()
                  if n == "baseline" or not args.only or any(o in n for o in args.only)}
        for fn in chosen.values():  # one untimed round: every view's first draw is not what the figure is about
            fn()
        times: dict[str, list[float]] = {n: [] for n in chosen}
        script: dict[str, list[float]] = {n: [] for n in chosen}
        cpu: dict[str, list[float]] = {n: [] for n in chosen}
        for i in range(args.repeat):  # interleaved
            for name, fn in chosen.items():
                total, thread, used = fn()
                times[name].append(total)
                script[name].append(thread)
                cpu[name].append(used)
            print(f"  run {i + 1}/{args.repeat} done", flush=True)
        if args.profile:
            name = next((n for n in every if args.profile in n), None)
            if name is None:
                raise SystemExit(f"no interaction named {args.profile!r}: {list(every)}")
            _profile(every[name], name)
    browser = browser_time(folder, study_id, words, args.repeat) if args.browser else None

    base = statistics.median(script["baseline"])
    print()
    print(f"{'':<32}{'server (script thread)':^26}{'its CPU time':^18}{'AppTest.run()':^18}")
    print(f"{'interaction':<32}{'best':>8}{'median':>9}{'ratio':>8}{'best':>9}{'median':>9}{'best':>9}{'median':>9}"
          "   under 300 ms")
    result: dict[str, object] = {}
    for name in chosen:
        xs, ys, cs = script[name], times[name], cpu[name]
        best, median = min(xs), statistics.median(xs)
        met = median < TARGET_SECONDS
        result[name] = {"best": round(best, 4), "median": round(median, 4), "ratio_median": round(median / base, 2),
                        "runs": [round(x, 4) for x in xs], "cpu_best": round(min(cs), 4),
                        "cpu_median": round(statistics.median(cs), 4), "apptest_best": round(min(ys), 4),
                        "apptest_median": round(statistics.median(ys), 4), "under_target": met}
        print(f"{name:<32}{best:>7.3f}s{median:>8.3f}s{median / base:>7.1f}x{min(cs):>8.3f}s"
              f"{statistics.median(cs):>8.3f}s{min(ys):>8.3f}s"
              f"{statistics.median(ys):>8.3f}s   {'yes' if met else 'NO'}")
    print("(ratio: median to the baseline's median; the target is judged on the median server time; the CPU time of "
          "the script thread is what the same run costs on an idle machine, near enough)")
    if browser:
        print(f"browser: {browser['interaction']}: best {browser['best']:.3f} s, median {browser['median']:.3f} s")
    info = run.machine()
    print(f"\nload average {load_before} before, {run._load()} after; {info['cpus_usable']} CPUs, "
          f"python {info['python']}, pandas {info['pandas']}")
    if bench.problems:
        print("SANITY CHECK FAILED: " + "; ".join(bench.problems))
    missed = [n for n, r in result.items() if not r["under_target"]]  # type: ignore[index]
    print("Target (every interaction under 300 ms, median server time): "
          + ("met" if not missed else "NOT met: " + ", ".join(missed)))
    (run.OUT / "pages.json").write_text(json.dumps({
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "rows": args.rows, "repeat": args.repeat,
        "figures": result, "browser": browser, "target_seconds": TARGET_SECONDS, "target_met": not missed,
        "load_average": {"before": load_before, "after": run._load()}, "machine": info, "git": run._git(),
        "sanity_problems": bench.problems}, indent=2) + "\n")
    print(f"figures written to {(run.OUT / 'pages.json').relative_to(run.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
