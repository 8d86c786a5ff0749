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

import dataclasses
import datetime as dt
import logging
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Literal

from samorg.errors import ReportError
from samorg.report.dispatch import longest_first
from samorg.report.params import check_jobs
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
    runs again as it is. ``inputs`` is what the report reads besides its notebook and parameters (part
    name → a JSON-able value, e.g. the hashes of the tables it reads): part of its cache key
    (:mod:`samorg.report.cache`), so a change there builds the report again.
    """

    name: str
    notebook: Path
    parameters: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    subtitle: str = ""
    banner: str | None = None
    path_parameters: tuple[str, ...] = ("study",)
    inputs: dict[str, Any] = field(default_factory=dict)
    #: Expected run time relative to other jobs (e.g. 3.0 for a report that reads every site). The runner
    #: starts the longest jobs first, so that no long report runs alone at the end while other workers wait;
    #: the previous build's measured time is used instead when every job to build has one.
    cost: float = 1.0


@dataclass
class ReportOutcome:
    """What became of one :class:`ReportJob`.

    ``status`` is ``"ok"`` or ``"failed"``. For a failed job, ``error`` is the
    one-line message a researcher needs (e.g. ``"ValueError: no visits for
    this month"``), ``error_detail`` the full message with the cell it came from, and
    ``ipynb`` the partly executed notebook (``<name>.failed.ipynb``) when the
    kernel got that far. ``timings`` holds seconds per step (execute, html, pdf). ``kernel`` is
    ``"warm"`` or ``"fresh"`` (which kind of kernel ran the report, :mod:`samorg.report.kernels`) and
    ``kernel_reason`` why a fresh one was used. ``reused`` is True when the report's files from an earlier
    build were kept because nothing it depends on changed (:mod:`samorg.report.cache`); ``reason`` says, in
    the run's language, why it was built again (e.g. ``"malen er endret"``, ``"--force"``), or
    ``"uendret"`` (``"unchanged"``) for a reused one.
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
    reused: bool = False
    reason: str = ""

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


def _render(job: ReportJob, executed: Any, folder: Path, settings: _Settings, timings: dict) -> dict[str, Path]:
    """Render ``executed`` (the executed notebook as Papermill returned it, or its file) to every format under
    temporary names; returns format → staged file. The renderers leave a notebook they are given as it is."""
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
        record, executed = execute(job.notebook, running, _relative_parameters(job, folder), settings, cwd=folder)
        kernel.update(record)
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
        staged = _render(job, running if executed is None else executed, folder, settings, timings)
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


def _worker_failed(job: ReportJob, exc: BaseException) -> ReportOutcome:
    """The outcome of a job whose worker itself failed (lost, killed, import error)."""
    from samorg.report.kernels import describe

    line, detail = describe(exc)
    return ReportOutcome(job.name, "failed", error=line, error_detail=detail, title=job.title or job.name)


def _build(todo: list[ReportJob], settings: _Settings, record, *, executor: str, scheduler: str | None,
           workers: int | None) -> None:
    """Run the jobs to build, in this process, local worker processes or on Dask, recording each outcome."""
    from samorg.report import dispatch

    # One worker more than cores: a worker waits while its kernel starts and stops and while pandoc runs,
    # and the extra one keeps the cores busy then (13 demo reports on 2 cores: median 26.9 s with 3 workers,
    # 30.1 s with 2, five runs each, issue 17).
    n_workers = max(1, min(workers or (os.cpu_count() or 1) + 1, len(todo) or 1))
    if not todo:
        return
    if executor == "dask":
        dispatch.run_on_dask(todo, _run_job, settings, scheduler, record, failed=_worker_failed,
                             timeout=DASK_CONNECT_TIMEOUT)
    elif n_workers == 1:
        for job in todo:
            record(_run_job(job, settings))
    else:
        dispatch.run_in_pool(todo, _run_job, settings, n_workers, record, failed=_worker_failed)


def _prepare(jobs: Iterable[ReportJob], out_dir: str | Path,
             options: dict[str, Any]) -> tuple[list[ReportJob], _Settings]:
    """Check every job's name, the formats and the executor before anything runs; the jobs (notebooks resolved)
    and settings. The parameters and the output folder are checked once the cache has said what to build."""
    jobs = list(jobs)
    formats = tuple(options["formats"])
    check_jobs(jobs, formats, FORMATS, parameters=False)
    if options["executor"] not in ("local", "dask"):
        raise ReportError(f"executor={options['executor']!r} is not supported; use 'local' or 'dask'.")
    if options["executor"] == "dask" and not options["scheduler"]:  # refused before anything starts
        from samorg.distributed import NEEDS_SCHEDULER

        raise ReportError(NEEDS_SCHEDULER)
    out = Path(out_dir).resolve()
    lang, date_text = options["lang"], options["date_text"]
    settings = _Settings(out, formats, options["show_code"], options["kernel_name"], options["timeout"],
                         date_text if date_text is not None else _date_text(lang), lang,
                         tuple(options["scan_names"]), options["warm_kernels"])
    jobs = [dataclasses.replace(j, notebook=Path(j.notebook).resolve(), parameters=dict(j.parameters)) for j in jobs]
    for folder in sorted({str(j.notebook.parent) for j in jobs}):
        log.info("Report templates from %s", folder)
    return jobs, settings


def _plan(jobs: list[ReportJob], settings: _Settings, *, use_cache: bool,
          force: bool) -> tuple[dict[str, ReportOutcome], dict[str, tuple]]:
    """Which reports to reuse (their outcomes) and which to build (name → key parts and the reason; no parts and
    no reason without the cache)."""
    from samorg.report import cache

    if not use_cache:
        return {}, {job.name: (None, "") for job in jobs}
    output = {"formats": settings.formats, "show_code": settings.show_code, "lang": settings.lang,
              "kernel": settings.kernel_name, "warm": settings.warm_kernels, "scan_names": sorted(settings.scan_names)}
    reused: dict[str, ReportOutcome] = {}
    build: dict[str, tuple] = {}
    for job in jobs:
        folder = settings.out_dir / job.name
        parts = cache.key_parts(job.notebook, _relative_parameters(job, folder), (job.title, job.subtitle, job.banner),
                                output, job.inputs)
        decision = cache.decide(folder, job.name, parts, settings.formats, force=force)
        reason = cache.reason_text(decision, settings.lang)
        if decision.reuse:
            (folder / f"{job.name}.failed.ipynb").unlink(missing_ok=True)  # as a successful build leaves it
            reused[job.name] = ReportOutcome(job.name, "ok", title=job.title or job.name, reused=True, reason=reason,
                                             **decision.outputs)
            log_outcome(reused[job.name])
        else:
            build[job.name] = (parts, reason)
    return reused, build


def _remember(res: ReportOutcome, settings: _Settings, build: dict[str, tuple]) -> None:
    """Give a built report its reason and record the build next to its files (a failure as a failure)."""
    from samorg.report.cache import store_record

    parts, res.reason = build[res.name]
    if parts is None:
        return
    try:
        store_record(settings.out_dir / res.name, parts, ok=res.ok,
                     outputs=[p for p in (res.ipynb, res.html, res.pdf) if p is not None], seconds=res.seconds)
    except OSError as exc:  # the report is written; without a record it is only built again next time
        log.warning("The cache record of %s could not be written: %s", res.name, exc)


def _warm_server(settings: _Settings, executor: str, jobs: list[ReportJob]):
    """One warm kernel server for all local workers (it imports while they start), when there is work for it."""
    if not jobs or executor != "local" or not settings.warm_kernels or settings.kernel_name != "python3":
        return None, settings
    from samorg.report.warm import WarmKernelServer, supported

    if not supported():
        return None, settings
    server = WarmKernelServer()
    server.start()
    return server, dataclasses.replace(settings, warm_socket=str(server.socket_path))


def _recorder(results: dict[str, ReportOutcome], settings: _Settings, build: dict[str, tuple], total: int,
              progress: bool):
    """A progress bar, and the function that takes each built report's outcome as it arrives."""
    from tqdm import tqdm

    bar = tqdm(total=total, desc="Reports", unit="report", file=sys.stderr, disable=not progress or not total)

    def record(res: ReportOutcome) -> None:
        _remember(res, settings, build)
        results[res.name] = res
        log_outcome(res)
        failures = sum(r.status == "failed" for r in results.values())
        bar.set_postfix_str(f"{res.name} {res.status}" + (f", {failures} failed" if failures else ""))
        bar.update(1)

    return bar, record


def _write_log(outcomes: list[ReportOutcome], out_dir: Path, templates: list[Path]) -> None:
    try:
        write_run_log(outcomes, out_dir / RUN_LOG, templates=templates)
    except OSError as exc:  # the reports are written; a log that cannot be is not worth failing them for
        log.warning("The run's log %s could not be written: %s", out_dir / RUN_LOG, exc)


def run_reports(
    jobs: Iterable[ReportJob], *, out_dir: str | Path, workers: int | None = None, formats: Iterable[str] = FORMATS,
    show_code: bool = False, progress: bool = True, kernel_name: str = "python3", timeout: int | None = 600,
    lang: str = "nb", date_text: str | None = None, scan_names: Iterable[str] = (), executor: str = "local",
    scheduler: str | None = None, warm_kernels: bool = True, cache: bool = False, force: bool = False,
) -> list[ReportOutcome]:
    """Execute report notebooks in parallel and render each to HTML and PDF; reuse those that have not changed.

    Parameters
    ----------
    jobs : iterable of ReportJob
        The reports; not modified.
    out_dir : path
        Job ``name`` writes only in ``out_dir/name/``: ``name.ipynb`` (executed), ``name.html``, ``name.pdf``, or
        ``name.failed.ipynb`` when it failed (the last good outputs stay). A format not asked for is removed.
        ``out_dir/run.log`` lists each report, its kernel, its error, and whether it was reused or why built.
    workers : int, optional
        Worker processes (forked from a fresh fork server, or spawned where there is none: a script needs
        ``if __name__ == "__main__":``); default
        ``min(cpu_count + 1, reports to build)``. With 1, reports run one after another in this process.
    formats : iterable of {"html", "pdf"}
    show_code : bool
        Show code cells in the rendered reports.
    progress : bool
        Show a progress bar on stderr.
    kernel_name : str
        Jupyter kernel; ``"python3"`` always runs with this process's Python (``sys.executable``).
    timeout : int or None
        Seconds one cell may run.
    lang : {"nb", "en"}
        Language of the PDF's page numbers and date, the HTML ``lang`` and the outcomes' reasons.
    date_text : str, optional
        Date shown under the title; default today, e.g. ``"24.11.2026"``.
    scan_names : iterable of str
        Names no report may show, besides the identity numbers, phone numbers and e-mail addresses every output
        is scanned for; a hit fails the report and deletes its outputs (:mod:`samorg.privacy`).
    executor, scheduler : str
        ``"local"`` worker processes, or ``"dask"``: the Dask cluster at ``scheduler`` (``"tcp://10.0.0.5:8786"``),
        whose workers have samorg and the same file system paths.
    warm_kernels : bool
        Fork each report's kernel from a warm server that has imported what reports use (Linux only,
        :mod:`samorg.report.warm`). Every report still runs in a kernel of its own.
    cache, force : bool
        ``cache``: record each build beside its files (``name/.samorg-cache.json``) and reuse a report whose key
        (:mod:`samorg.report.cache`) has not changed since: its files stay as they are, with their build date.
        ``force`` builds them all again (and records them).

    Returns
    -------
    list of ReportOutcome
        One per job, in the order given.

    Raises
    ------
    ParameterError, ReportError
        Before anything runs: an unknown or mistyped parameter; a bad job name, format or executor, or an
        ``out_dir`` that cannot be written.

    Examples
    --------
    >>> jobs = [ReportJob("sentrum", Path("notebooks/site_report.ipynb"), {"site": "sentrum"}, title="Sentrum")]
    >>> run_reports(jobs, out_dir=Path("reports"))  # doctest: +SKIP
    """
    jobs, settings = _prepare(jobs, out_dir, dict(
        formats=formats, show_code=show_code, kernel_name=kernel_name, timeout=timeout, lang=lang,
        date_text=date_text, scan_names=scan_names, warm_kernels=warm_kernels, executor=executor, scheduler=scheduler))
    results, build = _plan(jobs, settings, use_cache=cache, force=force)
    todo = longest_first([j for j in jobs if j.name in build], settings.out_dir)
    check_jobs(todo, settings.formats, FORMATS)  # the parameters of the reports to build, before any runs
    check_writable(settings.out_dir, [j.name for j in jobs])
    bar, record = _recorder(results, settings, build, len(todo), progress)
    server, settings = _warm_server(settings, executor, todo)
    try:
        _build(todo, settings, record, executor=executor, scheduler=scheduler, workers=workers)
    finally:
        bar.close()
        if server is not None:
            server.close()
    outcomes = [results[j.name] for j in jobs]
    _write_log(outcomes, settings.out_dir, sorted({j.notebook.parent for j in jobs}))
    return outcomes
