"""The platform's processes: their command lines, and stopping a process
group. ``manage.py serve`` supervises the web server and the worker cluster
with these; ``ocrspace.stack.Stack`` starts them for tests and benchmarks.

Only the standard library is imported at module level (psutil inside the
functions that need it).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASGI_APPLICATION = "ocrspace.asgi:application"


def manage_command(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), *args]


def web_command(host: str, port: int, fd: int | None = None) -> list[str]:
    """daphne: HTTP and websockets, on ``host:port``, or accepting on the
    listening socket ``fd`` it inherits (several web processes share one)."""
    if fd is not None:
        return [sys.executable, "-m", "daphne", "--fd", str(fd), ASGI_APPLICATION]
    return [sys.executable, "-m", "daphne", "-b", host, "-p", str(port), ASGI_APPLICATION]


# Connections the kernel queues for the web processes to accept (the
# kernel caps it at net.core.somaxconn).
LISTEN_BACKLOG = 1024


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` and listening, for web processes
    to inherit: each accepts on it, and the kernel hands every new
    connection to one of them. IPv4 only: daphne adopts an inherited socket
    as IPv4."""
    try:
        info = socket.getaddrinfo(host, port, socket.AF_INET, socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise OSError(f"{host} is not an IPv4 address or name ({error.strerror})") from None
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        # As daphne's own listening socket: a restart binds again at once.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(info[0][4])
        sock.listen(LISTEN_BACKLOG)
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock


def worker_command() -> list[str]:
    """The django-q2 cluster that runs OCR and webhook tasks."""
    return manage_command("qcluster")


def training_command() -> list[str]:
    """The training lane: a django-q2 cluster that takes only fine-tuning
    runs (``Q_CLUSTER["ALT_CLUSTERS"]["training"]``)."""
    return manage_command("qcluster", "--name", "training")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_group(process: subprocess.Popen | None, sig: int = signal.SIGTERM, timeout: float = 30) -> bool:
    """Signal the process's group (it was started in a session of its own),
    wait until every process in it has exited (SIGKILL after ``timeout``);
    True when nothing had to be killed."""
    if process is None or process.poll() is not None:
        return True
    group = process.pid
    os.killpg(group, sig)
    deadline = time.monotonic() + timeout
    try:
        process.wait(timeout)
        while _group_alive(group):
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(process.args, timeout)
            time.sleep(0.1)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(10)
        return False
    return True


def _group_alive(group: int) -> bool:
    """Whether a live (not zombie) process is left in the process group."""
    import psutil

    for proc in psutil.process_iter(["status"]):
        try:
            if os.getpgid(proc.pid) == group and proc.info["status"] != psutil.STATUS_ZOMBIE:
                return True
        except (ProcessLookupError, psutil.Error):
            continue
    return False


def torch_mapped(process) -> list[str]:
    """Files of the torch package mapped into ``process`` (psutil): empty
    means torch was never imported there (its shared libraries would be)."""
    return sorted({m.path for m in process.memory_maps() if "/torch/" in m.path or "libtorch" in m.path})
