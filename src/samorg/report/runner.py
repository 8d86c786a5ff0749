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
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import datetime as dt
import multiprocessing
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Literal

from samorg.errors import ParameterError, ReportError
from samorg.report.params import validate_parameters

__all__ = ["ReportJob", "ReportOutcome", "run_reports"]

FORMATS = ("html", "pdf")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July",
              "August", "September", "October", "November", "December")


@dataclass
class ReportJob:
    """One report to produce: a notebook, its parameters, and the words on its cover.

    ``name`` names the output folder and files (``out_dir/<name>/<name>.html``);
    it must be unique within a run and a plain file name (e.g. ``"drammen"``).
    """

    name: str
    notebook: Path
    parameters: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    subtitle: str = ""
    banner: str | None = None


@dataclass
class ReportOutcome:
    """What became of one :class:`ReportJob`.

    ``status`` is ``"ok"`` or ``"failed"``. For a failed job, ``error`` is the
    one-line message a researcher needs (e.g. ``"ValueError: no visits for
    2023"``), ``error_detail`` the full message with the cell it came from, and
    ``ipynb`` the partly executed notebook (``<name>.failed.ipynb``) when the
    kernel got that far. ``timings`` holds seconds per step (execute, html, pdf).
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


def _kernel_manager_class(stderr_file: Any, force_python: bool, warm: Any = None) -> type:
    """A kernel manager that sends the kernel's own stderr to ``stderr_file`` and, for the default
    Python kernel, runs it with this very interpreter, the inline matplotlib backend and one BLAS
    thread; with ``warm`` (a ready :class:`~samorg.report.warm.WarmKernelServer`) the kernel is forked
    from that server instead of started from scratch."""
    from jupyter_client.manager import AsyncKernelManager

    from samorg.report.warm import kernel_env

    class SamorgKernelManager(AsyncKernelManager):
        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            cmd = super().format_kernel_cmd(extra_arguments)
            # A user-level "python3" kernelspec may point at another Python; the
            # report must run with the packages of the caller's environment.
            if force_python and "ipykernel_launcher" in cmd:
                cmd[0] = sys.executable
                if warm is not None:
                    cmd = warm.launcher_command(cmd) or cmd
            return cmd

        async def start_kernel(self, **kw: Any) -> None:  # type: ignore[override]
            kw.setdefault("stderr", stderr_file)
            if force_python:
                kw["env"] = kernel_env(kw.get("env"))
            await super().start_kernel(**kw)

    return SamorgKernelManager


def _warm_server(settings: _Settings):
    """This process's warm kernel server when reports may use it and it is ready, else None."""
    if not settings.warm_kernels or settings.kernel_name != "python3":
        return None
    from samorg.report.warm import WarmKernels, shared_server, wait_for_server

    if settings.warm_socket:
        return WarmKernels(settings.warm_socket) if wait_for_server(settings.warm_socket, 180) else None
    server = shared_server()  # e.g. on a Dask worker: one server per worker process
    if server is None or not server.wait_ready(timeout=180):
        return None
    return server


def _no_cell_ran(path: Path) -> bool:
    import nbformat

    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:
        return True
    return not any(c.cell_type == "code" and c.get("execution_count") for c in nb.cells)


def _execute(job: ReportJob, output: Path, settings: _Settings) -> None:
    """Papermill-execute one notebook, retrying once (in a fresh kernel) if the kernel fails to start."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from samorg.report.engine import ENGINE_NAME

    warm = _warm_server(settings)
    for attempt in (1, 2):
        output.unlink(missing_ok=True)  # a leftover from an interrupted run
        with tempfile.TemporaryFile(mode="w+b") as kernel_stderr:
            try:
                papermill.execute_notebook(
                    str(job.notebook),
                    str(output),
                    parameters=dict(job.parameters),
                    kernel_name=settings.kernel_name,
                    progress_bar=False,
                    log_output=False,
                    engine_name=ENGINE_NAME,
                    execution_timeout=settings.timeout,
                    kernel_manager_class=_kernel_manager_class(kernel_stderr, settings.kernel_name == "python3",
                                                                warm if attempt == 1 else None),
                )
                return
            except PapermillExecutionError:
                raise
            except Exception as exc:
                # Kernel never started (e.g. a port collision, papermill #511): try once more.
                if attempt == 1 and _no_cell_ran(output):
                    continue
                kernel_stderr.seek(0)
                tail = kernel_stderr.read().decode("utf-8", "replace").strip().splitlines()[-5:]
                if tail:
                    exc.add_note("Kernel output:\n" + "\n".join(tail))
                raise


def _describe(exc: BaseException) -> tuple[str, str]:
    """A one-line message and a fuller one, without a Python traceback."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        evalue = str(exc.evalue or "").strip()
        first = evalue.splitlines()[0] if evalue else ""
        line = f"{exc.ename}: {first}" if first else str(exc.ename)
        return line, f"Exception in cell In [{exc.exec_count}]:\n{exc.ename}: {evalue}"
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    line = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    notes = "\n".join(getattr(exc, "__notes__", []))
    return line, (f"{type(exc).__name__}: {text}\n{notes}").strip()


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


