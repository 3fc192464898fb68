"""Where replications run: in this process, on this machine's cores, or on a dask.distributed cluster.

A task is one replication (`item`) of a job: `fn(job, data, item, step)` is a picklable top-level function of
plain inputs (the job, the demand frame, the replication number), and its result depends on those only
(random numbers are counter-based by seed and replication), so it is the same wherever it runs. Results are
handed back by item, never by completion order.

- **serial**: every task in this process, one after another (`workers=1`, a single task, or work too small to
  gain from other processes: `MIN_PARALLEL_WORK`).
- **processes** (the default): this process and `workers - 1` worker processes of ONE pool kept for the whole
  process (created on first use, reused by every later run, shut down at exit). Workers are started by a
  `forkserver` that has imported Workbench once (never `fork` from a threaded server such as Streamlit's), and
  this process works on the tasks too while they start, so a cold pool never makes a run slower than serial:
  a task goes to a worker only once that worker has answered. The job and the demand go to each worker once
  per run (a temporary file each worker reads on its first task of that run), not with every task.
- **dask**: with `WORKBENCH_DASK_SCHEDULER=tcp://host:8786` every task goes to that dask.distributed cluster;
  the job and the demand are scattered to every worker once (`client.scatter(..., broadcast=True)`). Workers
  need the same Workbench version installed (checked when connecting).

`step` is a callable the task calls between its parts (one per design) when it runs in this process, so
progress can be reported per design there; in a worker it is None.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import math
import multiprocessing
import os
import pickle
import queue
import sys
import tempfile
import threading
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Literal

DASK_SCHEDULER_ENV = "WORKBENCH_DASK_SCHEDULER"

# Below this much work (arrivals x designs x replications, the arrivals estimated before planning) a run stays
# in this process: measured break-even on the 2-core machine (docs/scaling.md).
MIN_PARALLEL_WORK = 1_000
CONNECT_TIMEOUT = "20s"  # how long to wait for the dask scheduler to answer

Step = Callable[[], None]
Task = Callable[[Any, Any, int, Step | None], Any]


class WorkerError(RuntimeError):
    """A worker process or the cluster failed in a way that is not the task's own error (a worker died, the
    scheduler cannot be reached, workers run another Workbench version): the message says what and what to do."""


def cores() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Plan:
    """How a run is executed: `kind`, the processes working (this one included) and, for dask, the scheduler."""

    kind: Literal["serial", "processes", "dask"]
    workers: int = 1
    scheduler: str = ""
    here: bool = True  # processes: this process works on the tasks too (False: workers - 1 processes do all)

    def words(self) -> str:
        if self.kind == "dask":
            return f"on the dask cluster at {self.scheduler}"
        if self.kind == "processes":
            return f"on {self.workers} processes"
        return "in this process"


def scheduler_address() -> str:
    """The dask scheduler replications go to (`WORKBENCH_DASK_SCHEDULER`), "" when they stay on this machine."""
    return os.environ.get(DASK_SCHEDULER_ENV, "").strip()


def choose(tasks: int, work: float, workers: int | None = None, scheduler: str | None = None) -> Plan:
    """The plan for `tasks` tasks of `work` in all (arrivals x designs x replications). `workers` is the number
    of processes that may work on this machine, this one included (None: every core; 1: serial, and never the
    cluster); `scheduler` a dask scheduler address (None: `WORKBENCH_DASK_SCHEDULER`)."""
    if workers is not None and workers < 1:
        raise ValueError("the number of workers must be at least 1")
    if workers == 1 or tasks <= 0:
        return Plan("serial")
    address = scheduler_address() if scheduler is None else scheduler.strip()
    if address:
        return Plan("dask", scheduler=address)
    n = min(cores() if workers is None else workers, tasks)
    if n <= 1 or work < MIN_PARALLEL_WORK:
        return Plan("serial")
    return Plan("processes", workers=n)


def run(fn: Task, job: Any, data: Any, items: Sequence[int], plan: Plan,
        on_done: Callable[[int, Any], None] | None = None, on_step: Callable[[int], None] | None = None
        ) -> dict[int, Any]:
    """Run `fn(job, data, item, step)` for every item as `plan` says; {item: result}. `on_done(item, result)`
    and `on_step(item)` (a part of a task run here finished) are called in this thread, as tasks finish. A task's
    own exception is raised here as it is (a ServiceTimeError stays one, with its message); a worker that dies
    or a cluster that cannot be used raises WorkerError."""
    if plan.kind == "dask":
        return _run_dask(fn, job, data, list(items), plan.scheduler, on_done)
    if plan.kind == "processes" and len(items) > 1 and plan.workers > 1:
        return _run_processes(fn, job, data, list(items), plan.workers, plan.here, on_done, on_step)
    results: dict[int, Any] = {}
    for item in items:
        results[item] = fn(job, data, item, _stepper(on_step, item))
        if on_done:
            on_done(item, results[item])
    return results


def _stepper(on_step: Callable[[int], None] | None, item: int) -> Step | None:
    return (lambda: on_step(item)) if on_step else None


# ------------------------------------------------------------------------------------- local processes

_POOL: ProcessPoolExecutor | None = None
_POOL_SIZE = 0
_POOL_LOCK = threading.Lock()
_PRELOAD = ["workbench.sim.compare"]  # imported once by the forkserver, so a new worker starts in milliseconds


def _context() -> multiprocessing.context.BaseContext:
    if sys.platform.startswith("linux") and "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


def _shared_pool(size: int) -> ProcessPoolExecutor:
    """The process's one pool, with at least `size` workers (replaced by a larger one when asked for more)."""
    global _POOL, _POOL_SIZE
    with _POOL_LOCK:
        if _POOL is None or size > _POOL_SIZE:
            if _POOL is not None:
                _POOL.shutdown(wait=False)
            _POOL, _POOL_SIZE = ProcessPoolExecutor(max_workers=size, mp_context=_context()), size
        return _POOL


