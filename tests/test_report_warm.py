"""Warm kernels: report kernels forked from a server that has imported what reports use.

What must hold: each report still runs in a kernel of its own (no variable, setting or random state
carries over), figures still show, a kernel never outlives the run, a broken server falls back to a
fresh kernel, and interrupting or crashing a kernel behaves as with a fresh one.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import nbformat
import pytest

from samorg.report import warm
from samorg.report.runner import ReportJob, run_reports

pytestmark = pytest.mark.skipif(not warm.supported(), reason="warm kernels need Linux (fork and fd passing)")


def _notebook(path: Path, *cells: str, params: str = 'tag = "a"') -> Path:
    nb = nbformat.v4.new_notebook()
    first = nbformat.v4.new_code_cell(params)
    first.metadata["tags"] = ["parameters"]
    nb.cells = [first] + [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _outputs(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n".join(str(o) for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone for our purposes
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return False


def test_every_report_gets_its_own_clean_kernel_from_the_warm_server(tmp_path):
    nb = _notebook(
        tmp_path / "state.ipynb",
        "import os, sys, numpy as np, matplotlib as mpl\n"
        "print('LEFTOVER', 'leftover' in globals(), mpl.rcParams['lines.linewidth'])\n"
        "print('SERVER_MODULE', 'samorg.report.site' in sys.modules, 'statsmodels.api' in sys.modules)\n"
        "print('DRAW', np.random.random())\n"
        "print('PID', os.getpid(), 'PPID', os.getppid())\n"
        "print('PYTHON', sys.executable, 'BLAS', os.environ.get('OPENBLAS_NUM_THREADS'))\n"
        "print('CWD_ON_PATH', '' in sys.path, any('samorg-kernels' in p for p in sys.path))\n"
        "print('KIND', os.environ.get('SAMORG_KERNEL'), repr(os.environ.get('SAMORG_KERNEL_REASON')))\n"
        "import gc\nprint('FROZEN', gc.get_freeze_count() > 100_000)",
        "leftover = 1\nmpl.rcParams['lines.linewidth'] = 9.0",
        "import matplotlib.pyplot as plt\nfrom samorg.report.figures import with_alt\nfig, ax = plt.subplots()\n"
        "ax.plot([1, 2, 3])\nplt.close(fig)\nwith_alt(fig, 'A rising line')",  # a report's figure says what it shows
    )
    jobs = [ReportJob(f"r{i}", nb, {"tag": str(i)}) for i in range(3)]
    outcomes = run_reports(jobs, out_dir=tmp_path / "out", workers=2, formats=("html",), progress=False)
    assert [o.status for o in outcomes] == ["ok"] * 3, [o.error for o in outcomes]
    assert [(o.kernel, o.kernel_reason) for o in outcomes] == [("warm", "")] * 3
    for o in outcomes:  # the executed notebook and the run's log say so too
        assert nbformat.read(o.ipynb, as_version=4).metadata["samorg"] == {"kernel": "warm", "kernel_reason": ""}
        assert f"{o.name}: ok in " in (tmp_path / "out" / "run.log").read_text(encoding="utf-8")
    assert (tmp_path / "out" / "run.log").read_text(encoding="utf-8").count("kernel warm") == 3
    texts = [_outputs(o.ipynb) for o in outcomes]
    for text in texts:
        assert "KIND warm ''" in text
        assert "FROZEN True" in text  # the server's imports are out of the kernel's garbage collections
        assert "LEFTOVER False 1.5" in text  # nothing of an earlier report's state
        assert "SERVER_MODULE True True" in text  # the kernel was forked from the warm server
        assert f"PYTHON {sys.executable} BLAS 1" in text
        assert "CWD_ON_PATH True False" in text  # as in a fresh kernel; not the server's folder
        assert "image/svg+xml" in text or "image/png" in text  # figures still reach the report
    draws = {next(ln for ln in t.splitlines() if "DRAW" in ln) for t in texts}
    assert len(draws) == 3, "forked kernels must not share the server's random state"
    pids = [int(t.split("PID ")[1].split()[0]) for t in texts]
    assert len(set(pids)) == 3 and not any(_alive(p) for p in pids)


def test_fresh_kernels_when_warm_kernels_are_off(tmp_path):
    nb = _notebook(tmp_path / "m.ipynb", "import sys\nprint('SERVER_MODULE', 'samorg.report.site' in sys.modules)")
    [res] = run_reports([ReportJob("m", nb)], out_dir=tmp_path / "out", formats=("html",), progress=False,
                        warm_kernels=False)
    assert res.ok and "SERVER_MODULE False" in _outputs(res.ipynb)
    assert res.kernel == "fresh" and "--fresh-kernels" in res.kernel_reason
    assert "m: ok in" in (log := (tmp_path / "out" / "run.log").read_text(encoding="utf-8"))
    assert "kernel fresh (warm kernels were turned off (--fresh-kernels))" in log


def test_a_crashing_kernel_fails_its_report_only(tmp_path):
    crash = _notebook(tmp_path / "crash.ipynb", "import os\nos._exit(3)")
    fine = _notebook(tmp_path / "fine.ipynb", "print('FINE')")
    outcomes = run_reports([ReportJob("crash", crash), ReportJob("fine", fine)], out_dir=tmp_path / "out",
                           workers=2, formats=("html",), progress=False)
    assert outcomes[0].status == "failed" and "DeadKernelError" in outcomes[0].error
    assert outcomes[1].ok and "FINE" in _outputs(outcomes[1].ipynb)


def test_a_cell_over_the_time_limit_is_interrupted(tmp_path):
    slow = _notebook(tmp_path / "slow.ipynb", "import time\ntime.sleep(60)")
    start = time.monotonic()
    [res] = run_reports([ReportJob("slow", slow)], out_dir=tmp_path / "out", formats=("html",), progress=False,
                        timeout=3)
    assert res.status == "failed" and "timed out" in res.error_detail.lower()
    assert time.monotonic() - start < 45


def test_a_server_that_is_gone_falls_back_to_a_fresh_kernel_and_says_why(tmp_path, monkeypatch):
    from samorg.report import kernels

    gone = tmp_path / "no-server.sock"
    gone.touch()  # looks ready, but nobody listens
    monkeypatch.setattr(kernels, "_warm_server", lambda settings: warm.WarmKernels(gone))
    nb = _notebook(tmp_path / "m.ipynb", "import sys\nprint('SERVER_MODULE', 'samorg.report.site' in sys.modules)")
    [res] = run_reports([ReportJob("m", nb)], out_dir=tmp_path / "out", formats=("html",), progress=False,
                        workers=1)
    assert res.ok and "SERVER_MODULE False" in _outputs(res.ipynb)
    assert res.kernel == "fresh" and res.kernel_reason.startswith("the warm kernel server did not answer")


def test_a_warm_kernel_that_does_not_start_is_retried_fresh_and_says_why(tmp_path, monkeypatch):
    from samorg.report import kernels

    class Answers(warm.WarmKernels):  # answers its status, but nobody forks: the stand-in fails
        def status(self):
            return {"threads": 1, "code": warm.code_hash({}), "files": []}

    gone = tmp_path / "no-server.sock"
    gone.touch()
    monkeypatch.setattr(kernels, "_warm_server", lambda settings: Answers(gone))
    nb = _notebook(tmp_path / "m.ipynb", "print('RAN')")
    [res] = run_reports([ReportJob("m", nb)], out_dir=tmp_path / "out", formats=("html",), progress=False,
                        workers=1)
    assert res.ok and "RAN" in _outputs(res.ipynb)
    assert res.kernel == "fresh" and "the warm kernel did not start" in res.kernel_reason
    assert "did not start a kernel" in res.kernel_reason  # the stand-in's own words


def test_the_server_forks_only_with_one_thread(tmp_path, monkeypatch):
    """pyarrow's jemalloc starts a background thread on import; the server turns it off. With it on, the
    server has two threads: it refuses to fork, and the report runs in a fresh kernel that says why."""
    import subprocess

    server = warm.WarmKernelServer(preload=("pyarrow.parquet", "samorg.report.tables"))
    server.start()
    try:
        assert server.wait_ready(60), server.log()
        assert server.status()["threads"] == 1
    finally:
        server.close()
    monkeypatch.setattr(warm, "SERVER_ENV", {"JE_ARROW_MALLOC_CONF": "background_thread:true"})
    monkeypatch.delenv("JE_ARROW_MALLOC_CONF", raising=False)
    server = warm.WarmKernelServer(preload=("pyarrow.parquet", "samorg.report.tables"))
    server.start()
    try:
        assert server.wait_ready(60), server.log()
        assert server.status()["threads"] == 2
        asked = subprocess.run(server.launcher_command([sys.executable, "-m", "ipykernel_launcher", "-f", "k.json"]),
                               capture_output=True, text=True, timeout=30)
        assert asked.returncode == 3 and "runs 2 threads" in asked.stderr  # the server itself refuses
        from samorg.report import kernels

        monkeypatch.setattr(kernels, "_warm_server", lambda settings: server)
        nb = _notebook(tmp_path / "m.ipynb", "import sys\nprint('SERVER_MODULE', 'samorg.report.tables' in sys.modules)")
        [res] = run_reports([ReportJob("m", nb)], out_dir=tmp_path / "out", formats=("html",), progress=False,
                            workers=1)
    finally:
        server.close()
    assert res.ok and "SERVER_MODULE False" in _outputs(res.ipynb)
    assert (res.kernel, res.kernel_reason) == ("fresh", "the warm kernel server runs 2 threads, and forking is only "
                                                        "safe with one")


def test_a_shared_server_with_outdated_samorg_code_is_replaced(monkeypatch):
    """On a long-lived Dask worker: samorg is edited, the next report gets a server with the new code; the
    old one finishes its kernels and exits."""
    from types import SimpleNamespace

    from samorg.report import kernels

    monkeypatch.setattr(warm.WarmKernelServer.__init__, "__defaults__", (("samorg.report.tables",),))
    settings = SimpleNamespace(warm_kernels=True, kernel_name="python3", warm_socket=None)
    try:
        first = kernels.choose_kernel(settings)
        assert first.kind == "warm" and "report/tables.py" in first.server.status()["files"]
        assert kernels.choose_kernel(settings).server is first.server  # nothing changed: the same server
        real = warm.code_digests
        monkeypatch.setattr(warm, "code_digests", lambda **kw: {k: "edited" for k in real(**kw)})
        second = kernels.choose_kernel(settings)
        assert second.kind == "warm" and second.server is not first.server
        deadline = time.monotonic() + 20
        while first.server.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert first.server.process.poll() == 0, "the retired server (no kernels left) did not exit"
    finally:
        warm._close_shared()


def test_a_runs_own_server_with_outdated_code_gives_a_fresh_kernel_that_says_why(tmp_path, monkeypatch):
    real = warm.code_digests
    monkeypatch.setattr(warm, "code_digests", lambda **kw: {k: "edited" for k in real(**kw)})
    nb = _notebook(tmp_path / "m.ipynb", "print('RAN')")
    [res] = run_reports([ReportJob("m", nb)], out_dir=tmp_path / "out", formats=("html",), progress=False,
                        workers=1)
    assert res.ok and (res.kernel, res.kernel_reason) == ("fresh", "samorg's code changed after the warm kernel "
                                                                   "server started")


def test_a_killed_stand_in_takes_its_kernel_with_it_and_close_ends_the_server(tmp_path):
    from jupyter_client.manager import KernelManager

    server = warm.WarmKernelServer(preload=("ipykernel.kernelapp",))
    server.start()
    try:
        assert server.wait_ready(60), server.log()

        class KM(KernelManager):
            def format_kernel_cmd(self, extra_arguments=None):
                cmd = super().format_kernel_cmd(extra_arguments)
                cmd[0] = sys.executable
                return server.launcher_command(cmd)

        km = KM(kernel_name="python3")
        km.start_kernel(env=warm.kernel_env())
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        seen = []
        kc.execute_interactive("import os; print(os.getpid())", output_hook=seen.append, timeout=30)
        kernel_pid = int(next(m["content"]["text"] for m in seen if m["msg_type"] == "stream"))
        launcher_pid = km.provisioner.process.pid
        assert kernel_pid != launcher_pid and _alive(kernel_pid)
        kc.stop_channels()
        os.kill(launcher_pid, signal.SIGKILL)
        km.provisioner.process.wait()
        deadline = time.monotonic() + 20
        while _alive(kernel_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(kernel_pid), "the kernel outlived its stand-in"
        server_pid = server.process.pid
    finally:
        folder = server.folder
        server.close()
    assert not _alive(server_pid) and not folder.exists()


def test_launcher_command_replaces_only_ipykernel(tmp_path):
    sock = tmp_path / "k.sock"
    cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", "conn.json"]
    assert warm.launcher_command(sock, cmd) == [sys.executable, "-I", "-S", str(warm.LAUNCHER), str(sock),
                                                "-f", "conn.json"]
    assert warm.launcher_command(sock, ["R", "--slave", "-f", "conn.json"]) is None
    assert warm.WarmKernels(sock).launcher_command(cmd) is None  # no server listening there


def test_kernel_env_keeps_a_chosen_thread_count_and_forces_inline_figures():
    env = warm.kernel_env({"OPENBLAS_NUM_THREADS": "4", "MPLBACKEND": "Agg"})
    assert env["OPENBLAS_NUM_THREADS"] == "4" and env["OMP_NUM_THREADS"] == "1"
    assert env["MPLBACKEND"] == warm.INLINE_BACKEND


def test_wait_for_server_gives_up_on_a_failed_server(tmp_path):
    sock = tmp_path / "k.sock"
    Path(str(sock) + ".failed").touch()
    start = time.monotonic()
    assert not warm.wait_for_server(sock, timeout=30)
    assert time.monotonic() - start < 5


_INTERRUPTED_RUN = r'''
import sys
from pathlib import Path
from samorg.report.runner import ReportJob, run_reports
if __name__ == "__main__":
    nb, out = Path(sys.argv[1]), Path(sys.argv[2])
    jobs = [ReportJob(f"r{i}", nb, {"tag": str(i)}) for i in range(4)]
    try:
        run_reports(jobs, out_dir=out, workers=2, formats=("html",), progress=False,
                    warm_kernels=sys.argv[3] == "warm")
    except KeyboardInterrupt:
        sys.exit(130)
'''


@pytest.mark.parametrize("kernels", ["warm", "fresh"])
def test_ctrl_c_stops_the_run_at_once_and_leaves_no_process_behind(tmp_path, kernels):
    import subprocess

    marks = tmp_path / "marks"
    marks.mkdir()
    nb = _notebook(tmp_path / "slow.ipynb",
                   f"import os, time\nopen(os.path.join({str(marks)!r}, str(os.getpid())), 'w').close()\ntime.sleep(120)")
    script = tmp_path / "run.py"
    script.write_text(_INTERRUPTED_RUN, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script), str(nb), str(tmp_path / "out"), kernels],
                            start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 90
    while len(list(marks.iterdir())) < 2 and time.monotonic() < deadline:  # both workers are in a cell
        time.sleep(0.1)
    kernel_pids = [int(p.name) for p in marks.iterdir()]
    assert len(kernel_pids) == 2, proc.communicate(timeout=5)[0]
    start = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130 and time.monotonic() - start < 10, output
    assert b"Traceback" not in output, output.decode()
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in kernel_pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(p) for p in kernel_pids), "a kernel outlived the interrupted run"
    assert not list((tmp_path / "out").rglob("r*.html")) and not list((tmp_path / "out").rglob("r?.ipynb"))


def _without_run_details(output) -> object:
    """An output without the provenance lines that differ by design: the kind of kernel that ran it, and the
    minute it was made (the two runs are half a minute apart, so they straddle a minute now and then)."""
    import re

    return re.sub(r"- (Kjerne|Kernel|Laget|Generated): [^\\\n]*", "", str(output.get("data", output.get("text"))))


def test_a_demo_site_report_is_the_same_from_a_warm_and_a_fresh_kernel(tmp_path, copy_demo_study):
    """Every output of a real site report (texts, tables, figures, warnings on stderr) is identical."""
    from samorg.config import load_study
    from samorg.pipeline import build_processed
    from samorg.report import run_study_reports

    study = load_study(copy_demo_study(tmp_path))
    build_processed(study)
    outputs = {}
    for warm_kernels in (True, False):
        [res] = run_study_reports(study, sites=["mysen"], pdf=False, progress=False, warm_kernels=warm_kernels,
                                  out_dir=tmp_path / f"reports_{warm_kernels}")
        assert res.ok, res.error_detail
        assert res.kernel == ("warm" if warm_kernels else "fresh"), res.kernel_reason  # what was compared
        nb = nbformat.read(res.ipynb, as_version=4)
        assert nb.metadata["samorg"]["kernel"] == res.kernel
        shown = "- Kjerne: varm" if warm_kernels else "- Kjerne: ny (varme kjerner ble ikke brukt; årsaken står i run.log)"
        assert shown in res.ipynb.read_text(encoding="utf-8")  # the report's provenance says which
        outputs[warm_kernels] = [[_without_run_details(o) for o in c.outputs] for c in nb.cells
                                 if c.cell_type == "code"]
    assert sum("image/png" in str(o) or "image/svg+xml" in str(o) for o in outputs[True]) >= 4
    assert outputs[True] == outputs[False]


def test_a_long_temporary_folder_does_not_stop_the_server(tmp_path, monkeypatch):
    long_tmp = tmp_path / ("x" * 60) / ("y" * 60)
    long_tmp.mkdir(parents=True)
    monkeypatch.setattr(warm.tempfile, "tempdir", str(long_tmp))
    server = warm.WarmKernelServer(preload=())
    server.start()
    try:
        assert len(str(server.socket_path)) < 100 and server.wait_ready(60), server.log()
    finally:
        server.close()
