"""Warm report kernels: fork each report's Jupyter kernel from a process that has already imported what
the reports use.

A fresh kernel for every report spends about 2.5 s starting Python, ipykernel, pandas, matplotlib and
statsmodels before the first line of the report runs, and does so again for every site. A *warm kernel
server* pays that once per worker: it imports those modules, then waits. When Papermill starts a kernel,
Jupyter runs a tiny stand-in (``_kernel_launcher.py``, standard library only) that asks the server for a
kernel; the server forks a child, which becomes an ordinary ipykernel with the connection file Jupyter
gave it. Each report still gets its own kernel process, started from the same clean state (the server
never runs report code), so reports cannot see each other's variables, figures or settings.

Forking needs Linux (``os.fork`` and passing file descriptors over a Unix socket); elsewhere, or when
the server cannot start, reports run in fresh kernels as before. ``samorg report --fresh-kernels`` (or
``run_reports(..., warm_kernels=False)``) turns warm kernels off.

The server process (``python -m samorg.report.warm SOCKET MODULE...``) lives as long as the process that
started it: it exits when its standard input closes, and kills any kernel it forked that is still running.
"""

from __future__ import annotations

import atexit
import importlib
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from samorg.report._kernel_launcher import _recv_exact  # the launcher is standard library only

__all__ = ["PRELOAD", "WarmKernelServer", "WarmKernels", "kernel_env", "launcher_command", "shared_server",
           "supported", "wait_for_server"]

LAUNCHER = Path(__file__).with_name("_kernel_launcher.py")

#: Modules the server imports before it forks kernels: what the report notebooks and ipykernel import.
#: A module that fails to import is skipped (the kernel then imports it, or fails, as a fresh one would).
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    "debugpy",
    "pydevd",
    "sqlite3",
    "pdb",
    "psutil",
    "IPython.core.interactiveshell",
    "numpy",
    "pandas",
    "pyarrow.parquet",
    "matplotlib",
    "matplotlib.pyplot",
    "matplotlib.backends.backend_agg",
    "scipy.stats",
    "statsmodels.api",
    "statsmodels.formula.api",
    "samorg.report.site",
    "samorg.report.site_sections",
    "samorg.report.synthesis",
    "samorg.report.data_quality",
    "samorg.plots",
    "samorg.models",
)

#: Threads per BLAS/OpenMP pool in a report kernel. Report models are small (a few hundred rows);
#: with several kernels on few cores, multi-threaded BLAS makes them wait for each other (measured:
#: two concurrent site reports fit their models in 1.0–1.4 s with the default, 0.4 s with one thread).
BLAS_THREADS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                "VECLIB_MAXIMUM_THREADS": "1", "NUMEXPR_NUM_THREADS": "1"}
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def supported() -> bool:
    """Whether kernels can be forked here (Linux, with file-descriptor passing)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and hasattr(socket, "send_fds")


def kernel_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a report kernel: ``base`` (default ``os.environ``) with matplotlib's inline
    backend, and one BLAS thread unless the caller chose a number."""
    env = dict(os.environ if base is None else base)
    # An inherited MPLBACKEND (e.g. "Agg" from a test run or a server) would stop ipykernel from
    # showing figures: they would vanish from the report without an error.
    env["MPLBACKEND"] = INLINE_BACKEND
    for key, value in BLAS_THREADS.items():
        env.setdefault(key, value)
    return env


def wait_for_server(socket_path: str | Path, timeout: float = 120.0, alive=None) -> bool:
    """Wait until a warm kernel server listens on ``socket_path``; False if it failed, timed out, or
    ``alive()`` (when given) says the server process has ended."""
    path = Path(socket_path)
    failed = Path(str(path) + ".failed")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return True
        if failed.exists() or not path.parent.is_dir() or (alive is not None and not alive()):
            return path.exists()
        time.sleep(0.02)
    return False