def _discard_pool(pool: ProcessPoolExecutor) -> None:
    """Forget a pool that broke (a worker died), so the next run starts a new one."""
    global _POOL, _POOL_SIZE
    with _POOL_LOCK:
        if _POOL is pool:
            _POOL, _POOL_SIZE = None, 0
    pool.shutdown(wait=False, cancel_futures=True)


@atexit.register
def shutdown() -> None:
    """Stop the pool's workers (at exit, or when a test wants a cold start)."""
    global _POOL, _POOL_SIZE
    with _POOL_LOCK:
        pool, _POOL, _POOL_SIZE = _POOL, None, 0
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


_LOADED: dict[str, tuple[Any, Any]] = {}  # in a worker: the payload of the run it last worked on


def _ready() -> int:
    """A worker's answer that it is up (its first task of a run is sent only after this)."""
    return os.getpid()


def _pool_task(fn: Task, token: str, path: str, item: int) -> Any:
    if token not in _LOADED:
        with open(path, "rb") as f:
            payload = pickle.load(f)
        _LOADED.clear()
        _LOADED[token] = payload
    job, data = _LOADED[token]
    return fn(job, data, item, None)


_HANDED_BACK, _NO_POOL = -1, -2


def _died(item: int) -> WorkerError:
    return WorkerError(f"A worker process stopped while running replication {item + 1} (it may have run out of "
                       "memory or been killed), so the comparison did not finish. Run it again, with fewer "
                       "replications or with one process (--workers 1 runs everything in this process).")


def _run_processes(fn: Task, job: Any, data: Any, items: list[int], workers: int, here: bool,
                   on_done: Callable[[int, Any], None] | None, on_step: Callable[[int], None] | None
                   ) -> dict[int, Any]:
    pending = deque(items)
    lock = threading.Lock()
    events: queue.Queue[tuple[int, Future[Any] | None]] = queue.Queue()
    stopped = threading.Event()
    used: list[ProcessPoolExecutor] = []
    token = uuid.uuid4().hex
    fd, path = tempfile.mkstemp(prefix="workbench-run-", suffix=".pickle")
    with os.fdopen(fd, "wb") as f:
        pickle.dump((job, data), f, protocol=pickle.HIGHEST_PROTOCOL)

    def claim() -> int | None:
        with lock:
            return pending.popleft() if pending and not stopped.is_set() else None

    def submit_next(pool: ProcessPoolExecutor) -> None:
        item = claim()
        if item is None:
            return
        try:
            future = pool.submit(_pool_task, fn, token, path, item)
        except (RuntimeError, BrokenProcessPool):  # the pool was shut down or broke: this process does it
            with lock:
                pending.appendleft(item)
            events.put((_HANDED_BACK, None))
            return
        def finished(f: Future[Any], item: int = item) -> None:
            events.put((item, f))
            submit_next(pool)

        future.add_done_callback(finished)

    def warmed(pool: ProcessPoolExecutor, future: Future[Any]) -> None:
        if future.cancelled() or future.exception() is not None:
            events.put((_NO_POOL, None))  # the worker could not start: this process works on the tasks
        else:
            submit_next(pool)

    def dispatch() -> None:  # starting workers can take a second or two: not in the thread doing the work
        try:
            pool = _shared_pool(workers - 1)
            used.append(pool)
            for _ in range(workers - 1):
                pool.submit(_ready).add_done_callback(lambda f: warmed(pool, f))
        except Exception:  # noqa: BLE001 - no pool at all: this process does every task
            events.put((_NO_POOL, None))

    results: dict[int, Any] = {}

    def handle(item: int, future: Future[Any] | None) -> None:
        nonlocal here
        if future is None:  # a task handed back to this process, or no worker could start
            here = True
            return
        exc = future.exception()
        if isinstance(exc, BrokenProcessPool):
            stopped.set()
            for pool in used:
                _discard_pool(pool)
            raise _died(item) from None
        if exc is not None:
            stopped.set()
            raise exc
        results[item] = future.result()
        if on_done:
            on_done(item, results[item])

    def drain() -> None:
        while True:
            try:
                handle(*events.get_nowait())
            except queue.Empty:
                return

    def step_here(item: int) -> None:
        drain()
        if on_step:
            on_step(item)

    threading.Thread(target=dispatch, name="workbench-dispatch", daemon=True).start()
    try:
        while len(results) < len(items):
            drain()
            item = claim() if here else None
            if item is not None:
                results[item] = fn(job, data, item, functools.partial(step_here, item))
                if on_done:
                    on_done(item, results[item])
                continue
            if len(results) < len(items):
                handle(*events.get())
        return results
    finally:
        stopped.set()
        with contextlib.suppress(OSError):
            os.unlink(path)


