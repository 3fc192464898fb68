"""Replications in parallel: the same comparisons run serially, on local processes and on a dask LocalCluster.

    .venv/bin/python benchmarks/parallel.py [--repeat 3] [--big-replications 10] [--skip-big] [--skip-cluster]

1. **The sample comparison** (the two bundled designs on the sample's own 12 weeks, 3 replications, runs kept
   as the Compare page keeps them): `workbench.sim.compare.compare(..., workers=1)` (serial, in this process)
   against the default (`workers=None`: every core, this process working too) with the process pool
   **cold** (a fresh interpreter, whose first comparison starts the forkserver and the workers: timed in a
   subprocess from the call to `compare` to its return, imports before it not counted) and **warm** (the
   pool already started by an earlier comparison in this process), and against a dask.distributed
   `LocalCluster(n_workers=cores, threads_per_worker=1, processes=True)` started before the timing
   (`WORKBENCH_DASK_SCHEDULER` pointed at it). Each mode `--repeat` times, interleaved; best and median.
2. **10x volume** (`volume=10` on the sample's 12 weeks: about 27,700 arrivals a replication, with every
   role's staff multiplied by 10 as in benchmarks/sim.py, so the service is ten times the size rather than
   ten times overloaded), 2 designs, `--big-replications` replications (10), runs not kept (as `workbench
   compare` without --per-demand): serial, local processes (warm), the LocalCluster; once each.
3. **Break-even**: tiny comparisons (one week, 4 replications, volume 0.25 to 2) serial against the warm
   pool, to place `parallel.MIN_PARALLEL_WORK` (below it a comparison stays in this process).
4. **Payload**: the size and pickling time of what each worker receives once per run (the job and the demand).

Every mode's results are checked to be identical to the serial run (per-replication metrics, and per-demand
frames where runs are kept). Figures go to the screen and benchmarks/out/parallel_latest.json; the exit code
is 0 whatever the times.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # runnable from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from workbench.demand.catalogue import load_catalogue  # noqa: E402
from workbench.demand.load import load_demand  # noqa: E402
from workbench.flow.model import load_map  # noqa: E402
from workbench.sim import parallel  # noqa: E402
from workbench.sim.compare import Comparison, compare  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
DEMAND = ROOT / "sample_data/housing_repairs_demand.csv"
CATALOGUE = ROOT / "sample_data/housing_repairs_catalogue.yaml"
MAPS = [ROOT / "process_maps/housing_repairs_standard_work.yaml", ROOT / "process_maps/housing_repairs_worker_led.yaml"]


def load() -> tuple[Any, Any, list[Any]]:
    catalogue = load_catalogue(CATALOGUE)
    return load_demand(DEMAND, catalogue=catalogue).frame, catalogue, [load_map(p) for p in MAPS]


def sample_comparison(workers: int | None) -> tuple[float, Comparison]:
    frame, catalogue, maps = load()
    start = time.perf_counter()
    result = compare(maps, frame, catalogue=catalogue, replications=3, seed=1, workers=workers)
    return time.perf_counter() - start, result


def big_comparison(replications: int, workers: int | None) -> tuple[float, Comparison]:
    frame, catalogue, maps = load()
    staffing = {m.source: {r.id: r.staff * 10 for r in m.roles} for m in maps}
    start = time.perf_counter()
    result = compare(maps, frame, catalogue=catalogue, volume=10, replications=replications, seed=1,
                     staffing=staffing, keep_runs=False, workers=workers)
    return time.perf_counter() - start, result


def same(a: Comparison, b: Comparison) -> bool:
    if [json.dumps(d.replications) for d in a.designs] != [json.dumps(d.replications) for d in b.designs]:
        return False
    if a.designs[0].runs or b.designs[0].runs:
        try:
            pd.testing.assert_frame_equal(a.per_demand(), b.per_demand())
        except AssertionError:
            return False
    return True


def cold() -> float:
    """The sample comparison's time in a fresh interpreter (its first comparison starts the pool)."""
    out = subprocess.run([sys.executable, __file__, "--cold-child"], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def summary(times: list[float]) -> dict[str, float]:
    return {"best": min(times), "median": statistics.median(times)}


def row(name: str, times: list[float], base: float) -> str:
    s = summary(times)
    return f"  {name:<34} best {s['best']:7.2f} s   median {s['median']:7.2f} s   {base / s['best']:5.2f}x serial"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--big-replications", type=int, default=10)
    ap.add_argument("--skip-big", action="store_true")
    ap.add_argument("--only-big", action="store_true", help="only the 10x-volume comparison")
    ap.add_argument("--skip-cluster", action="store_true")
    ap.add_argument("--cold-child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.cold_child:
        os.environ.pop(parallel.DASK_SCHEDULER_ENV, None)
        load()  # imports and the first file read are not part of the comparison's time
        seconds, _ = sample_comparison(None)
        print(seconds)
        return
    os.environ.pop(parallel.DASK_SCHEDULER_ENV, None)
    n = parallel.cores()
    info: dict[str, Any] = {"when": datetime.now(UTC).isoformat(timespec="minutes"), "cores": n,
                            "load_average": os.getloadavg(), "python": platform.python_version(),
                            "min_parallel_work": parallel.MIN_PARALLEL_WORK}
    print(f"{info['when']}  {n} cores  load average {os.getloadavg()[0]:.1f}  python {info['python']}")

    frame, catalogue, maps = load()
    payload_start = time.perf_counter()
    blob = pickle.dumps((maps, frame), protocol=pickle.HIGHEST_PROTOCOL)
    dumped = time.perf_counter() - payload_start
    pickle.loads(blob)
    info["payload"] = {"bytes": len(blob), "dump_s": dumped, "load_s": time.perf_counter() - payload_start - dumped}
    print(f"payload a worker receives once per run (maps + demand): {len(blob) / 1e6:.2f} MB, pickled in "
          f"{dumped * 1000:.1f} ms")

    cluster = None
    if not args.skip_cluster:
        from distributed import LocalCluster

        t = time.perf_counter()
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=50)
        info["cluster_start_s"] = time.perf_counter() - t
        print(f"LocalCluster of {n} worker processes started in {info['cluster_start_s']:.1f} s")

    def on_cluster(run: Any) -> tuple[float, Comparison]:
        assert cluster is not None
        os.environ[parallel.DASK_SCHEDULER_ENV] = cluster.scheduler_address
        try:
            return run()
        finally:
            os.environ.pop(parallel.DASK_SCHEDULER_ENV, None)

    if not args.only_big:
        sample_part(args, info, on_cluster, cluster is not None, frame, catalogue, maps, n)
    # 2. 10x volume
    if not args.skip_big:
        big_part(args, info, on_cluster, cluster is not None)
    if cluster is not None:
        parallel.close_clients()
        cluster.close()
    OUT.mkdir(exist_ok=True)
    name = "parallel_big_latest.json" if args.only_big else "parallel_latest.json"
    (OUT / name).write_text(json.dumps(info, indent=2, default=str))


def sample_part(args: argparse.Namespace, info: dict[str, Any], on_cluster: Any, with_cluster: bool, frame: Any,
                catalogue: Any, maps: list[Any], n: int) -> None:
    # 1. the sample comparison
    print("\nThe sample comparison (2 designs, 3 replications, the sample's 12 weeks, runs kept):")
    times: dict[str, list[float]] = {"serial": [], "processes, cold pool": [], "processes, warm pool": [],
                                     "dask LocalCluster": []}
    identical = True
    serial_result = None
    for _ in range(args.repeat):
        seconds, serial_result = sample_comparison(1)
        times["serial"].append(seconds)
        times["processes, cold pool"].append(cold())
        if parallel._POOL is None:
            sample_comparison(None)  # start the pool once (not timed)
        seconds, got = sample_comparison(None)
        times["processes, warm pool"].append(seconds)
        identical &= same(serial_result, got)
        if with_cluster:
            seconds, got = on_cluster(lambda: sample_comparison(None))
            times["dask LocalCluster"].append(seconds)
            identical &= same(serial_result, got)
    base = min(times["serial"])
    for name, ts in times.items():
        if ts:
            print(row(name, ts, base))
    print(f"  results identical to serial: {'yes' if identical else 'NO'}")
    info["sample"] = {k: summary(v) for k, v in times.items() if v} | {"identical": identical}

    # 3. break-even
    print("\nBreak-even (one week, 4 replications, 2 designs; serial vs the warm pool):")
    info["break_even"] = []
    for volume in (0.25, 0.5, 1.0, 2.0):
        est = parallel.estimated_work(211 / 7 * volume * 14, 2, 4)
        ts: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(args.repeat):
            t = time.perf_counter()
            compare(maps, frame, catalogue=catalogue, weeks=1, volume=volume, replications=4, seed=1, workers=1)
            ts[1].append(time.perf_counter() - t)
            t = time.perf_counter()
            _forced(maps, frame, catalogue, volume, n)
            ts[2].append(time.perf_counter() - t)
        s1, sn = min(ts[1]), min(ts[2])
        print(f"  volume {volume:<5} ~{est:>7,.0f} arrival-runs   serial {s1:6.3f} s   processes {sn:6.3f} s   "
              f"{s1 / sn:5.2f}x")
        info["break_even"].append({"volume": volume, "work": est, "serial_s": s1, "processes_s": sn})


def big_part(args: argparse.Namespace, info: dict[str, Any], on_cluster: Any, with_cluster: bool) -> None:
    r = args.big_replications
    print(f"\n10x volume (2 designs, {r} replications, staff x10, runs not kept):")
    big: dict[str, float] = {}
    big["serial"], serial_big = big_comparison(r, 1)
    print(f"  serial                             {big['serial']:7.1f} s", flush=True)
    big["processes"], got = big_comparison(r, None)
    ok = same(serial_big, got)
    print(f"  processes                          {big['processes']:7.1f} s   "
          f"{big['serial'] / big['processes']:5.2f}x serial", flush=True)
    if with_cluster:
        big["dask LocalCluster"], got = on_cluster(lambda: big_comparison(r, None))
        ok &= same(serial_big, got)
        print(f"  dask LocalCluster                  {big['dask LocalCluster']:7.1f} s   "
              f"{big['serial'] / big['dask LocalCluster']:5.2f}x serial")
    print(f"  results identical to serial: {'yes' if ok else 'NO'}; target (10 replications): under 30 s")
    info["big"] = big | {"identical": ok, "replications": r}


def _forced(maps: list[Any], frame: Any, catalogue: Any, volume: float, n: int) -> None:
    """The same tiny comparison on the warm pool whatever its size (the threshold set aside)."""
    keep = parallel.MIN_PARALLEL_WORK
    parallel.MIN_PARALLEL_WORK = 0
    try:
        compare(maps, frame, catalogue=catalogue, weeks=1, volume=volume, replications=4, seed=1, workers=n)
    finally:
        parallel.MIN_PARALLEL_WORK = keep


if __name__ == "__main__":
    main()