def launcher_command(socket_path: str | Path, cmd: list[str]) -> list[str] | None:
    """The stand-in for the kernel command ``cmd`` (``python -m ipykernel_launcher ARGS``) that asks the
    server at ``socket_path`` for a forked kernel; None when ``cmd`` is not ipykernel's."""
    if "ipykernel_launcher" not in cmd:
        return None
    args = cmd[cmd.index("ipykernel_launcher") + 1:]
    return [sys.executable, "-I", "-S", str(LAUNCHER), str(socket_path), *args]


class WarmKernels:
    """What a kernel manager needs of a warm kernel server: its socket (see :func:`launcher_command`)."""

    def __init__(self, socket_path: str | Path):
        self.socket_path = Path(socket_path)

    def launcher_command(self, cmd: list[str]) -> list[str] | None:
        if not self.socket_path.exists():
            return None
        return launcher_command(self.socket_path, cmd)


class WarmKernelServer:
    """A warm kernel server owned by this process (see the module docstring).

    >>> server = WarmKernelServer()                # doctest: +SKIP
    >>> server.start(); server.wait_ready(60)      # doctest: +SKIP
    >>> server.launcher_command(["python", "-m", "ipykernel_launcher", "-f", "k.json"])  # doctest: +SKIP
    """

    def __init__(self, preload: tuple[str, ...] = PRELOAD):
        self.preload = tuple(preload)
        self.folder: Path | None = None
        self.process: subprocess.Popen | None = None
        self._ready = False
        self._lock = threading.Lock()

    @property
    def socket_path(self) -> Path:
        assert self.folder is not None
        return self.folder / "kernels.sock"

    def start(self) -> None:
        """Start the server process; returns at once (it imports in the background)."""
        # A Unix socket's path may be at most ~107 bytes: a long TMPDIR falls back to /tmp.
        base = tempfile.gettempdir()
        if len(base) > 70 and os.access("/tmp", os.W_OK):
            base = "/tmp"
        self.folder = Path(tempfile.mkdtemp(prefix="samorg-kernels-", dir=base))  # 0700: only we connect
        self._log = open(self.folder / "server.log", "wb")  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "samorg.report.warm", str(self.socket_path), *self.preload],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._log, env=kernel_env(),
            cwd=self.folder, start_new_session=True,
        )

    def wait_ready(self, timeout: float = 120.0) -> bool:
        """Wait until the server has imported everything and listens; False if it died or timed out."""
        with self._lock:
            if not self._ready and self.folder is not None:
                self._ready = wait_for_server(self.socket_path, timeout, alive=self.alive)
            return self._ready and self.alive()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        """What the server wrote to its error stream (for a message when it failed)."""
        if self.folder is None or not (self.folder / "server.log").is_file():
            return ""
        return (self.folder / "server.log").read_text(encoding="utf-8", errors="replace")

    def launcher_command(self, cmd: list[str]) -> list[str] | None:
        """The stand-in for the kernel command ``cmd``, or None when the server is not ready."""
        if not self._ready or not self.alive():
            return None
        return launcher_command(self.socket_path, cmd)

    def close(self) -> None:
        """Stop the server (it kills kernels still running) and remove its folder."""
        if self.process is not None:
            try:
                if self.process.stdin:
                    self.process.stdin.close()
                self.process.wait(timeout=5)
            except (subprocess.TimeoutExpired, OSError):
                self.process.kill()
                self.process.wait()
            self.process = None
        if getattr(self, "_log", None):
            self._log.close()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
        self._ready = False


_SHARED: WarmKernelServer | None = None
_SHARED_LOCK = threading.Lock()


def shared_server() -> WarmKernelServer | None:
    """This process's warm kernel server, started on first use; None where kernels cannot be forked."""
    global _SHARED
    if not supported():
        return None
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = WarmKernelServer()
            _SHARED.start()
            atexit.register(_close_shared)
        return _SHARED


def _close_shared() -> None:
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is not None:
            _SHARED.close()
            _SHARED = None


# ---------------------------------------------------------------------------------------------------
# The server process
# ---------------------------------------------------------------------------------------------------

