"""The runner on Windows and macOS, simulated: no warm kernels (fork is not safe there), reports still run
in fresh kernels that say why, and worker processes are spawned there; on Linux they come from a fork server."""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from samorg.report import dispatch, kernels, runner, warm
from samorg.report.runner import ReportJob, run_reports

#: Where report workers come from a fork server (see samorg.report.dispatch._worker_context).
FORK_SERVER = sys.platform.startswith("linux") and "forkserver" in multiprocessing.get_all_start_methods()


def _notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    first = nbformat.v4.new_code_cell('tag = "a"')
    first.metadata["tags"] = ["parameters"]
    nb.cells = [first, nbformat.v4.new_code_cell("import os, sys\nprint('KIND', os.environ['SAMORG_KERNEL'])\n"
                                                 "print('SERVER_MODULE', 'samorg.report.site' in sys.modules)")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_no_warm_kernels_where_fork_is_not_safe(platform, monkeypatch, tmp_path):
    started = []
    monkeypatch.setattr(warm.WarmKernelServer, "start", lambda self: started.append(self))
    # warm.py's view of the platform only: the rest of the process (its imports) stays on Linux.
    monkeypatch.setattr(warm, "sys", SimpleNamespace(platform=platform, executable=sys.executable,
                                                     modules=sys.modules, path=sys.path))
    assert not warm.supported() and platform in warm.unsupported_reason()
    assert warm.shared_server() is None
    settings = runner._Settings(tmp_path, ("html",), False, "python3", 60, "1.1.2026", "nb")
    choice = kernels.choose_kernel(settings)
    assert choice.server is None and choice.reason == (f"warm kernels need Linux (fork and file-descriptor "
                                                       f"passing); this is {platform}")
    [res] = run_reports([ReportJob("r", _notebook(tmp_path / "r.ipynb"))], out_dir=tmp_path / "out",
                        formats=("html",), progress=False, workers=1)
    assert res.ok, res.error_detail
    assert (res.kernel, res.kernel_reason) == ("fresh", choice.reason)
    text = res.ipynb.read_text(encoding="utf-8")
    assert "KIND fresh" in text and "SERVER_MODULE False" in text
    assert started == []  # no warm kernel server was even started


def test_worker_processes_are_never_forked_from_the_command(monkeypatch, tmp_path):
    """A fork server (a fresh process that has only imported the workers' modules) or spawn: never a fork of
    the command itself, with its threads and sockets."""
    asked = []
    real = multiprocessing.get_context

    def spy(method=None):
        asked.append(method)
        return real(method)

    monkeypatch.setattr(dispatch.multiprocessing, "get_context", spy)  # the pool lives in dispatch
    nb = _notebook(tmp_path / "r.ipynb")
    outcomes = run_reports([ReportJob("a", nb), ReportJob("b", nb)], out_dir=tmp_path / "out", formats=("html",),
                           progress=False, workers=2, warm_kernels=False)
    assert [o.ok for o in outcomes] == [True, True] and asked == ["forkserver" if FORK_SERVER else "spawn"]


@pytest.mark.skipif(not FORK_SERVER, reason="workers come from a fork server only on Linux")
def test_workers_from_the_fork_server_have_the_commands_environment_of_now(monkeypatch, tmp_path):
    import multiprocessing.forkserver

    dispatch._worker_context()
    multiprocessing.forkserver.ensure_running()  # the server exists before the variable is set
    monkeypatch.setenv("SAMORG_TEST_SET_LATER", "seen")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import os, sys\nprint('VAR', os.environ.get('SAMORG_TEST_SET_LATER'))\n"
        "print('PRELOADED', 'samorg.report._worker_preload' in sys.modules)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "e.ipynb")
    jobs = [ReportJob(n, tmp_path / "e.ipynb") for n in ("a", "b")]
    outcomes = run_reports(jobs, out_dir=tmp_path / "out", formats=("html",), progress=False, workers=2,
                           warm_kernels=False)
    for res in outcomes:
        assert res.ok, res.error_detail
        text = res.ipynb.read_text(encoding="utf-8")
        assert "VAR seen" in text  # the kernel inherits the worker's environment, which is the command's now
        assert "PRELOADED False" in text  # a kernel is a fresh process, not a copy of the worker


def test_the_fork_server_preloads_the_workers_modules():
    import subprocess

    check = ("[m in __import__('sys').modules for m in ('samorg.report.runner', 'papermill')]"
             " + [__import__('sys').modules.get('rfc3987_syntax', 'absent')]")
    probe = ("from samorg.report import dispatch\n"
             "with dispatch._worker_context().Pool(1) as pool:\n"
             f"    print(pool.apply(eval, ({check!r},)))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         timeout=120).stdout
    assert out.strip() == (str([True, True, None]) if FORK_SERVER else str([False, False, "absent"]))


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_workers_are_spawned_off_linux(platform, monkeypatch):
    monkeypatch.setattr(dispatch, "sys", SimpleNamespace(platform=platform))  # dispatch's view only
    assert dispatch._worker_context().get_start_method() == "spawn"
