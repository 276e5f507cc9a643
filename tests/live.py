"""Start the real platform (daphne + django-q2 cluster) for end-to-end tests.

The processes share the test database (a file for SQLite, the test database
on PostgreSQL), the media directory and the secret key with the test process,
so a test can create users and uploads through the ORM and watch the real
worker and websocket act on them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import psutil
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class LivePlatform:
    # Platforms started and not yet stopped, so a test that needs the only
    # worker on the shared database can pause the others (``paused_others``).
    running: list["LivePlatform"] = []

    def __init__(self, media_root: Path, log_dir: Path, **env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        self.log_dir = log_dir
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "SECRET_KEY": settings.SECRET_KEY,
            "MEDIA_ROOT": str(media_root),
            "OCRSPACE_VAR_DIR": str(log_dir / "var"),
            "OCRSPACE_TORCH_THREADS": "1",
            "DJANGO_SETTINGS_MODULE": "ocrspace.settings",
            **env,
        }
        if settings.REDIS_URL:
            self.env["REDIS_URL"] = settings.REDIS_URL
        else:
            self.env.pop("REDIS_URL", None)
        self.web: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "ab")
        return subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def start(self) -> "LivePlatform":
        self.log_dir.mkdir(parents=True, exist_ok=True)
        # Outside DEBUG, pages use the hashed names of collected static files
        # (``serve`` collects them the same way before starting).
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT, env=self.env, check=True,
        )
        self.web = self._spawn(
            "web", [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "ocrspace.asgi:application"]
        )
        self.start_worker()
        LivePlatform.running.append(self)
        self._wait_for_web()
        return self

    def start_worker(self) -> None:
        self.worker = self._spawn("worker", [sys.executable, "manage.py", "qcluster"])

    def _wait_for_web(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.web.poll() is not None:
                raise RuntimeError(f"web server exited: {self.log('web')}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("web server did not start")

    def log(self, name: str) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def busiest_worker_process(self, sample_seconds: float = 0.5) -> psutil.Process:
        """The cluster's child process using the most CPU (the one recognising)."""
        children = psutil.Process(self.worker.pid).children(recursive=True)
        for child in children:
            child.cpu_percent(None)
        time.sleep(sample_seconds)
        return max(children, key=lambda c: c.cpu_percent(None))

    def stop_worker(self, sig: int = signal.SIGTERM, timeout: float = 30) -> bool:
        """Send ``sig`` to every process of the cluster (its process group,
        as a service manager stopping it would) and wait for the parent;
        SIGKILL after ``timeout``. True when it exited without the SIGKILL."""
        return _stop(self.worker, sig, timeout)

    def worker_running(self) -> bool:
        return self.worker is not None and self.worker.poll() is None

    @contextmanager
    def paused_others(self):
        """Stop the workers of the other running platforms (they share the
        database, and on the ORM broker the queue too, so they would take
        this platform's tasks) and start them again afterwards."""
        paused = [p for p in LivePlatform.running if p is not self and p.worker_running()]
        for platform in paused:
            platform.stop_worker()
        try:
            yield
        finally:
            for platform in paused:
                if platform in LivePlatform.running:
                    platform.start_worker()

    def stop(self) -> None:
        _stop(self.worker, signal.SIGTERM, 30)
        _stop(self.web, signal.SIGTERM, 10)
        if self in LivePlatform.running:
            LivePlatform.running.remove(self)


def _stop(process: subprocess.Popen | None, sig: int, timeout: float) -> bool:
    """Signal the process group, wait until every process in it has exited
    (SIGKILL after ``timeout``); True when nothing had to be killed."""
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
    for proc in psutil.process_iter(["status"]):
        try:
            if os.getpgid(proc.pid) == group and proc.info["status"] != psutil.STATUS_ZOMBIE:
                return True
        except (ProcessLookupError, psutil.Error):
            continue
    return False
