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

The server process (:mod:`samorg.report._warm_server`) lives as long as the process that
started it: it exits when its standard input closes, and kills any kernel it forked that is still running.

Forking is only safe with one thread: a thread's locks (a memory allocator's, a thread pool's) are copied
into the child in whatever state they were. The server is started with the one thread ipykernel's imports
leave, once two known extra threads are turned off: OpenBLAS's pool (one BLAS thread, :data:`BLAS_THREADS`)
and the jemalloc background thread pyarrow starts on import (``JE_ARROW_MALLOC_CONF``; choosing the system
memory pool with ``ARROW_DEFAULT_MEMORY_POOL`` does not stop it). The server counts its threads before
every fork and refuses when there is more than one; the report then runs in a fresh kernel, and the
reason is recorded (:func:`server_status`, the report's ``kernel`` and ``kernel_reason``).

The server also records a hash of the samorg source it imports (:func:`code_hash`). A server whose
samorg differs from the code on disk (samorg was edited while a long-lived Dask worker kept its server)
is replaced by a new one; its running kernels finish first (it is *retired*: it stops taking requests
and exits when its last kernel has ended).
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Iterable

from samorg.report._kernel_launcher import _recv_exact  # the launcher is standard library only

__all__ = ["PRELOAD", "WarmKernelServer", "WarmKernels", "code_changed", "code_digests", "code_hash", "kernel_env",
           "launcher_command", "loaded_samorg_files",
           "retire", "server_status", "shared_server", "supported", "thread_count", "wait_for_server"]

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
    "statsmodels.miscmodels.ordinal_model",
    "pyarrow.dataset",  # pandas.read_parquet
    "samorg.report.site",
    "samorg.report.site_sections",
    "samorg.report.synthesis",
    "samorg.report.data_quality",
    # what the notebooks' cells import on the way (measured: every module a site report, the synthesis and
    # the data-quality report load after the ones above); samorg.pipeline brings pandera, 0.45 s per kernel
    "samorg.report.aims",
    "samorg.report.appendix",
    "samorg.report.qualitative",
    "samorg.report.programme",
    "samorg.report.headline",
    "samorg.report.figures",
    "samorg.report.evidence",
    "samorg.pipeline",
    "samorg.municipalities",
    "samorg.plots",
    "samorg.plots.forest",
    "samorg.models",
)

#: Threads per BLAS/OpenMP pool in a report kernel. Report models are small (a few hundred rows);
#: with several kernels on few cores, multi-threaded BLAS makes them wait for each other (measured:
#: two concurrent site reports fit their models in 1.0–1.4 s with the default, 0.4 s with one thread).
BLAS_THREADS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                "VECLIB_MAXIMUM_THREADS": "1", "NUMEXPR_NUM_THREADS": "1"}
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
#: Environment of the server only: no jemalloc background thread in pyarrow (a second thread at fork).
SERVER_ENV = {"JE_ARROW_MALLOC_CONF": "background_thread:false"}
_PACKAGE = Path(__file__).resolve().parents[1]  # src/samorg


def supported() -> bool:
    """Whether kernels can be forked here (Linux, with file-descriptor passing).

    Only Linux: macOS has ``os.fork`` too, but forking a process that has loaded system frameworks is
    unsafe there (Python's own multiprocessing defaults to "spawn" on macOS for that reason).
    """
    return sys.platform.startswith("linux") and hasattr(os, "fork") and hasattr(socket, "send_fds")


def unsupported_reason() -> str:
    """Why kernels are not forked on this platform ("" where they are)."""
    if supported():
        return ""
    return f"warm kernels need Linux (fork and file-descriptor passing); this is {sys.platform}"