def _run_job(job: ReportJob, settings: _Settings) -> ReportOutcome:
    """Run and render one job. Never raises: failures go into the outcome."""
    start = time.perf_counter()
    timings: dict[str, float] = {}
    folder = settings.out_dir / job.name
    final = folder / f"{job.name}.ipynb"
    running = folder / f".{job.name}.running.ipynb"
    failed = folder / f"{job.name}.failed.ipynb"
    title = job.title or job.name

    def outcome(status: str, **kw: Any) -> ReportOutcome:
        return ReportOutcome(name=job.name, status=status, title=title, timings=timings,
                             seconds=round(time.perf_counter() - start, 3), **kw)

    try:
        folder.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        _execute(job, running, settings)
        timings["execute"] = round(time.perf_counter() - t, 3)
    except BaseException as exc:  # noqa: BLE001 - a worker must always report back
        if isinstance(exc, KeyboardInterrupt):
            raise
        partial = None
        if running.exists():
            os.replace(running, failed)
            partial = failed
        line, detail = _describe(exc)
        return outcome("failed", ipynb=partial, error=line, error_detail=detail)
    blocked = _privacy_block({final.name: running}, settings)
    if blocked:
        return outcome("failed", error=blocked[0], error_detail=blocked[1])
    os.replace(running, final)
    failed.unlink(missing_ok=True)  # a stale failure of this same report

    from samorg.report.render import render_html, render_pdf

    # Rendered under temporary names, scanned, then given their final names.
    staged: dict[str, Path] = {}
    error: Exception | None = None
    try:
        if "html" in settings.formats:
            t = time.perf_counter()
            staged["html"] = render_html(final, folder / f".{job.name}.staged.html", show_code=settings.show_code,
                                         banner=job.banner, title=title, lang=settings.lang,
                                         subtitle=job.subtitle, date_text=settings.date_text)
            timings["html"] = round(time.perf_counter() - t, 3)
        if "pdf" in settings.formats:
            t = time.perf_counter()
            staged["pdf"] = render_pdf(final, folder / f".{job.name}.staged.pdf", title=title,
                                       subtitle=job.subtitle, date_text=settings.date_text, banner=job.banner,
                                       show_code=settings.show_code, lang=settings.lang)
            timings["pdf"] = round(time.perf_counter() - t, 3)
    except Exception as exc:  # noqa: BLE001
        error = exc
    blocked = _privacy_block({f"{job.name}.{fmt}": p for fmt, p in staged.items()}, settings)
    if blocked:
        final.unlink(missing_ok=True)  # its text is clean, but it belongs to a report that is not published
        return outcome("failed", error=blocked[0], error_detail=blocked[1])
    paths: dict[str, Path] = {}
    for fmt, path in staged.items():
        paths[fmt] = folder / f"{job.name}.{fmt}"
        os.replace(path, paths[fmt])
    if error is not None:
        line, detail = _describe(error)
        return outcome("failed", ipynb=final, error=line, error_detail=detail, **paths)
    return outcome("ok", ipynb=final, **paths)


#: Seconds to wait for the Dask scheduler to answer before giving up.
DASK_CONNECT_TIMEOUT = 20


def _run_on_dask(jobs: list[ReportJob], settings: _Settings, scheduler: str, record) -> None:
    """Submit every job to a Dask distributed scheduler and record each outcome as it arrives."""
    from samorg.distributed import dask_client

    with dask_client(scheduler, error=ReportError, timeout=DASK_CONNECT_TIMEOUT) as client:
        from distributed import as_completed

        futures = {client.submit(_run_job, job, settings, pure=False, key=f"samorg-report-{job.name}"): job
                   for job in jobs}
        for fut in as_completed(list(futures)):
            job = futures[fut]
            try:
                record(fut.result())
            except Exception as exc:  # the worker itself failed (lost, killed, import error)
                line, detail = _describe(exc)
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
        ``name.failed.ipynb`` when execution failed (the previous good outputs
        are then left as they were).
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
        Before anything runs, for a bad job name or output format.

    Examples
    --------
    >>> jobs = [ReportJob("drammen", Path("notebooks/site_report.ipynb"), {"site": "drammen"},
    ...                   title="Drammen bibliotek")]
    >>> run_reports(jobs, out_dir=Path("reports"))  # doctest: +SKIP
    """
    from tqdm import tqdm

    jobs = list(jobs)
    formats = tuple(formats)
    _check_jobs(jobs, formats)
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    settings = _Settings(out_dir, formats, show_code, kernel_name, timeout,
                         date_text if date_text is not None else _date_text(lang), lang, tuple(scan_names),
                         warm_kernels)
    jobs = [ReportJob(j.name, Path(j.notebook).resolve(), dict(j.parameters), j.title, j.subtitle, j.banner)
            for j in jobs]
    n_workers = max(1, min(workers or os.cpu_count() or 1, len(jobs) or 1))
    results: dict[str, ReportOutcome] = {}
    bar = tqdm(total=len(jobs), desc="Reports", unit="report", file=sys.stderr, disable=not progress)

    def record(res: ReportOutcome) -> None:
        results[res.name] = res
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
            ctx = multiprocessing.get_context("spawn")  # no inherited threads, sockets or zmq state
            pool = cf.ProcessPoolExecutor(max_workers=n_workers, mp_context=ctx, initializer=_ignore_interrupt)
            try:
                futures = {pool.submit(_run_job, job, settings): job for job in jobs}
                for fut in cf.as_completed(futures):
                    job = futures[fut]
                    try:
                        record(fut.result())
                    except Exception as exc:  # the worker process itself died
                        line, detail = _describe(exc)
                        record(ReportOutcome(job.name, "failed", error=line, error_detail=detail,
                                             title=job.title or job.name))
            except KeyboardInterrupt:
                # Ctrl-C: stop now. Reports already finished keep their files; a report cut off leaves only
                # temporary files, which its next run replaces (outputs get their names only when complete).
                _stop_pool(pool)
                raise
            finally:
                pool.shutdown()
    finally:
        bar.close()
        if server is not None:
            server.close()
    return [results[j.name] for j in jobs]
