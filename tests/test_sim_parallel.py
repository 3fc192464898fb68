"""Replications in parallel (workbench/sim/parallel.py, workbench/sim/compare.py): the same comparison run
serially, on local worker processes and on a dask.distributed LocalCluster gives identical results; progress
moves per replication in the calling thread; a task's error comes back as itself; a worker that dies gives a
clear message."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from workbench.cli import main
from workbench.demand.catalogue import Catalogue, load_catalogue
from workbench.demand.load import load_demand
from workbench.flow.model import ProcessMap, load_map
from workbench.sim import parallel
from workbench.sim.compare import (
    Comparison,
    DesignRun,
    Prevention,
    ReplicationJob,
    compare,
    run_replication,
)
from workbench.sim.engine import ServiceTimeError, plan_arrivals, simulate

from independent import AS_IS_MAP, REDESIGN_MAP, SAMPLE_CATALOGUE, SAMPLE_CSV

ROOT = Path(__file__).resolve().parent.parent
FROM_DATA = ROOT / "process_maps" / "call_centre" / "call_centre_as_is.yaml"
REPLICATIONS = 3
CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="module")
def sample() -> tuple[pd.DataFrame, Catalogue]:
    catalogue = load_catalogue(SAMPLE_CATALOGUE)
    return load_demand(SAMPLE_CSV, catalogue=catalogue).frame, catalogue


@pytest.fixture(scope="module")
def maps() -> list[ProcessMap]:
    return [load_map(AS_IS_MAP), load_map(REDESIGN_MAP)]


def run(maps: list[ProcessMap], sample: tuple[pd.DataFrame, Catalogue], plan: parallel.Plan,
        monkeypatch: pytest.MonkeyPatch, progress: Any = None) -> Comparison:
    """The test comparison (two weeks of the sample, three replications, a prevention so that a design runs
    twice on the same arrivals) executed as `plan` says, whatever the work."""
    frame, catalogue = sample
    monkeypatch.setattr(parallel, "choose", lambda *args, **kwargs: plan)
    return compare(maps, frame, catalogue=catalogue, weeks=2, replications=REPLICATIONS, seed=11,
                   prevented={maps[1].source: [Prevention(0.5, cause="progress chasing")]}, progress=progress)


def assert_identical(a: Comparison, b: Comparison) -> None:
    assert [d.name for d in a.designs] == [d.name for d in b.designs]
    assert (a.weeks, a.demands, a.replications) == (b.weeks, b.demands, b.replications)
    for da, db in zip(a.designs, b.designs, strict=True):
        assert json.dumps(da.replications) == json.dumps(db.replications)  # exactly equal, nan included
        assert da.left_out == db.left_out
        assert len(da.runs) == len(db.runs) == REPLICATIONS
    pd.testing.assert_frame_equal(a.per_demand(), b.per_demand())
    pd.testing.assert_frame_equal(a.table(), b.table())


@pytest.fixture(scope="module")
def serial(maps: list[ProcessMap], sample: tuple[pd.DataFrame, Catalogue]) -> Comparison:
    with pytest.MonkeyPatch.context() as mp:
        return run(maps, sample, parallel.Plan("serial"), mp)


def test_serial_is_what_the_replications_give_one_by_one(serial: Comparison, maps: list[ProcessMap],
                                                         sample: tuple[pd.DataFrame, Catalogue]) -> None:
    """The refactored loop still runs each replication's designs on one plan built from (seed, replication)."""
    frame, catalogue = sample
    plan = plan_arrivals(frame, catalogue, weeks=2, seed=11, replication=2)
    again = simulate(maps[0], plan.arrivals, catalogue=catalogue, seed=11, replication=2,
                     measured=(plan.measured_start, plan.measured_end), start_date=plan.start_date)
    pd.testing.assert_frame_equal(serial.designs[0].runs[2].demands, again.demands)
    assert serial.designs[1].left_out[2] > 0 and serial.designs[2].left_out == []
    assert serial.designs[2].name == f"{maps[1].name} (nothing prevented)"


