"""Classifying demand in the app on a big study: how long the server takes to answer a person.

    .venv/bin/python benchmarks/classify.py [--rows N] [--repeat K]

1. Takes the demand CSV of `benchmarks/run.py` (generated once and cached; 100,000 rows by default, about a tenth
   of them not classified) and opens the Demand page with streamlit.testing.v1.AppTest on a study database of
   its own, the way the page tests do; the file is uploaded as a person would.
2. Times, K times each and interleaved (a busy spell on a shared machine hits all alike), the wall time of
   `AppTest.run()` (the server's time from the click to the end of the script's run):
   * **baseline**: a rerun with nothing changed (what drawing the whole page costs);
   * **workshop answer, whole page**: "Failure" pressed in the one-at-a-time panel. AppTest reruns the whole
     script; in the browser only the panel (a fragment) reruns, so this is an upper bound;
   * **workshop answer, its own work**: what the button's callback does, timed directly against the same
     database (the versions seen, one correction saved): with drawing the panel, what a click costs in the
     browser;
   * **apply to all matching**: a search, then everything it shows set to failure (or back to value) in one step;
   * **suggestions, first time**: the toggle switched on (training and quality on the team's decisions), once;
   * **suggestions, cached**: a rerun with suggestions on and nothing changed.
3. Prints best-of and median seconds (AppTest's whole run, and its script thread: the server's part), ratios of
   the script-thread medians to the baseline's and the targets (an answer under 1 s; a rerun with suggestions
   cached under 1 s of server time), and writes benchmarks/out/classify.json.

A benchmark reports; it does not gate: the exit code is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (benchmarks/run.py: the generator, the machine description)
from app_mapping import APP, DEMAND_UPLOAD, _check, _metric, _time_the_script_thread, _timed_run  # noqa: E402

TARGET_SECONDS = 1.0
SEARCH = "boiler"


def _button(at, label: str):  # noqa: ANN001, ANN202 - AppTest's element types
    return next(b for b in at.button if b.label == label)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    run.size_arguments(parser, 100_000)
    args = parser.parse_args(argv)
    path, _ = run.dataset(args.rows)
    data = path.read_bytes()
    print(f"data: {path.relative_to(run.ROOT)} ({args.rows:,} rows, {len(data) / 1e6:.1f} MB)", flush=True)

    from streamlit.testing.v1 import AppTest

    from workbench.app import keys
    from workbench.store import db, studies
    from workbench.store.sample import SAMPLE_STUDY
    from workbench.store.studies import Change

    load_before = run._load()
    times: dict[str, list[float]] = {"baseline": [], "answer (whole page)": [], "answer (its own work)": [],
                                     "apply to all matching": [], "suggestions (cached)": []}
    script: dict[str, list[float]] = {name: [] for name in times}  # the script thread: the server's part
    with tempfile.TemporaryDirectory(prefix="wb-bench-") as tmp:
        os.environ["WORKBENCH_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ.pop("WORKBENCH_DATABASE_URL", None)
        _time_the_script_thread()
        at = AppTest.from_file(APP, default_timeout=900)
        at.session_state[keys.AUTHOR] = "Benchmark"
        _timed_run(at)
        at.file_uploader(key=DEMAND_UPLOAD).set_value((path.name, data, "text/csv"))
        t_upload = _timed_run(at)
        _check(at, "uploading the file")
        _timed_run(at)
        open_before = _metric(at, "Not yet classified")
        print(f"uploaded and read in {t_upload:.2f} s: {_metric(at, 'Demands')} demands, {open_before} not "
              "classified yet", flush=True)
        engine = db.engine_for()
        with db.sessions(engine)() as s:
            found = studies.find_study(s, SAMPLE_STUDY)
            assert found is not None
            study_id = found.id
            source = studies.current_demand_source(s, study_id, with_data=False)
            assert source is not None
        for i in range(args.repeat):
            times["baseline"].append(_timed_run(at, script["baseline"]))
            _button(at, "Failure").click()
            times["answer (whole page)"].append(_timed_run(at, script["answer (whole page)"]))
            _check(at, "a workshop answer")
            with db.sessions(engine)() as s:  # the callback's own work, on the next unclassified row
                row = 2 + 7 * i  # a row of the file (the header is row 1): the work of any answer
                t0 = time.perf_counter()
                seen = studies.correction_versions(s, study_id, source.id)
                studies.add_corrections(s, study_id, [Change(row, "nature", "failure", seen.get((row, "nature"), 0))],
                                        "Benchmark", source_id=source.id, note="workshop")
                times["answer (its own work)"].append(time.perf_counter() - t0)
                script["answer (its own work)"].append(times["answer (its own work)"][-1])
            at.text_input(key="words_search").set_value(SEARCH if i % 2 == 0 else SEARCH + "s")
            _timed_run(at)
            if not any(e.label.startswith("Classify all") for e in at.expander):
                raise SystemExit(f"the search '{SEARCH}' shows nothing to classify: "
                                 f"{[e.label for e in at.expander]}")
            at.selectbox(key="bulk_nature").set_value("failure" if i % 2 == 0 else "value")  # a change each time
            label = next(b.label for b in at.button if b.label.startswith("Apply to all"))
            _button(at, label).click()
            times["apply to all matching"].append(_timed_run(at, script["apply to all matching"]))
            _check(at, "apply to all matching")
            print(f"  run {i + 1}/{args.repeat} done ({label})", flush=True)
        at.toggle(key=keys.SUGGESTIONS_ON).set_value(True)
        t_train = _timed_run(at)
        _check(at, "suggestions, first time")
        for _ in range(args.repeat):
            times["suggestions (cached)"].append(_timed_run(at, script["suggestions (cached)"]))
        open_after = _metric(at, "Not yet classified")
        engine.dispose()

    base = statistics.median(script["baseline"])
    print(f"\n{'':<28}{'AppTest.run()':^17}   {'script thread (server)':^26}")
    print(f"{'':<28}{'best':>8}{'median':>9}   {'best':>8}{'median':>9}{'ratio':>8}   ({args.rows:,} rows)")
    result: dict[str, object] = {}
    for name, xs in times.items():
        ys = script[name]
        best, median = min(xs), statistics.median(xs)
        result[name] = {"best": round(best, 4), "median": round(median, 4), "runs": [round(x, 4) for x in xs],
                        "script_best": round(min(ys), 4), "script_median": round(statistics.median(ys), 4),
                        "ratio_median": round(statistics.median(ys) / base, 3)}
        print(f"{name:<28}{best:>7.3f}s{median:>8.3f}s   {min(ys):>7.3f}s{statistics.median(ys):>8.3f}s"
              f"{statistics.median(ys) / base:>7.2f}x")
    print("(ratio: script-thread medians, to the baseline's)")
    print(f"{'suggestions (first time)':<28}{t_train:>7.3f}s  (training and quality on the team's decisions)")
    print(f"not classified: {open_before} before, {open_after} after")
    answer = statistics.median(times["answer (its own work)"])
    cached = statistics.median(script["suggestions (cached)"])
    info = run.machine()
    print(f"\nload average {load_before} before, {run._load()} after; {info['cpus_usable']} CPUs, "
          f"python {info['python']}, pandas {info['pandas']}")
    print(f"Target (a workshop answer's own work under {TARGET_SECONDS:.0f} s, median): "
          + ("met" if answer < TARGET_SECONDS else "NOT met") + f" ({answer:.3f} s)")
    print(f"Target (a rerun with suggestions cached under {TARGET_SECONDS:.0f} s of server time, median): "
          + ("met" if cached < TARGET_SECONDS else "NOT met") + f" ({cached:.3f} s)")
    (run.OUT / "classify.json").write_text(json.dumps({
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "rows": args.rows, "repeat": args.repeat,
        "upload_seconds": round(t_upload, 3), "suggestions_first_seconds": round(t_train, 3), "figures": result,
        "not_classified": {"before": open_before, "after": open_after}, "machine": info,
        "load_average": {"before": load_before, "after": run._load()}}, indent=2) + "\n")
    print(f"figures written to {(run.OUT / 'classify.json').relative_to(run.ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
