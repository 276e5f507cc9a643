"""A throw-away ocrspace stack: daphne (and optionally the django-q2 cluster)
on a database of its own, for contract tests, end-to-end tests and benchmarks.

    stack = Stack(worker=True, OCRSPACE_WORKERS="2").start()
    try:
        ... stack.url, stack.token("someone"), stack.web_process() ...
    finally:
        stack.stop()

Database: a temporary SQLite file, or a temporary database created next to
``DATABASE_URL`` when that is PostgreSQL (dropped again by ``stop``). By
default the stores are taken from the environment; pass ``database_url=None``
/ ``redis_url=None`` for the embedded default whatever the environment says.

Redis: the stack claims a numbered Redis database of its own (8–15, marked
with a key, flushed when the stack stops), so two stacks on one Redis never
take each other's tasks, live-feed events or throttle counters (the queue
and group names are fixed).

Only the standard library, psutil and the drivers are needed here: this
module runs in the test or benchmark process, not inside Django.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
INHERIT = object()  # "take it from the environment"
REDIS_DATABASES = range(15, 7, -1)
REDIS_CLAIM_KEY = "ocrspace:stack-owner"
REDIS_CLAIM_SECONDS = 6 * 3600  # a crashed run frees its database after this


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _is_postgres(url: str | None) -> bool:
    return bool(url) and url.startswith(("postgres://", "postgresql://"))


class Stack:
    """daphne and, with ``worker=True``, ``manage.py qcluster``, as
    subprocesses on an isolated database, media directory and Redis database.

    ``extra_env`` goes into the processes' environment (e.g.
    ``OCRSPACE_WORKERS="2"``, throttle rates). ``seed_script`` is Python run
    by ``manage.py shell`` after the migrations, before the servers start.
    ``keep_logs``: a directory the processes' logs are copied to on ``stop``
    (the stack's own directory is removed).
    """

    def __init__(self, worker: bool = False, *, database_url=INHERIT, redis_url=INHERIT,
                 seed_script: str | None = None, keep_logs: Path | None = None, **extra_env: str):
        self.dir = Path(tempfile.mkdtemp(prefix="ocrspace-stack-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        self.worker = worker
        self.seed_script = seed_script
        self.keep_logs = keep_logs
        base_db = os.environ.get("DATABASE_URL") if database_url is INHERIT else database_url
        base_redis = os.environ.get("REDIS_URL") if redis_url is INHERIT else redis_url
        self.pg_admin_url: str | None = None
        self.db_name: str | None = None
        if _is_postgres(base_db):
            self.db_name = f"ocrspace_stack_{uuid.uuid4().hex[:10]}"
            parts = urlsplit(base_db)
            # CREATE/DROP DATABASE from the maintenance database: the one in
            # DATABASE_URL need not exist (pytest-django makes test_<name>).
            self.pg_admin_url = urlunsplit(parts._replace(path="/postgres"))
            self.database_url = urlunsplit(parts._replace(path=f"/{self.db_name}"))
        elif base_db and not base_db.startswith("sqlite"):
            raise ValueError(f"Unsupported DATABASE_URL for a throw-away stack: {base_db!r}")
        else:
            self.database_url = f"sqlite:///{self.dir / 'db.sqlite3'}"
        self.base_redis_url = base_redis or None
        self.redis_url: str | None = None
        self._redis_claim = uuid.uuid4().hex
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "ocrspace.settings",
            "DATABASE_URL": self.database_url,
            "OCRSPACE_VAR_DIR": str(self.dir),
            "MEDIA_ROOT": str(self.dir / "media"),
            "PYTHONUNBUFFERED": "1",
            **extra_env,
        }
        self.env.pop("REDIS_URL", None)
        self.web: subprocess.Popen | None = None
        self.cluster: subprocess.Popen | None = None
        self.processes: list[subprocess.Popen] = []

    @property
    def is_postgres(self) -> bool:
        return self.db_name is not None

    # --- life cycle -------------------------------------------------------

    def start(self, timeout: float = 90) -> "Stack":
        try:
            self._create_database()
            self._claim_redis()
            self.manage("migrate", "--noinput", "-v", "0")
            # The server refuses to start without the collected static files.
            self.manage("collectstatic", "--noinput", "-v", "0")
            if self.seed_script:
                self.manage("shell", stdin=self.seed_script)
            self.web = self._spawn(
                "web", [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "ocrspace.asgi:application"]
            )
            if self.worker:
                self.cluster = self._spawn("worker", [PYTHON, "manage.py", "qcluster"])
            self._wait_until_up(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()
        if self.keep_logs:
            self.keep_logs.mkdir(parents=True, exist_ok=True)
            for log in self.dir.glob("*.log"):
                shutil.copy(log, self.keep_logs / log.name)
        try:
            self._drop_database()
            self._release_redis()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "Stack":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- helpers ----------------------------------------------------------

    def manage(self, *args: str, stdin: str | None = None, timeout: float = 600) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, input=stdin,
            capture_output=True, text=True, timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def token(self, username: str, team: str | None = None) -> str:
        args = ["issue_token", username, "--json"] + (["--team", team] if team else [])
        return json.loads(self.manage(*args))["access"]

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-4000:] for p in sorted(self.dir.glob("*.log")))

    def web_process(self):
        """The daphne process (psutil)."""
        import psutil

        return psutil.Process(self.web.pid)

    def cluster_processes(self) -> list:
        """Every live process of the worker cluster (psutil), parent first."""
        import psutil

        if self.cluster is None or self.cluster.poll() is not None:
            return []
        parent = psutil.Process(self.cluster.pid)
        tree = [parent, *parent.children(recursive=True)]
        return [p for p in tree if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]

    # --- internals --------------------------------------------------------

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        log = open(self.dir / f"{name}.log", "wb")
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append(process)
        return process

    def _wait_until_up(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.processes):
                break
            try:
                # Any HTTP answer (401 here) means Django is serving.
                with urlopen(f"{self.url}/api/teams/", timeout=2):
                    return
            except HTTPError:
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"The server did not start; see the logs in {self.dir}:\n{self.logs()}")

    def _create_database(self) -> None:
        if not self.db_name:
            return
        import psycopg

        with psycopg.connect(self.pg_admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.db_name}"')

    def _drop_database(self) -> None:
        if not self.db_name:
            return
        import psycopg

        with psycopg.connect(self.pg_admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')

    def _claim_redis(self) -> None:
        if not self.base_redis_url:
            return
        import redis

        parts = urlsplit(self.base_redis_url)
        for number in REDIS_DATABASES:
            url = urlunsplit(parts._replace(path=f"/{number}"))
            with redis.Redis.from_url(url) as conn:
                if conn.set(REDIS_CLAIM_KEY, self._redis_claim, nx=True, ex=REDIS_CLAIM_SECONDS):
                    # Left-overs of a crashed run (queued tasks, groups) must
                    # not reach this stack's worker or sockets.
                    for key in conn.scan_iter(count=1000):
                        if key != REDIS_CLAIM_KEY.encode():
                            conn.delete(key)
                    self.redis_url = url
                    self.env["REDIS_URL"] = url
                    return
        raise RuntimeError(f"No free Redis database among {list(REDIS_DATABASES)} (all claimed by running stacks).")

    def _release_redis(self) -> None:
        if not self.redis_url:
            return
        import redis

        with redis.Redis.from_url(self.redis_url) as conn:
            if conn.get(REDIS_CLAIM_KEY) == self._redis_claim.encode():
                conn.flushdb()
        self.redis_url = None


def torch_mapped(process) -> list[str]:
    """Files of the torch package mapped into ``process`` (psutil): empty
    means torch was never imported there (its shared libraries would be)."""
    return sorted({m.path for m in process.memory_maps() if "/torch/" in m.path or "libtorch" in m.path})
