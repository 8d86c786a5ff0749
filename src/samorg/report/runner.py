"""Run report notebooks with Papermill, in parallel, and render each to HTML and PDF.

One job is one notebook with its parameters. Every job's parameters are
checked before anything runs. Jobs run in separate worker processes; a job that
fails is recorded (with the notebook's own error message and the partly
executed notebook) and the others go on. Each job writes only inside
``out_dir/<name>/``, always under a temporary name first, so a failed run never
destroys a previous good report.

Before any output gets its final name it is scanned for personal identifiers
(:func:`samorg.privacy.scan_outputs`): a hit fails that report, says which file
and where (the identifier masked), and deletes the outputs that carried it.

How one notebook is executed (warm or fresh kernel) is :mod:`samorg.report.kernels`; the run's log and
the check that the reports folder can be written are :mod:`samorg.report.runlog`.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import datetime as dt
import logging
import multiprocessing
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Literal

from samorg.errors import ParameterError, ReportError
from samorg.report.params import validate_parameters
from samorg.report.runlog import RUN_LOG, check_writable, log_outcome, write_run_log

__all__ = ["ReportJob", "ReportOutcome", "run_reports"]

log = logging.getLogger("samorg.report")

FORMATS = ("html", "pdf")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July",
              "August", "September", "October", "November", "December")


@dataclass
class ReportJob:
    """One report to produce: a notebook, its parameters, and the words on its cover.

    ``name`` names the output folder and files (``out_dir/<name>/<name>.html``);
    it must be unique within a run and a plain file name (e.g. ``"drammen"``).
    ``path_parameters`` names the parameters that hold a file path (default: ``study``): the kernel
    runs in the report's folder and gets them relative to it, so the executed notebook saved there
    runs again as it is.
    """

    name: str
    notebook: Path
    parameters: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    subtitle: str = ""
    banner: str | None = None
    path_parameters: tuple[str, ...] = ("study",)


@dataclass
class ReportOutcome:
    """What became of one :class:`ReportJob`.

    ``status`` is ``"ok"`` or ``"failed"``. For a failed job, ``error`` is the
    one-line message a researcher needs (e.g. ``"ValueError: no visits for
    this month"``), ``error_detail`` the full message with the cell it came from, and
    ``ipynb`` the partly executed notebook (``<name>.failed.ipynb``) when the
    kernel got that far. ``timings`` holds seconds per step (execute, html, pdf). ``kernel`` is
    ``"warm"`` or ``"fresh"`` (which kind of kernel ran the report, :mod:`samorg.report.kernels`) and
    ``kernel_reason`` why a fresh one was used.
    """

    name: str
    status: Literal["ok", "failed"]
    ipynb: Path | None = None
    html: Path | None = None
    pdf: Path | None = None
    error: str = ""
    seconds: float = 0.0
    title: str = ""
    error_detail: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    kernel: str = ""
    kernel_reason: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True)
class _Settings:
    out_dir: Path
    formats: tuple[str, ...]
    show_code: bool
    kernel_name: str
    timeout: int | None
    date_text: str
    lang: str
    scan_names: tuple[str, ...] = ()
    warm_kernels: bool = True
    warm_socket: str | None = None  # a warm kernel server started by run_reports for its workers


def _date_text(lang: str, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    if lang == "en":
        return f"{today.day} {_MONTHS_EN[today.month - 1]} {today.year}"
    return today.strftime("%d.%m.%Y")


def _check_jobs(jobs: list[ReportJob], formats: Iterable[str]) -> None:
    """Raise one error listing every problem in every job, before anything runs."""
    bad_formats = [f for f in formats if f not in FORMATS]
    if bad_formats:
        raise ReportError(f"Unknown output format(s) {bad_formats}. Expected any of {list(FORMATS)}.")
    problems: list[str] = []
    seen: set[str] = set()
    param_errors = False
    for job in jobs:
        name = job.name
        if not name or name in (".", "..") or Path(name).name != name or name.startswith("."):
            problems.append(f'job name {name!r} is not a plain folder name. Expected e.g. "drammen".')
        elif name in seen:
            problems.append(f'job name "{name}" is used twice. Expected one job per name.')
        seen.add(name)
        try:
            validate_parameters(job.notebook, job.parameters)
        except ParameterError as exc:
            param_errors = True
            problems.append(f'job "{name}": {exc}')
    if problems:
        cls = ParameterError if param_errors else ReportError
        head = f"{len(problems)} report job(s) cannot run; nothing was run:"
        raise cls("\n".join([head] + [f"- {p}" for p in problems]))


def _privacy_block(staged: dict[str, Path], settings: _Settings) -> tuple[str, str] | None:
    """Scan outputs not yet at their final names (final name → path); on a hit delete them all and
    return the one-line error and the full list of findings. A file that cannot be scanned counts
    as a hit (fail closed)."""
    from samorg.privacy import scan_outputs

    findings: list[str] = []
    unreadable = ""
    for name, path in staged.items():
        try:
            findings += [f.describe(name) for f in scan_outputs([path], names=settings.scan_names)]
        except Exception as exc:  # noqa: BLE001 - what cannot be scanned is not published
            unreadable = f"{name} could not be scanned for personal data ({type(exc).__name__}: {exc})"
    if not findings and not unreadable:
        return None
    for path in staged.values():
        path.unlink(missing_ok=True)
    if findings:
        more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
        line = f"PrivacyError: personal data found, the report was not published: {findings[0]}{more}"
    else:
        line = f"PrivacyError: {unreadable}; the report was not published"
    detail = "\n".join([f"{len(findings)} identifier(s) found; the report's outputs were deleted:"]
                        + [f"- {f}" for f in findings] + ([f"- {unreadable}"] if unreadable else []))
    return line, detail


def _relative_parameters(job: ReportJob, folder: Path) -> dict[str, Any]:
    """The job's parameters with its path parameters relative to the executed notebook's folder, where
    the kernel runs, so the saved notebook runs again as it is (a path on another drive stays absolute)."""
    params = dict(job.parameters)
    for name in job.path_parameters:
        value = params.get(name)
        if isinstance(value, (str, os.PathLike)) and str(value):
            try:
                params[name] = Path(os.path.relpath(Path(value).resolve(), folder)).as_posix()
            except ValueError:  # e.g. C:\ and D:\ on Windows
                params[name] = str(Path(value).resolve())
    return params


def _render(job: ReportJob, executed: Path, folder: Path, settings: _Settings, timings: dict) -> dict[str, Path]:
    """Render ``executed`` to every format under temporary names; returns format → staged file."""
    from samorg.report.render import render_html, render_pdf

    title = job.title or job.name
    staged: dict[str, Path] = {}
    try:
        if "html" in settings.formats:
            t = time.perf_counter()
            staged["html"] = render_html(executed, folder / f".{job.name}.staged.html", show_code=settings.show_code,
                                         banner=job.banner, title=title, lang=settings.lang,
                                         subtitle=job.subtitle, date_text=settings.date_text)
            timings["html"] = round(time.perf_counter() - t, 3)
        if "pdf" in settings.formats:
            t = time.perf_counter()
            staged["pdf"] = render_pdf(executed, folder / f".{job.name}.staged.pdf", title=title,
                                       subtitle=job.subtitle, date_text=settings.date_text, banner=job.banner,
                                       show_code=settings.show_code, lang=settings.lang)
            timings["pdf"] = round(time.perf_counter() - t, 3)
    except BaseException:
        for path in staged.values():
            path.unlink(missing_ok=True)
        raise
    return staged


def _run_job(job: ReportJob, settings: _Settings) -> ReportOutcome:
    """Run and render one job. Never raises: failures go into the outcome.

    Outputs get their final names only when every one of them is complete and clean, so a failure
    (in the notebook, in rendering, or a privacy hit) leaves the last good ``.ipynb``, HTML and PDF as
    they were; a format not rendered this time (``--no-pdf``) is removed, as it is out of date.
    """
    from samorg.report.kernels import describe, execute

    start = time.perf_counter()
    timings: dict[str, float] = {}
    kernel = {"kernel": "", "kernel_reason": ""}
    folder = settings.out_dir / job.name
    final = folder / f"{job.name}.ipynb"
    running = folder / f".{job.name}.running.ipynb"
    failed = folder / f"{job.name}.failed.ipynb"

    def outcome(status: str, **kw: Any) -> ReportOutcome:
        return ReportOutcome(name=job.name, status=status, title=job.title or job.name, timings=timings,
                             seconds=round(time.perf_counter() - start, 3), **kernel, **kw)

    def keep_partial() -> Path | None:
        if running.exists():
            os.replace(running, failed)
            return failed
        return None

    try:
        folder.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        kernel.update(execute(job.notebook, running, _relative_parameters(job, folder), settings, cwd=folder))
        timings["execute"] = round(time.perf_counter() - t, 3)
    except BaseException as exc:  # noqa: BLE001 - a worker must always report back
        if isinstance(exc, KeyboardInterrupt):
            raise
        kernel.update(getattr(exc, "samorg_kernel", {}))
        line, detail = describe(exc)
        return outcome("failed", ipynb=keep_partial(), error=line, error_detail=detail)
    blocked = _privacy_block({final.name: running}, settings)
    if blocked:
        return outcome("failed", error=blocked[0], error_detail=blocked[1])
    try:
        staged = _render(job, running, folder, settings, timings)
    except Exception as exc:  # noqa: BLE001 - one report's rendering failure is that report's outcome
        line, detail = describe(exc)
        return outcome("failed", ipynb=keep_partial(), error=line, error_detail=detail)
    blocked = _privacy_block({f"{job.name}.{fmt}": p for fmt, p in staged.items()}, settings)
    if blocked:
        running.unlink(missing_ok=True)  # its text is clean, but it belongs to a report that is not published
        return outcome("failed", error=blocked[0], error_detail=blocked[1])
    os.replace(running, final)
    paths: dict[str, Path] = {}
    for fmt in FORMATS:
        target = folder / f"{job.name}.{fmt}"
        if fmt in staged:
            os.replace(staged[fmt], target)
            paths[fmt] = target
        else:
            target.unlink(missing_ok=True)  # from an earlier run: it no longer matches this report
    failed.unlink(missing_ok=True)  # a stale failure of this same report
    return outcome("ok", ipynb=final, **paths)


#: Seconds to wait for the Dask scheduler to answer before giving up.
DASK_CONNECT_TIMEOUT = 20


def _run_on_dask(jobs: list[ReportJob], settings: _Settings, scheduler: str, record) -> None:
    """Submit every job to a Dask distributed scheduler and record each outcome as it arrives."""
    from samorg.distributed import dask_client
    from samorg.report.kernels import describe

    with dask_client(scheduler, error=ReportError, timeout=DASK_CONNECT_TIMEOUT) as client:
        from distributed import as_completed

        futures = {client.submit(_run_job, job, settings, pure=False, key=f"samorg-report-{job.name}"): job
                   for job in jobs}
        for fut in as_completed(list(futures)):
            job = futures[fut]
            try:
                record(fut.result())
            except Exception as exc:  # the worker itself failed (lost, killed, import error)
                line, detail = describe(exc)
                record(ReportOutcome(job.name, "failed", error=line, error_detail=detail,
                                     title=job.title or job.name))


def _ignore_interrupt() -> None:
    """In a worker: leave Ctrl-C to the parent, which stops the workers (no traceback from each)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop_pool(pool: cf.ProcessPoolExecutor) -> None:
    """Cancel the jobs not started and end the workers at once. A fresh kernel notices that its worker
    is gone and exits (ipykernel's parent poller); a warm kernel goes with its server."""
    workers = list((getattr(pool, "_processes", None) or {}).values())  # shutdown() forgets them
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in workers:
        proc.terminate()
    for proc in workers:
        proc.join(timeout=5)


def _run_in_pool(jobs: list[ReportJob], settings: _Settings, n_workers: int, record) -> None:
    """Run the jobs in ``n_workers`` local worker processes and record each outcome as it arrives."""
    from samorg.report.kernels import describe

    ctx = multiprocessing.get_context("spawn")  # no inherited threads, sockets or zmq state
    pool = cf.ProcessPoolExecutor(max_workers=n_workers, mp_context=ctx, initializer=_ignore_interrupt)
    try:
        futures = {pool.submit(_run_job, job, settings): job for job in jobs}
        for fut in cf.as_completed(futures):
            job = futures[fut]
            try:
                record(fut.result())
            except Exception as exc:  # the worker process itself died
                line, detail = describe(exc)
                record(ReportOutcome(job.name, "failed", error=line, error_detail=detail,
                                     title=job.title or job.name))
    except KeyboardInterrupt:
        # Ctrl-C: stop now. Reports already finished keep their files; a report cut off leaves only
        # temporary files, which its next run replaces (outputs get their names only when complete).
        _stop_pool(pool)
        raise
    finally:
        pool.shutdown()


def run_reports(
    jobs: Iterable[ReportJob],
    *,
    out_dir: str | Path,
    workers: int | None = None,
    formats: Iterable[str] = FORMATS,
    show_code: bool = False,
    progress: bool = True,
    kernel_name: str = "python3",
    timeout: int | None = 600,
    lang: str = "nb",
    date_text: str | None = None,
    scan_names: Iterable[str] = (),
    executor: str = "local",
    scheduler: str | None = None,
    warm_kernels: bool = True,
) -> list[ReportOutcome]:
    """Execute report notebooks in parallel and render each to HTML and PDF.

    Parameters
    ----------
    jobs : iterable of ReportJob
        The reports; not modified.
    out_dir : path
        Root of the outputs; job ``name`` writes only inside ``out_dir/name/``:
        ``name.ipynb`` (executed), ``name.html``, ``name.pdf``, or
        ``name.failed.ipynb`` when execution or rendering failed (the previous good
        outputs are then left as they were). A format not asked for this time is
        removed from a report that succeeded (it would be out of date). The run's
        log, ``out_dir/run.log``, lists each report, its kernel and its error.
    workers : int, optional
        Parallel worker processes; default ``min(cpu_count, len(jobs))``. With
        1, jobs run one after another in this process. Workers are started with
        "spawn" (as on Windows and macOS), so a script that calls this with
        several workers needs the usual ``if __name__ == "__main__":`` guard.
    formats : iterable of {"html", "pdf"}
    show_code : bool
        Show code cells in the rendered reports.
    progress : bool
        Show a progress bar on stderr.
    kernel_name : str
        Jupyter kernel. The default ``"python3"`` always runs with this
        process's Python (``sys.executable``), whatever kernelspec is installed.
    timeout : int or None
        Seconds one cell may run.
    lang : {"nb", "en"}
        Language of the PDF's page numbers and date, and of the HTML ``lang``.
    date_text : str, optional
        Date shown under the title; default today, e.g. ``"24.11.2026"``.
    scan_names : iterable of str
        Names that must not appear in a report (the study's ``privacy.names_file``), besides the
        identity numbers, phone numbers and e-mail addresses every output is always scanned for.
        A report with a hit fails and its outputs are deleted (:func:`samorg.privacy.scan_outputs`).
    executor : {"local", "dask"}
        ``"local"``: worker processes on this machine. ``"dask"``: hand every job to a Dask
        distributed cluster (``scheduler``); its workers need samorg installed and the same
        file system paths (notebooks, study, processed data and ``out_dir``).
    scheduler : str, optional
        Address of the Dask scheduler, e.g. ``"tcp://10.0.0.5:8786"`` (``executor="dask"``).
    warm_kernels : bool
        Fork each report's kernel from a warm kernel server that has already imported what the
        reports use (:mod:`samorg.report.warm`): one server for a local run, one per Dask worker
        process. Linux only; elsewhere this is ignored. Every report still runs in a kernel of its
        own. False starts every kernel from scratch.

    Returns
    -------
    list of ReportOutcome
        One per job, in the order given.

    Raises
    ------
    ParameterError
        Before anything runs, if any job has an unknown or mistyped parameter.
    ReportError
        Before anything runs, for a bad job name or output format, or an ``out_dir`` that cannot
        be written.

    Examples
    --------
    >>> jobs = [ReportJob("sentrum", Path("notebooks/site_report.ipynb"), {"site": "sentrum"},
    ...                   title="Sentrum bibliotek")]
    >>> run_reports(jobs, out_dir=Path("reports"))  # doctest: +SKIP
    """
    from tqdm import tqdm

    jobs = list(jobs)
    formats = tuple(formats)
    _check_jobs(jobs, formats)
    out_dir = Path(out_dir).resolve()
    check_writable(out_dir, [j.name for j in jobs])
    settings = _Settings(out_dir, formats, show_code, kernel_name, timeout,
                         date_text if date_text is not None else _date_text(lang), lang, tuple(scan_names),
                         warm_kernels)
    jobs = [dataclasses.replace(j, notebook=Path(j.notebook).resolve(), parameters=dict(j.parameters)) for j in jobs]
    for folder in sorted({str(j.notebook.parent) for j in jobs}):
        log.info("Report templates from %s", folder)
    n_workers = max(1, min(workers or os.cpu_count() or 1, len(jobs) or 1))
    results: dict[str, ReportOutcome] = {}
    bar = tqdm(total=len(jobs), desc="Reports", unit="report", file=sys.stderr, disable=not progress)

    def record(res: ReportOutcome) -> None:
        results[res.name] = res
        log_outcome(res)
        failures = sum(r.status == "failed" for r in results.values())
        bar.set_postfix_str(f"{res.name} {res.status}" + (f", {failures} failed" if failures else ""))
        bar.update(1)

    if executor not in ("local", "dask"):
        raise ReportError(f"executor={executor!r} is not supported; use 'local' or 'dask'.")
    if executor == "dask" and not scheduler:  # refused before anything starts
        from samorg.distributed import NEEDS_SCHEDULER

        raise ReportError(NEEDS_SCHEDULER)
    server = None
    if executor == "local" and warm_kernels and kernel_name == "python3":
        from samorg.report.warm import WarmKernelServer, supported

        if supported():
            # One server for all local workers: it imports while the workers start.
            server = WarmKernelServer()
            server.start()
            settings = dataclasses.replace(settings, warm_socket=str(server.socket_path))
    try:
        if executor == "dask":
            _run_on_dask(jobs, settings, scheduler, record)
        elif n_workers == 1:
            for job in jobs:
                record(_run_job(job, settings))
        else:
            _run_in_pool(jobs, settings, n_workers, record)
    finally:
        bar.close()
        if server is not None:
            server.close()
    outcomes = [results[j.name] for j in jobs]
    try:
        write_run_log(outcomes, out_dir / RUN_LOG, templates=sorted({j.notebook.parent for j in jobs}))
    except OSError as exc:  # the reports are written; a log that cannot be is not worth failing them for
        log.warning("The run's log %s could not be written: %s", out_dir / RUN_LOG, exc)
    return outcomes