def _warm_up() -> None:
    """Draw one figure with text off screen, so every kernel starts with fonts loaded."""
    from io import BytesIO

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    ax.set_title("Besøk – Æøå 2020")
    fig.savefig(BytesIO(), format="png")


def _kernel_child(conn, fds, request, closing, server_path0) -> None:
    """In the forked child: become the ipykernel Jupyter asked for. Never returns."""
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for item in closing:
            try:
                item.close() if hasattr(item, "close") else os.close(item)
            except OSError:
                pass
        conn.close()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            if fd > 2:
                os.close(fd)
        os.setsid()
        try:
            os.chdir(request["cwd"])
        except OSError:
            pass
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = ["ipykernel_launcher", *request["argv"]]
        parent = request["env"].get("JPY_PARENT_PID", "")
        if parent.isdigit():
            # ipykernel read JPY_PARENT_PID when the server imported it; give it the client's.
            sys.argv.append(f"--IPKernelApp.parent_handle={parent}")
        if sys.path and sys.path[0] in ("", server_path0):
            del sys.path[0]  # as ipykernel_launcher does; the kernel puts the working folder back
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()  # a fresh kernel would not share the server's random state
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - report and exit: this is a kernel process
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def serve(path: str, modules: list[str]) -> None:
    """Run the server: import ``modules``, listen on ``path``, fork a kernel per request."""
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - a kernel will import it (or fail) as a fresh one would
            print(f"samorg warm kernels: could not preload {name}: {exc}", file=sys.stderr, flush=True)
    try:
        _warm_up()
    except Exception as exc:  # noqa: BLE001
        print(f"samorg warm kernels: matplotlib warm-up failed: {exc}", file=sys.stderr, flush=True)

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path + ".tmp")
    listener.listen(64)
    os.rename(path + ".tmp", path)  # the socket's name appears only once it accepts connections
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the run; it closes our stdin
    children: dict[int, socket.socket] = {}
    server_path0 = sys.path[0] if sys.path else ""

    def reap() -> None:
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = children.pop(pid, None)
            if conn is not None:
                code = os.waitstatus_to_exitcode(status)
                try:
                    conn.sendall(struct.pack("!i", code if code >= 0 else 128 - code))
                except OSError:
                    pass
                conn.close()

    try:
        while True:
            conns = list(children.values())
            readable, _, _ = select.select([listener, sys.stdin, wake_r, *conns], [], [], 5.0)
            if sys.stdin in readable and not os.read(sys.stdin.fileno(), 4096):
                break  # the owner is gone
            if wake_r in readable:
                try:
                    while os.read(wake_r, 4096):
                        pass
                except BlockingIOError:
                    pass
            reap()
            for pid, conn in list(children.items()):
                if conn in readable:  # the stand-in died or hung up: its kernel must not outlive it
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            if listener in readable:
                conn, _ = listener.accept()
                conn.settimeout(10)
                try:
                    msg, fds, _, _ = socket.recv_fds(conn, 4, 3)
                    (length,) = struct.unpack("!I", msg)
                    request = json.loads(_recv_exact(conn, length))
                except (OSError, ValueError, struct.error, ConnectionError) as exc:
                    print(f"samorg warm kernels: bad request: {exc}", file=sys.stderr, flush=True)
                    conn.close()
                    continue
                pid = os.fork()
                if pid == 0:
                    _kernel_child(conn, fds, request, [listener, wake_r, wake_w, *children.values()],
                                  server_path0)
                for fd in fds:
                    os.close(fd)
                try:
                    conn.sendall(struct.pack("!i", pid))
                except OSError:
                    os.kill(pid, signal.SIGKILL)
                conn.settimeout(None)
                children[pid] = conn
    finally:
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            os.unlink(path)
        except OSError:
            pass


if __name__ == "__main__":
    try:
        serve(sys.argv[1], sys.argv[2:])
    except BaseException:
        Path(sys.argv[1] + ".failed").touch()  # tells waiting clients not to wait any longer
        raise
    sys.stderr.flush()
    os._exit(0)  # skip tearing down pandas, matplotlib & co. (0.4 s): nothing is left to write