# ---------------------------------------------------------------------------------------------- dask

_CLIENTS: dict[str, Any] = {}
_CLIENTS_LOCK = threading.Lock()


def _workbench_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("workbench")
    except PackageNotFoundError:
        import workbench

        return workbench.__version__


def _dask_client(address: str) -> Any:
    """One client per scheduler address for the whole process (closed at exit), checked on first use: the
    scheduler answers, workers are connected, and they run the same Workbench version as this process."""
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(address)
        if client is not None and client.status == "running":
            return client
        try:
            from distributed import Client
        except ImportError:
            raise WorkerError(f"{DASK_SCHEDULER_ENV} is set ({address}) but dask.distributed is not installed "
                              "here: install Workbench with its cluster extra (pip install 'workbench[cluster]'), "
                              f"or unset {DASK_SCHEDULER_ENV} to run on this machine.") from None
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except Exception as exc:  # noqa: BLE001 - OSError, TimeoutError, ValueError for a bad address
            raise WorkerError(f"The dask scheduler at {address} ({DASK_SCHEDULER_ENV}) cannot be reached: {exc}. "
                              f"Start it with `dask scheduler`, or unset {DASK_SCHEDULER_ENV} to run on this "
                              "machine.") from None
        try:
            client.wait_for_workers(1, timeout=30)
            versions = client.run(_workbench_version)
        except Exception as exc:  # noqa: BLE001 - no worker in time, or workers without Workbench
            client.close()
            raise WorkerError(f"The dask cluster at {address} has no worker that can run Workbench ({exc}): start "
                              f"workers with `dask worker {address}` where the same Workbench version "
                              f"({_workbench_version()}) is installed.") from None
        mine = _workbench_version()
        other = {w: v for w, v in versions.items() if v != mine}
        if other:
            client.close()
            raise WorkerError(f"The dask workers at {address} run another Workbench version ("
                              + ", ".join(f"{w}: {v}" for w, v in sorted(other.items()))
                              + f"); install {mine}, the version here, on every worker.")
        _CLIENTS[address] = client
        return client


@atexit.register
def close_clients() -> None:
    with _CLIENTS_LOCK:
        clients = list(_CLIENTS.values())
        _CLIENTS.clear()
    for client in clients:
        with contextlib.suppress(Exception):
            client.close()


def _run_dask(fn: Task, job: Any, data: Any, items: list[int], address: str,
              on_done: Callable[[int, Any], None] | None) -> dict[int, Any]:
    from distributed import as_completed
    from distributed.client import FutureCancelledError
    from distributed.scheduler import KilledWorker

    client = _dask_client(address)
    try:
        job_f, data_f = client.scatter([job, data], broadcast=True)
    except Exception as exc:  # noqa: BLE001 - the cluster went away between runs
        with _CLIENTS_LOCK:
            _CLIENTS.pop(address, None)
        raise WorkerError(f"The dask cluster at {address} did not take the comparison's data: {exc}") from None
    futures = {client.submit(fn, job_f, data_f, item, None, pure=False): item for item in items}
    results: dict[int, Any] = {}
    try:
        for future in as_completed(list(futures), loop=client.loop):
            item = futures[future]
            try:
                results[item] = future.result()
            except KilledWorker:
                raise _died(item) from None
            except FutureCancelledError:  # e.g. the worker holding its data went away
                raise _died(item) from None
            if on_done:
                on_done(item, results[item])
        return results
    finally:
        client.cancel([f for f in futures if not f.done()])
        del job_f, data_f


def estimated_work(arrivals: float, designs: int, replications: int) -> float:
    """The work of a run in arrival-runs, the unit of `MIN_PARALLEL_WORK`."""
    return max(0.0, arrivals) * designs * replications if math.isfinite(arrivals) else math.inf
