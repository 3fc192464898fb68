"""A mapping change on the Demand page of the app, on a big study: how long the server takes to answer.

    .venv/bin/python benchmarks/app_mapping.py [--rows N] [--repeat K] [--profile]

1. Takes the demand CSV of `benchmarks/run.py` (generated once and cached; 100,000 rows by default) and opens the
   app with streamlit.testing.v1.AppTest on a study database of its own (a temporary WORKBENCH_DATA_DIR), the way
   the page tests do. The file is uploaded on the Demand page with the sample catalogue, as a person would.
2. Times, K times each and interleaved (so that a busy spell on a shared machine hits all alike), the wall time of
   `AppTest.run()`, i.e. the server's time from the widget change to the end of the script's run (a mapping change
   is stored in the study and the script reruns once more; both runs are in the figure):
   * **baseline**: a rerun with nothing changed (every cached value is a hit: what drawing the page costs);
   * **change**: the Touchpoint column mapped to "(not in the file)";
   * **change back**: the Touchpoint column mapped to `touchpoint` again.
   Before each change the mapping-dependent caches of the app (the cleaned demand, its aggregates and downloads;
   not the file as read) are cleared, so every change costs what a mapping never chosen before costs.
3. Prints best-of and median seconds, the ratio of a change to the baseline and whether a change answers within
   the target (1 s, best-of), checks that each change did what it says (the number of touchpoints shown), and
   writes the figures to benchmarks/out/app_mapping.json. `--profile` also writes a cProfile of one change to
   benchmarks/out/app_mapping.prof and prints its top functions.

A benchmark reports; it does not gate: the exit code is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (benchmarks/run.py: the generator, the machine description)

TARGET_SECONDS = 1.0
APP = str(run.ROOT / "workbench" / "app" / "main.py")
DEMAND_UPLOAD = "demand_upload"  # the Demand page's file uploader
USE_SAMPLE_CATALOGUE = "Use the housing repairs sample catalogue"  # a checkbox per file, found by its label
TOUCHPOINT_LABEL = "Touchpoint"
NOT_IN_FILE = "(not in the file)"


def _selectbox(at, label: str):  # noqa: ANN001, ANN202 - AppTest's element types
    return next(s for s in at.selectbox if s.label == label)


def _metric(at, label: str) -> str:  # noqa: ANN001
    return next(m.value for m in at.metric if m.label == label)


def _check(at, what: str) -> None:  # noqa: ANN001
    if at.exception:
        raise SystemExit(f"{what}: the app raised {[e.value for e in at.exception]}")
    if at.error:
        raise SystemExit(f"{what}: the app showed an error: {[e.value for e in at.error]}")


SCRIPT_SECONDS: list[float] = []  # wall time of each AppTest.run()'s script thread: the server's part of it


def _time_the_script_thread() -> None:
    """AppTest runs the script in a thread of its own, then turns the messages into elements (test overhead):
    time the thread too, which is what a server spends."""
    from streamlit.testing.v1.local_script_runner import LocalScriptRunner

    plain = LocalScriptRunner._run_script_thread

    def timed(self) -> None:  # noqa: ANN001
        t0 = time.perf_counter()
        try:
            plain(self)
        finally:
            SCRIPT_SECONDS.append(time.perf_counter() - t0)

    LocalScriptRunner._run_script_thread = timed  # type: ignore[method-assign]


def _timed_run(at, script: list[float] | None = None) -> float:  # noqa: ANN001
    gc.collect()
    SCRIPT_SECONDS.clear()
    t0 = time.perf_counter()
    at.run()
    t = time.perf_counter() - t0
    if script is not None:
        script.append(sum(SCRIPT_SECONDS))
    return t


def _touchpoints_shown(at) -> list[str]:  # noqa: ANN001
    """The Touchpoint filter's options in the customers' words tab: the touchpoints the page found."""
    box = next(m for m in at.multiselect if m.label == "Touchpoint")
    return list(box.options)


def _forget_mappings() -> None:
    """Clear the app's caches that depend on the mapping (not the file as read): the next change is new."""
    import logging

    from workbench.app import state

    logging.getLogger("streamlit").setLevel(logging.ERROR)  # "No runtime found": clearing from outside a run

    for fn in (state._load, state._view, state.download_csv, state.download_xlsx):
        fn.clear()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    run.size_arguments(parser, 100_000)
    parser.add_argument("--profile", action="store_true", help="also profile one change (cProfile)")
    args = parser.parse_args(argv)

    path, gen_seconds = run.dataset(args.rows)
    data = path.read_bytes()
    print(f"data: {path.relative_to(run.ROOT)} ({args.rows:,} rows, {len(data) / 1e6:.1f} MB"
          + (f", generated in {gen_seconds:.1f} s" if gen_seconds else ", cached") + ")", flush=True)

    from streamlit.testing.v1 import AppTest

    import workbench as wb_package

    print(f"workbench: {Path(wb_package.__file__).parent}", flush=True)
    load_before = run._load()
    with tempfile.TemporaryDirectory(prefix="wb-bench-") as tmp:
        os.environ["WORKBENCH_DATA_DIR"] = str(Path(tmp) / "data")  # a study database of its own
        os.environ.pop("WORKBENCH_DATABASE_URL", None)
        _time_the_script_thread()
        at = AppTest.from_file(APP, default_timeout=600)
        t_open = _timed_run(at)
        _check(at, "opening the app")
        at.file_uploader(key=DEMAND_UPLOAD).set_value((path.name, data, "text/csv"))
        t_upload = _timed_run(at)
        _check(at, "uploading the file")
        box = next(c for c in at.checkbox if c.label == USE_SAMPLE_CATALOGUE)
        if not box.value:  # a file of one's own is read without the sample's catalogue until it is ticked
            box.check()
            t_upload += _timed_run(at)
            _check(at, "reading the file with the sample catalogue")
        demands = _metric(at, "Demands")
        original = _selectbox(at, TOUCHPOINT_LABEL).value
        touchpoints = _touchpoints_shown(at)
        print(f"opened in {t_open:.2f} s; upload + first load of {path.name} in {t_upload:.2f} s: "
              f"{demands} demands, Touchpoint column {original!r}, {len(touchpoints)} touchpoints", flush=True)
        _timed_run(at)  # untimed: one settled rerun after the upload's

        times: dict[str, list[float]] = {"baseline": [], "change": [], "change back": []}
        script: dict[str, list[float]] = {name: [] for name in times}
        problems: list[str] = []
        for i in range(args.repeat):  # interleaved
            times["baseline"].append(_timed_run(at, script["baseline"]))
            _check(at, "a rerun")
            for name, value in (("change", NOT_IN_FILE), ("change back", original)):
                _forget_mappings()
                _selectbox(at, TOUCHPOINT_LABEL).set_value(value)
                times[name].append(_timed_run(at, script[name]))
                _check(at, name)
                shown = _touchpoints_shown(at)
                expected = ["unknown"] if value == NOT_IN_FILE else touchpoints
                if _selectbox(at, TOUCHPOINT_LABEL).value != value or shown != expected:
                    problems.append(f"{name} {i + 1}: Touchpoint is {_selectbox(at, TOUCHPOINT_LABEL).value!r}, "
                                    f"touchpoints shown {shown}")
            print(f"  run {i + 1}/{args.repeat} done", flush=True)

        if args.profile:
            _forget_mappings()
            _selectbox(at, TOUCHPOINT_LABEL).set_value(NOT_IN_FILE)
            prof = cProfile.Profile()  # the script runs in AppTest's script thread: profile that thread
            from streamlit.testing.v1.local_script_runner import LocalScriptRunner

            plain = LocalScriptRunner._run_script_thread
            LocalScriptRunner._run_script_thread = lambda self: prof.runcall(plain, self)  # type: ignore[method-assign]
            try:
                at.run()
            finally:
                LocalScriptRunner._run_script_thread = plain  # type: ignore[method-assign]
            out = run.OUT / "app_mapping.prof"
            prof.dump_stats(out)
            stats = pstats.Stats(prof).sort_stats("cumulative")
            stats.print_stats(45)
            stats.sort_stats("tottime").print_stats(25)
            print(f"profile written to {out.relative_to(run.ROOT)}")

    base = min(times["baseline"])
    base_median = statistics.median(times["baseline"])
    print()
    print(f"{'':<27}{'AppTest.run()':^25}   {'script thread':^17}")
    print(f"{'':<27}{'best':>8}{'median':>9}{'ratio':>8}   {'best':>8}{'median':>9}   ({args.rows:,} rows)")
    result: dict[str, object] = {}
    for name, xs in times.items():
        best, median = min(xs), statistics.median(xs)
        ys = script[name]
        result[name] = {"best": round(best, 4), "median": round(median, 4), "ratio_best": round(best / base, 3),
                        "ratio_median": round(median / base_median, 3), "runs": [round(x, 4) for x in xs],
                        "script_best": round(min(ys), 4), "script_median": round(statistics.median(ys), 4),
                        "script_runs": [round(y, 4) for y in ys]}
        label = {"baseline": "baseline: nothing changed", "change": "change: Touchpoint -> none",
                 "change back": "change back: -> touchpoint"}[name]
        print(f"{label:<27}{best:>7.3f}s{median:>8.3f}s{best / base:>7.2f}x   {min(ys):>7.3f}s"
              f"{statistics.median(ys):>8.3f}s")
    print("(ratio: to the baseline; script thread: the server's part of AppTest.run(), without AppTest turning the "
          "messages into elements)")
    worst_change = max(min(times["change"]), min(times["change back"]))
    met = worst_change < TARGET_SECONDS
    info = run.machine()
    print(f"\nload average {load_before} before, {run._load()} after; {info['cpus_usable']} CPUs, "
          f"python {info['python']}, pandas {info['pandas']}, pyarrow {info['pyarrow']}")
    if problems:
        print("SANITY CHECK FAILED: " + "; ".join(problems))
    print(f"Target (a mapping change answers in under {TARGET_SECONDS:.0f} s, best-of): "
          + ("met" if met else "NOT met") + f" ({worst_change:.3f} s)")
    (run.OUT / "app_mapping.json").write_text(json.dumps({
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "rows": args.rows, "repeat": args.repeat,
        "file_mb": round(len(data) / 1e6, 1), "open_seconds": round(t_open, 3),
        "upload_seconds": round(t_upload, 3), "demands": demands, "figures": result,
        "target_seconds": TARGET_SECONDS, "target_met": met,
        "load_average": {"before": load_before, "after": run._load()}, "machine": info, "git": run._git(),
        "sanity_problems": problems}, indent=2) + "\n")
    print(f"figures written to {(run.OUT / 'app_mapping.json').relative_to(run.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
