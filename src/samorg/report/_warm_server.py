"""The warm kernel server process: ``python -m samorg.report._warm_server SOCKET MODULE...``.

Imports ``MODULE...``, listens on the Unix socket ``SOCKET`` and forks one ipykernel per request from the
stand-in :mod:`samorg.report._kernel_launcher`. The client side, and why, is :mod:`samorg.report.warm`.

Requests are a 4-byte length and a JSON object, with the stand-in's standard streams passed as file
descriptors. ``{"op": "fork", ...}`` (the default) answers with the kernel's process id and, when the
kernel ends, its exit code; a refusal is a negative id followed by a length-prefixed reason.
``{"op": "status"}`` answers with a length-prefixed JSON object (threads, samorg's code hash, pid), and
``{"op": "retire"}`` makes the server stop taking requests and exit once its last kernel has ended.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import select
import signal
import socket
import struct
import sys
from pathlib import Path

from samorg.report._kernel_launcher import _recv_exact
from samorg.report.warm import code_digests, code_hash, loaded_samorg_files, thread_count


def _send_json(conn: socket.socket, data: dict) -> None:
    payload = json.dumps(data).encode("utf-8")
    conn.sendall(struct.pack("!I", len(payload)) + payload)


def _answer(conn: socket.socket, data: dict) -> None:
    """Answer a control request and hang up."""
    try:
        _send_json(conn, data)
    except OSError:
        pass
    conn.close()


def _close_fds(fds: list[int]) -> None:
    for fd in fds:
        os.close(fd)


def _read_request(listener: socket.socket) -> tuple[socket.socket, list[int], dict] | None:
    """Accept one connection and read its request and file descriptors; None for a bad request."""
    conn, _ = listener.accept()
    conn.settimeout(10)
    try:
        msg, fds, _, _ = socket.recv_fds(conn, 4, 3)
        (length,) = struct.unpack("!I", msg)
        return conn, fds, json.loads(_recv_exact(conn, length))
    except (OSError, ValueError, struct.error, ConnectionError) as exc:
        print(f"samorg warm kernels: bad request: {exc}", file=sys.stderr, flush=True)
        conn.close()
        return None


def _refuse(conn: socket.socket, reason: str) -> None:
    """Answer a fork request with a refusal and its reason (the stand-in prints it)."""
    text = reason.encode("utf-8")
    try:
        conn.sendall(struct.pack("!i", -1) + struct.pack("!I", len(text)) + text)
    except OSError:
        pass
    conn.close()


def _warm_up() -> None:
    """Draw one figure with text off screen, as reports draw them (SVG in the report style), so every
    kernel starts with the fonts loaded."""
    from io import BytesIO

    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from samorg.report.figures import REPORT_RC, SAVE_KWARGS

    with matplotlib.rc_context(REPORT_RC):
        fig = Figure(figsize=(2, 1))
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, 1])
        ax.set_title("Besøk – Æøå 0123456789")
        # As a report figure: laid out on its canvas, then saved in one pass without the tight box
        # (SAVE_KWARGS says why), so the warm-up loads what a report's figures use, and no more.
        fig.tight_layout()
        fig.savefig(BytesIO(), format="svg", **SAVE_KWARGS)


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


def _preload(modules: list[str]) -> tuple[list[str], str]:
    """Import ``modules`` and draw the warm-up figure; the samorg files imported and their code hash."""
    before = code_digests()  # before the imports: the code these kernels run is at most this old
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - a kernel will import it (or fail) as a fresh one would
            print(f"samorg warm kernels: could not preload {name}: {exc}", file=sys.stderr, flush=True)
    try:
        _warm_up()
    except Exception as exc:  # noqa: BLE001
        print(f"samorg warm kernels: matplotlib warm-up failed: {exc}", file=sys.stderr, flush=True)
    files = loaded_samorg_files()
    code = code_hash({name: before.get(name, "-") for name in files})
    # Every object imported so far goes to the collector's permanent generation: a forked kernel's
    # collections then never walk them, and so never write to (and copy) the server's memory pages they
    # live on. gc.collect() first, so nothing collectable is frozen (Python's gc.freeze() documentation).
    gc.collect()
    gc.freeze()
    return files, code


class _Server:
    """The listening socket, the forked kernels (pid → the stand-in's connection) and the wake-up pipe."""

    def __init__(self, path: str, files: list[str], code: str):
        self.path, self.files, self.code = path, files, code
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(path + ".tmp")
        self.listener.listen(64)
        os.rename(path + ".tmp", path)  # the socket's name appears only once it accepts connections
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_r, False)
        os.set_blocking(self.wake_w, False)
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the run; it closes our stdin
        self.children: dict[int, socket.socket] = {}
        self.retiring = False
        self.path0 = sys.path[0] if sys.path else ""

    def run(self) -> None:
        """Serve until the owner is gone (stdin closes) or, retired, the last kernel has ended."""
        while True:
            waiting = [sys.stdin, self.wake_r, *self.children.values()] + ([] if self.retiring else [self.listener])
            readable, _, _ = select.select(waiting, [], [], 5.0)
            if sys.stdin in readable and not os.read(sys.stdin.fileno(), 4096):
                return  # the owner is gone
            if self.wake_r in readable:
                try:
                    while os.read(self.wake_r, 4096):
                        pass
                except BlockingIOError:
                    pass
            self.reap()
            for pid, conn in list(self.children.items()):
                if conn in readable:  # the stand-in died or hung up: its kernel must not outlive it
                    _kill(pid)
            if self.retiring and not self.children:
                return
            if self.listener in readable:
                got = _read_request(self.listener)
                if got is not None:
                    self.handle(*got)

    def reap(self) -> None:
        """Collect ended kernels and send each stand-in its kernel's exit code."""
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.children.pop(pid, None)
            if conn is not None:
                code = os.waitstatus_to_exitcode(status)
                try:
                    conn.sendall(struct.pack("!i", code if code >= 0 else 128 - code))
                except OSError:
                    pass
                conn.close()

    def handle(self, conn: socket.socket, fds: list[int], request: dict) -> None:
        """Answer a status or retire request, or fork a kernel (refused while more than one thread runs)."""
        op = request.get("op", "fork")
        threads = thread_count()
        if op in ("status", "retire") or threads > 1:
            _close_fds(fds)
        if op in ("status", "retire"):
            _answer(conn, {"threads": threads, "code": self.code, "files": self.files, "pid": os.getpid(),
                           "kernels": len(self.children)})
            if op == "retire":  # no new kernels; exit when the running ones have ended
                self.retiring = True
                self.listener.close()
                os.unlink(self.path)
            return
        if threads > 1:  # a fork would copy other threads' locks in whatever state they are
            _refuse(conn, f"the warm kernel server runs {threads} threads, and forking is only safe with one")
            return
        pid = os.fork()
        if pid == 0:
            _kernel_child(conn, fds, request, [self.listener, self.wake_r, self.wake_w, *self.children.values()],
                          self.path0)
        _close_fds(fds)
        try:
            conn.sendall(struct.pack("!i", pid))
        except OSError:
            _kill(pid)
        conn.settimeout(None)
        self.children[pid] = conn

    def close(self) -> None:
        """Kill the kernels still running; remove the socket unless retiring already did."""
        for pid in list(self.children):
            _kill(pid)
        if not self.retiring:
            try:
                os.unlink(self.path)
            except OSError:
                pass


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def serve(path: str, modules: list[str]) -> None:
    """Run the server: import ``modules``, listen on ``path``, fork a kernel per request."""
    files, code = _preload(modules)
    server = _Server(path, files, code)
    try:
        server.run()
    finally:
        server.close()


if __name__ == "__main__":
    try:
        serve(sys.argv[1], sys.argv[2:])
    except BaseException:
        Path(sys.argv[1] + ".failed").touch()  # tells waiting clients not to wait any longer
        raise
    sys.stderr.flush()
    os._exit(0)  # skip tearing down pandas, matplotlib & co. (0.4 s): nothing is left to write