def test_local_processes_give_the_serial_results(serial: Comparison, maps: list[ProcessMap],
                                                 sample: tuple[pd.DataFrame, Catalogue],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # every replication in worker processes (this process only waits)
    workers_only = run(maps, sample, parallel.Plan("processes", workers=3, here=False), monkeypatch)
    assert_identical(serial, workers_only)
    # this process and a worker share them (the default way)
    shared = run(maps, sample, parallel.Plan("processes", workers=2), monkeypatch)
    assert_identical(serial, shared)


def test_progress_moves_per_replication_in_the_calling_thread(maps: list[ProcessMap],
                                                              sample: tuple[pd.DataFrame, Catalogue],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[float, str, int]] = []

    def progress(fraction: float, message: str) -> None:
        calls.append((fraction, message, threading.get_ident()))

    run(maps, sample, parallel.Plan("processes", workers=2, here=False), monkeypatch, progress)
    assert {t for _, _, t in calls} == {threading.get_ident()}
    fractions = [f for f, _, _ in calls]
    assert fractions == sorted(fractions)
    assert fractions[0] == 0.0 and calls[-1][:2] == (1.0, "Done")
    done = [m for _, m, _ in calls if m.startswith("Replication ")]
    assert sorted(done) == [f"Replication {r} of 3 done (on 2 processes)" for r in (1, 2, 3)]
    assert fractions[1:4] == pytest.approx([1 / 3, 2 / 3, 1.0])  # a replication of three designs at a time
    # serially, progress moves per design
    calls.clear()
    run(maps, sample, parallel.Plan("serial"), monkeypatch, progress)
    assert [f for f, _, _ in calls][1:-1] == pytest.approx([k / 9 for k in range(1, 10)])
    assert calls[1][1] == f"Replication 1 of 3: {maps[0].name} done"


def test_choose_runs_small_work_here_and_big_work_on_every_core(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(parallel.DASK_SCHEDULER_ENV, raising=False)
    monkeypatch.setattr(parallel, "cores", lambda: 4)
    big = parallel.MIN_PARALLEL_WORK * 10
    assert parallel.choose(10, big) == parallel.Plan("processes", workers=4)
    assert parallel.choose(3, big) == parallel.Plan("processes", workers=3)  # never more processes than tasks
    assert parallel.choose(10, big, workers=2) == parallel.Plan("processes", workers=2)
    assert parallel.choose(10, big, workers=1).kind == "serial"
    assert parallel.choose(1, big).kind == "serial"
    assert parallel.choose(10, parallel.MIN_PARALLEL_WORK - 1).kind == "serial"
    with pytest.raises(ValueError, match="at least 1"):
        parallel.choose(10, big, workers=0)
    monkeypatch.setenv(parallel.DASK_SCHEDULER_ENV, " tcp://10.0.0.5:8786 ")
    assert parallel.choose(10, 1) == parallel.Plan("dask", scheduler="tcp://10.0.0.5:8786")
    assert parallel.choose(10, big, workers=1).kind == "serial"  # --workers 1 always stays here


# ---------------------------------------------------------------------------------- errors in workers


def _failing_job(catalogue: Catalogue) -> ReplicationJob:
    """A job whose design takes touch times from the data while the job carries none: simulate raises."""
    m = load_map(FROM_DATA)
    return ReplicationJob((DesignRun(m, catalogue, None),), catalogue, 1, 1.0, 1, 1, False, {}, {}, 20, False)


@pytest.mark.parametrize("here", [False, True])
def test_a_task_error_comes_back_as_itself(sample: tuple[pd.DataFrame, Catalogue], here: bool) -> None:
    frame, catalogue = sample
    job = _failing_job(catalogue)
    with pytest.raises(ServiceTimeError) as serial:
        parallel.run(run_replication, job, frame, [0, 1], parallel.Plan("serial"))
    with pytest.raises(ServiceTimeError) as there:
        parallel.run(run_replication, job, frame, [0, 1], parallel.Plan("processes", workers=2, here=here))
    assert type(there.value) is ServiceTimeError
    assert str(there.value) == str(serial.value) and "from the data" in str(serial.value)
    # a plain ValueError (an empty demand sample) too
    with pytest.raises(ValueError) as serial_empty:
        parallel.run(run_replication, job, frame.iloc[:0], [0, 1], parallel.Plan("serial"))
    with pytest.raises(ValueError) as there_empty:
        parallel.run(run_replication, job, frame.iloc[:0], [0, 1], parallel.Plan("processes", workers=2, here=here))
    assert type(there_empty.value) is ValueError
    assert str(there_empty.value) == str(serial_empty.value) == "the demand sample is empty"


def square_or_die(job: Any, data: Any, item: int, step: Any) -> int:
    """A task for the runner's own tests: dies (as a killed or out-of-memory process would) on item 2."""
    if item == 2 and os.getpid() != job:
        os._exit(3)
    return item * item + data


def test_a_worker_that_dies_gives_a_clear_message_and_the_next_run_starts_afresh() -> None:
    plan = parallel.Plan("processes", workers=2, here=False)
    with pytest.raises(parallel.WorkerError) as lost:
        parallel.run(square_or_die, os.getpid(), 1, [0, 1, 2, 3], plan)
    message = str(lost.value)
    assert message.startswith("A worker process stopped while running replication 3")
    assert "--workers 1" in message and "Traceback" not in message
    assert parallel.run(square_or_die, os.getpid(), 1, [0, 1, 3], plan) == {0: 1, 1: 2, 3: 10}


def test_results_come_back_by_item_not_by_finishing_order() -> None:
    plan = parallel.Plan("processes", workers=2)
    order: list[int] = []
    got = parallel.run(square_or_die, os.getpid(), 0, [5, 0, 4, 1, 3], plan, on_done=lambda i, _: order.append(i))
    assert got == {5: 25, 0: 0, 4: 16, 1: 1, 3: 9}
    assert sorted(order) == [0, 1, 3, 4, 5]


# ------------------------------------------------------------------------------------------- the CLI


def test_cli_workers_give_the_same_json(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["compare", "--format", "json", "--demand", str(SAMPLE_CSV), str(AS_IS_MAP), str(REDESIGN_MAP),
            "--replications", "2", "--weeks", "1", "--seed", "5"]
    assert main([*args, "--workers", "1"]) == 0
    one = json.loads(capsys.readouterr().out)
    assert main([*args, "--workers", "2"]) == 0
    two = json.loads(capsys.readouterr().out)
    assert one == two and one["replications"] == 2
    assert main([*args, "--workers", "0"]) == 2
    assert "--workers must be at least 1" in capsys.readouterr().err


def test_cli_says_plainly_when_the_scheduler_cannot_be_reached(capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    if not CI:
        pytest.importorskip("distributed", reason="dask.distributed is not installed (pip install '.[cluster]')")
    monkeypatch.setenv(parallel.DASK_SCHEDULER_ENV, "tcp://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT", "2s")
    code = main(["compare", "--format", "json", "--demand", str(SAMPLE_CSV), str(AS_IS_MAP), "--replications", "2",
                 "--weeks", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("workbench: The dask scheduler at tcp://127.0.0.1:9 (WORKBENCH_DASK_SCHEDULER) cannot "
                          "be reached")
    assert "Traceback" not in err


# --------------------------------------------------------------------------------------- the cluster


@pytest.fixture(scope="module")
def cluster() -> Any:
    """A dask.distributed LocalCluster of two worker processes, started here (never skipped under CI)."""
    if not CI:
        pytest.importorskip("distributed", reason="dask.distributed is not installed (pip install '.[cluster]')")
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        yield local
    parallel.close_clients()


def test_a_dask_cluster_gives_the_serial_results(serial: Comparison, maps: list[ProcessMap],
                                                 sample: tuple[pd.DataFrame, Catalogue], cluster: Any,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parallel.DASK_SCHEDULER_ENV, cluster.scheduler_address)
    frame, catalogue = sample
    calls: list[tuple[float, str, int]] = []
    on_cluster = compare(maps, frame, catalogue=catalogue, weeks=2, replications=REPLICATIONS, seed=11,
                         prevented={maps[1].source: [Prevention(0.5, cause="progress chasing")]},
                         progress=lambda f, m: calls.append((f, m, threading.get_ident())))
    assert_identical(serial, on_cluster)
    assert calls[0][1].endswith(f"on the dask cluster at {cluster.scheduler_address}")
    assert len([m for _, m, _ in calls if m.startswith("Replication ")]) == REPLICATIONS
    assert {t for _, _, t in calls} == {threading.get_ident()}
    # the runs really happened on the cluster's workers
    workers = {w["id"] for w in cluster.scheduler_info["workers"].values()}
    assert len(workers) == 2


def test_a_task_error_on_the_cluster_comes_back_as_itself(sample: tuple[pd.DataFrame, Catalogue],
                                                          cluster: Any) -> None:
    frame, catalogue = sample
    job = _failing_job(catalogue)
    with pytest.raises(ServiceTimeError) as serial:
        parallel.run(run_replication, job, frame, [0, 1], parallel.Plan("serial"))
    plan = parallel.Plan("dask", scheduler=cluster.scheduler_address)
    with pytest.raises(ServiceTimeError) as there:
        parallel.run(run_replication, job, frame, [0, 1], plan)
    assert str(there.value) == str(serial.value)
