"""How long a manager waits for a study's dashboard, against re-running the comparison it shows.

The dashboard draws the latest comparison from the snapshot the Compare page stored; it never simulates.
This times, in one run on a fresh database:

* **baseline**: the comparison itself (`compare` with the Compare page's default settings: the two sample
  designs, 3 replications), which is what opening the dashboard would cost if it recomputed;
* **dashboard, first open**: the dashboard page rendered (AppTest) in a new session, after a server start
  (nothing cached: the demand file is read and analysed, the snapshot read);
* **dashboard, later opens**: the same in a new session, with what the server caches (the file's analysis).

    .venv/bin/python benchmarks/dashboard.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "workbench" / "app" / "main.py")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ["WORKBENCH_DATA_DIR"] = tempfile.mkdtemp(prefix="workbench-bench-")
    os.environ.pop("WORKBENCH_DATABASE_URL", None)
    os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")  # no "missing ScriptRunContext" noise

    from streamlit.testing.v1 import AppTest

    from workbench import paths
    from workbench.demand.catalogue import load_catalogue
    from workbench.demand.load import load_demand
    from workbench.flow.model import load_map
    from workbench.sim.compare import compare
    from workbench.sim.snapshot import snapshot
    from workbench.store import db, sample, studies

    engine = db.engine_for()
    db.migrate(engine)
    catalogue = load_catalogue(paths.SAMPLE_CATALOGUE)
    frame = load_demand(paths.SAMPLE_DEMAND, catalogue=catalogue).frame
    maps = [load_map(paths.PROCESS_MAPS_DIR / f)
            for f in ("housing_repairs_standard_work.yaml", "housing_repairs_worker_led.yaml")]

    start = time.perf_counter()
    result = compare(maps, frame, catalogue=catalogue, replications=3, seed=1)
    simulate = time.perf_counter() - start
    with db.sessions(engine)() as s:
        made = sample.ensure_sample_study(s)
        assert made is not None
        studies.save_comparison_run(s, made.id, {"replications": 3}, snapshot(result, frame["received_at"].min()))

    def open_dashboard() -> float:
        at = AppTest.from_file(APP, default_timeout=120)
        at.query_params["view"] = "dashboard"
        at.query_params["study"] = str(made.id)
        began = time.perf_counter()
        at.run()
        took = time.perf_counter() - began
        assert not at.exception, [e.value for e in at.exception]
        assert any(result.headline() == s.value for s in at.success), "the dashboard did not show the comparison"
        return took

    first = open_dashboard()
    later = [open_dashboard() for _ in range(args.repeat)]
    median = statistics.median(later)
    print(f"comparison (baseline, 2 designs x 3 replications): {simulate:6.2f} s")
    print(f"dashboard, first open after start:                 {first:6.2f} s  ({simulate / first:4.1f}x faster)")
    print(f"dashboard, later opens (median of {args.repeat}):             {median:6.2f} s  "
          f"({simulate / median:4.1f}x faster)")


if __name__ == "__main__":
    main()
