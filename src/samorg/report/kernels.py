"""Execute one report notebook with Papermill, in a warm kernel when it is safe, else a fresh one.

:func:`execute` is what the runner (:mod:`samorg.report.runner`) calls for each report. It returns which
kind of kernel ran the report: ``"warm"`` (forked from a warm kernel server, :mod:`samorg.report.warm`)
or ``"fresh"`` with the reason no warm kernel was used (turned off, not Linux, the server did not start,
runs more than one thread, has outdated samorg code, or its kernel did not start). The kernel sees the
same in its environment (``SAMORG_KERNEL``, ``SAMORG_KERNEL_REASON``: a report's provenance shows it),
and the executed notebook's metadata keeps it (``metadata.samorg.kernel``).
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["KernelChoice", "choose_kernel", "describe", "execute"]

#: Seconds to wait for a warm kernel server to be ready before a report runs in a fresh kernel.
SERVER_WAIT = 180


@dataclass
class KernelChoice:
    """Where a report's kernel comes from: ``server`` (None for a fresh kernel) and why not warm."""

    server: Any = None
    reason: str = ""

    @property
    def kind(self) -> str:
        return "warm" if self.server is not None else "fresh"


def _warm_server(settings: Any):
    """This process's warm kernel server when reports may use it and it is ready; else the reason."""
    from samorg.report.warm import WarmKernels, shared_server, supported, unsupported_reason, wait_for_server

    if not settings.warm_kernels:
        return "warm kernels were turned off (--fresh-kernels)"
    if settings.kernel_name != "python3":
        return f"the kernel {settings.kernel_name!r} is not samorg's Python kernel"
    if not supported():
        return unsupported_reason()
    if settings.warm_socket:
        if wait_for_server(settings.warm_socket, SERVER_WAIT):
            return WarmKernels(settings.warm_socket)
        return "the warm kernel server did not start"
    server = shared_server()  # e.g. on a Dask worker: one server per worker process
    if server is None or not server.wait_ready(timeout=SERVER_WAIT):
        tail = server.log().strip().splitlines()[-1:] if server is not None else []
        return "the warm kernel server did not start" + (f" ({tail[0]})" if tail else "")
    return server


def choose_kernel(settings: Any) -> KernelChoice:
    """The warm kernel server to fork this report's kernel from, or the reason to start a fresh one.

    A server is used only when it answers, runs one thread (a fork copies other threads' locks in
    whatever state they are) and runs the samorg code that is on disk now. A shared server (one per Dask
    worker process) with outdated code is replaced; a run's own server is not (its run is short).
    """
    from samorg.report import warm

    server = _warm_server(settings)
    if isinstance(server, str):
        return KernelChoice(None, server)
    try:
        status = server.status()
        if warm.code_changed(status):
            if not isinstance(server, warm.WarmKernelServer):
                return KernelChoice(None, "samorg's code changed after the warm kernel server started")
            server = warm.replace_shared(server)
            if server is None or not server.wait_ready(timeout=SERVER_WAIT):
                return KernelChoice(None, "the warm kernel server did not restart after samorg's code changed")
            status = server.status()
    except (OSError, ValueError) as exc:
        return KernelChoice(None, f"the warm kernel server did not answer ({type(exc).__name__}: {exc})")
    if status.get("threads", 0) > 1:
        return KernelChoice(None, f"the warm kernel server runs {status['threads']} threads, and forking is only "
                                  "safe with one")
    return KernelChoice(server, "")