def thread_count() -> int:
    """Threads of this process: from ``/proc/self/task`` (every thread, also those of C libraries), else
    the Python threads ``threading`` knows of."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def code_digests(package: Path = _PACKAGE, files: Iterable[str] | None = None) -> dict[str, str]:
    """SHA-256 of samorg's source files (paths relative to the package, ``/``-separated): every ``.py``
    file of the package, or ``files``. A file that cannot be read gets ``"-"``."""
    names = sorted(files) if files is not None else sorted(
        p.relative_to(package).as_posix() for p in package.rglob("*.py"))
    out = {}
    for name in names:
        try:
            out[name] = hashlib.sha256((package / name).read_bytes()).hexdigest()
        except OSError:
            out[name] = "-"
    return out


def code_hash(digests: dict[str, str]) -> str:
    """One short hash over ``{file: digest}`` (:func:`code_digests`): equal hashes, equal code."""
    text = "\n".join(f"{name} {digest}" for name, digest in sorted(digests.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def loaded_samorg_files(package: Path = _PACKAGE) -> list[str]:
    """The samorg source files this process has imported (relative to the package)."""
    files = []
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path and (module.__name__ == "samorg" or module.__name__.startswith("samorg.")):
            try:
                files.append(Path(path).resolve().relative_to(package).as_posix())
            except ValueError:  # another copy of samorg: compare it too, by its absolute path
                files.append(Path(path).resolve().as_posix())
    return sorted(set(files))


def code_changed(status: dict) -> bool:
    """Whether samorg code a server has imported (its ``status``) differs from the files on disk now.

    Only the modules the server imported count: a kernel forked from it imports any other samorg module
    from disk, as a fresh kernel would.
    """
    files = status.get("files")
    if not isinstance(files, list):
        return True
    return status.get("code") != code_hash(code_digests(files=files))


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


def server_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The warm kernel server's environment: a report kernel's (:func:`kernel_env`), and no jemalloc
    background thread unless the caller configured jemalloc."""
    env = kernel_env(base)
    for key, value in SERVER_ENV.items():
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


def _request(socket_path: str | Path, request: dict, timeout: float) -> dict:
    """Send a control request to the server at ``socket_path`` and return its JSON answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(socket_path))
        payload = json.dumps(request).encode("utf-8")
        sock.sendall(struct.pack("!I", len(payload)) + payload)
        (length,) = struct.unpack("!I", _recv_exact(sock, 4))
        return json.loads(_recv_exact(sock, length))


def server_status(socket_path: str | Path, timeout: float = 10.0) -> dict:
    """The state of the server at ``socket_path``: ``threads`` (now), ``files`` (the samorg modules it
    imported) and ``code`` (their :func:`code_hash` from before it imported them), ``pid`` and ``kernels``
    (running). Raises OSError when no server answers."""
    return _request(socket_path, {"op": "status"}, timeout)


def retire(socket_path: str | Path, timeout: float = 10.0) -> None:
    """Tell the server at ``socket_path`` to take no more requests and to exit when its kernels have ended."""
    _request(socket_path, {"op": "retire"}, timeout)


class WarmKernels:
    """What a kernel manager needs of a warm kernel server: its socket (see :func:`launcher_command`)."""

    def __init__(self, socket_path: str | Path):
        self.socket_path = Path(socket_path)

    def status(self) -> dict:
        return server_status(self.socket_path)

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
            [sys.executable, "-m", "samorg.report._warm_server", str(self.socket_path), *self.preload],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._log, env=server_env(),
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

    def status(self) -> dict:
        return server_status(self.socket_path)

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
_RETIRED: list[WarmKernelServer] = []
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


def replace_shared(old: WarmKernelServer) -> WarmKernelServer | None:
    """Retire ``old`` (this process's shared server, whose samorg code is out of date): its running kernels
    finish, then it exits; a new shared server is started in its place and returned."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is old:
            try:
                retire(old.socket_path)
            except OSError:
                pass
            _RETIRED.append(old)  # it exits by itself when its last kernel has ended; closed at exit
            _SHARED = None
    return shared_server()


def _close_shared() -> None:
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is not None:
            _SHARED.close()
            _SHARED = None
        while _RETIRED:
            _RETIRED.pop().close()
