"""Where the report runner's jobs run: local worker processes, or a Dask distributed cluster.

:func:`run_in_pool` and :func:`run_on_dask` hand each job to ``run(job, settings)`` (the runner's job
function, which never raises) and pass every outcome to ``record`` as it arrives; a worker that itself dies
gives ``failed(job, exc)``. Used by :func:`samorg.report.runner.run_reports`.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import sys
from pathlib import Path
from typing import Any, Callable

from samorg.errors import ReportError

__all__ = ["longest_first", "run_in_pool", "run_on_dask"]


def longest_first(todo: list, out_dir: Path) -> list:
    """The jobs in the order to start them: longest expected first (the last build's time when every job has
    one, else each job's ``cost``), so the run does not end with one long report and idle workers."""
    from samorg.report.cache import previous_seconds

    seen = {j.name: previous_seconds(out_dir / j.name) for j in todo}
    measured = all(v is not None for v in seen.values())
    return sorted(todo, key=lambda j: -(seen[j.name] if measured else j.cost))  # stable: ties keep their order


def run_on_dask(jobs: list, run: Callable, settings: Any, scheduler: str, record: Callable, *,
                failed: Callable, timeout: float) -> None:
    """Submit every job to a Dask distributed scheduler and record each outcome as it arrives."""
    from samorg.distributed import dask_client

    with dask_client(scheduler, error=ReportError, timeout=timeout) as client:
        from distributed import as_completed

        futures = {client.submit(run, job, settings, pure=False, key=f"samorg-report-{job.name}"): job
                   for job in jobs}
        for fut in as_completed(list(futures)):
            job = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:  # the worker itself failed (lost, killed, import error)
                res = failed(job, exc)
            record(res)


#: The module the workers' fork server imports before forking them (:mod:`samorg.report._worker_preload`).
WORKER_PRELOAD = "samorg.report._worker_preload"


def _worker_context() -> Any:
    """How worker processes start: on Linux, forked from a fork server that has imported :data:`WORKER_PRELOAD`;
    elsewhere spawned (macOS has a fork server too, but forking a process that has loaded system frameworks is
    unsafe there, see :func:`samorg.report.warm.supported`). Both give a fresh, single-threaded process with no
    inherited sockets or zmq state; the fork server saves each worker ~1.5 s of imports (issue 17)."""
    if not sys.platform.startswith("linux") or "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([WORKER_PRELOAD])  # used when this process starts its fork server (once)
    return ctx


def _worker_start(env: dict[str, str] | None = None) -> None:
    """In a worker: take the command's environment as it is now (a fork server's workers would otherwise
    have the environment of when the server started), leave Ctrl-C to the parent, which stops the workers (no
    traceback from each), and skip jsonschema's unused IRI grammars (:mod:`samorg.report._imports`) before the
    first job imports nbformat."""
    import os
    import signal

    from samorg.report._imports import skip_iri_format_checker

    if env is not None:
        os.environ.clear()
        os.environ.update(env)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    skip_iri_format_checker()


def _stop_pool(pool: cf.ProcessPoolExecutor) -> None:
    """Cancel the jobs not started and end the workers at once. A fresh kernel notices that its worker
    is gone and exits (ipykernel's parent poller); a warm kernel goes with its server."""
    workers = list((getattr(pool, "_processes", None) or {}).values())  # shutdown() forgets them
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in workers:
        proc.terminate()
    for proc in workers:
        proc.join(timeout=5)


def run_in_pool(jobs: list, run: Callable, settings: Any, n_workers: int, record: Callable, *,
                failed: Callable) -> None:
    """Run the jobs in ``n_workers`` local worker processes and record each outcome as it arrives."""
    import os

    pool = cf.ProcessPoolExecutor(max_workers=n_workers, mp_context=_worker_context(), initializer=_worker_start,
                                  initargs=(dict(os.environ),))
    try:
        futures = {pool.submit(run, job, settings): job for job in jobs}
        for fut in cf.as_completed(futures):
            job = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:  # the worker process itself died
                res = failed(job, exc)
            record(res)
    except KeyboardInterrupt:
        # Ctrl-C: stop now. Reports already finished keep their files; a report cut off leaves only
        # temporary files, which its next run replaces (outputs get their names only when complete).
        _stop_pool(pool)
        raise
    finally:
        pool.shutdown()