def _kernel_manager_class(stderr_file: Any, force_python: bool, choice: KernelChoice, record: dict,
                          cwd: Path | None = None) -> type:
    """A kernel manager that sends the kernel's own stderr to ``stderr_file`` and, for the default
    Python kernel, runs it with this very interpreter, the inline matplotlib backend, figures as SVG
    in the report style (:data:`samorg.report.figures.KERNEL_ARGS`) and one BLAS thread; with a warm
    ``choice`` the kernel is forked from that server instead of started from scratch. ``record`` gets the kind of kernel actually started (``kernel``, ``kernel_reason``). The kernel
    starts in ``cwd`` (this process's own working folder is left alone: a Dask worker may run several)."""
    from jupyter_client.manager import AsyncKernelManager

    from samorg.report.figures import KERNEL_ARGS
    from samorg.report.warm import kernel_env

    class SamorgKernelManager(AsyncKernelManager):
        _samorg_launcher: Any = None

        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            cmd = super().format_kernel_cmd(extra_arguments)
            # A user-level "python3" kernelspec may point at another Python; the
            # report must run with the packages of the caller's environment.
            if force_python and "ipykernel_launcher" in cmd:
                cmd[0] = sys.executable
                cmd += [a for a in KERNEL_ARGS if a not in cmd]  # figures as SVG in the report style
                if self._samorg_launcher is not None:
                    cmd = self._samorg_launcher(cmd) or cmd
            return cmd

        async def start_kernel(self, **kw: Any) -> None:  # type: ignore[override]
            kw.setdefault("stderr", stderr_file)
            if cwd is not None:
                kw["cwd"] = str(cwd)
            kind, reason = "fresh", choice.reason
            if force_python:
                probe = [sys.executable, "-m", "ipykernel_launcher"]
                if choice.server is not None and choice.server.launcher_command(probe):
                    self._samorg_launcher, kind = choice.server.launcher_command, "warm"
                elif choice.server is not None:
                    reason = "the warm kernel server stopped before the report started"
                env = kernel_env(kw.get("env"))
                env.update(SAMORG_KERNEL=kind, SAMORG_KERNEL_REASON=reason)
                kw["env"] = env
            record.update(kernel=kind, kernel_reason=reason)
            await super().start_kernel(**kw)

    return SamorgKernelManager


def _no_cell_ran(path: Path) -> bool:
    import nbformat

    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:  # noqa: BLE001 - unreadable or absent: nothing ran
        return True
    return not any(c.cell_type == "code" and c.get("execution_count") for c in nb.cells)


def _kernel_output(stderr_file: Any) -> list[str]:
    stderr_file.seek(0)
    return stderr_file.read().decode("utf-8", "replace").strip().splitlines()[-5:]


def execute(notebook: Path, output: Path, parameters: dict[str, Any], settings: Any, *,
            cwd: Path | None = None) -> tuple[dict[str, str], Any]:
    """Papermill-execute ``notebook`` into ``output`` with ``parameters``, in ``cwd``.

    A kernel that fails to start (a warm one, or a fresh one hit by a port collision, papermill #511) is
    retried once in a fresh kernel. Returns the kind of kernel that ran the report,
    ``{"kernel": "warm" | "fresh", "kernel_reason": why not warm}`` (also in the executed notebook's
    ``metadata.samorg``), and the executed notebook as Papermill returns it (a ``NotebookNode``, the same
    as ``output`` holds), so that the renderers need not read ``output`` again. Raises what Papermill raises
    when the report itself fails.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from samorg.report.engine import ENGINE_NAME

    choice = choose_kernel(settings)
    for attempt in (1, 2):
        output.unlink(missing_ok=True)  # a leftover from an interrupted run
        record: dict[str, str] = {"kernel": choice.kind, "kernel_reason": choice.reason}
        with tempfile.TemporaryFile(mode="w+b") as kernel_stderr:
            try:
                executed = papermill.execute_notebook(
                    str(notebook),
                    str(output),
                    parameters=dict(parameters),
                    kernel_name=settings.kernel_name,
                    progress_bar=False,
                    log_output=False,
                    engine_name=ENGINE_NAME,
                    execution_timeout=settings.timeout,
                    kernel_manager_class=_kernel_manager_class(kernel_stderr, settings.kernel_name == "python3",
                                                                choice, record, cwd),
                    samorg_metadata=record,
                )
                return record, executed
            except PapermillExecutionError as exc:
                exc.samorg_kernel = record  # type: ignore[attr-defined]
                raise
            except Exception as exc:
                # The kernel never started: try once more, in a fresh kernel.
                if attempt == 1 and _no_cell_ran(output):
                    if choice.server is not None:
                        tail = _kernel_output(kernel_stderr)
                        choice = KernelChoice(None, "the warm kernel did not start"
                                                    + (f" ({tail[-1]})" if tail else f" ({type(exc).__name__})"))
                    continue
                tail = _kernel_output(kernel_stderr)
                if tail:
                    exc.add_note("Kernel output:\n" + "\n".join(tail))
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def describe(exc: BaseException) -> tuple[str, str]:
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
