"""Stand-in kernel process that asks a warm kernel server for a forked kernel (standard library only).

Jupyter starts this script instead of ``python -m ipykernel_launcher``::

    python -I -S _kernel_launcher.py SOCKET [ipykernel arguments, e.g. -f connection.json]

It hands the server its arguments, environment, working directory and standard streams; the server
forks a kernel from its already-imported state and answers with the kernel's process id. This process
then stands for the kernel towards Jupyter: signals it receives (interrupt, terminate) are passed on,
and it exits when the kernel exits, with the kernel's exit code. If this process is killed, the server
notices the closed connection and kills the kernel, so no kernel outlives its stand-in.

It runs with ``-I -S`` (no site-packages, no script folder on ``sys.path``), so it starts in about
ten milliseconds and cannot pick up a module of the report package by accident.
"""

import json
import os
import signal
import socket
import struct
import sys

FORWARDED = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2")


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("the other end closed the connection")
        data += chunk
    return data


def main(argv: list) -> int:
    if len(argv) < 2:
        sys.stderr.write("usage: _kernel_launcher.py SOCKET [kernel arguments]\n")
        return 2
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(argv[1])
        payload = json.dumps({"argv": argv[2:], "env": dict(os.environ), "cwd": os.getcwd()}).encode("utf-8")
        socket.send_fds(sock, [struct.pack("!I", len(payload))], [0, 1, 2])
        sock.sendall(payload)
        (pid,) = struct.unpack("!i", _recv_exact(sock, 4))
    except (OSError, ConnectionError, ValueError) as exc:
        sys.stderr.write(f"samorg: the warm kernel server at {argv[1]} did not start a kernel ({exc}).\n")
        return 3
    if pid <= 0:
        try:
            (length,) = struct.unpack("!I", _recv_exact(sock, 4))
            reason = _recv_exact(sock, length).decode("utf-8", "replace")
        except (OSError, ConnectionError, struct.error):
            reason = "no reason given"
        sys.stderr.write(f"samorg: the warm kernel server did not fork a kernel: {reason}.\n")
        return 3

    def forward(signum, _frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for name in FORWARDED:
        signal.signal(getattr(signal, name), forward)
    try:
        (status,) = struct.unpack("!i", _recv_exact(sock, 4))
    except (OSError, ConnectionError):
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
