"""Starting the platform's processes, in one place.

* The command lines of the web server (daphne) and the worker cluster
  (``manage.py qcluster``), which ``manage.py serve`` supervises, and how
  their process groups are stopped: ``ocrspace.processes``.
* ``Stack``: the same processes as subprocesses of a test or benchmark,
  for end-to-end tests, the API contract check and the platform benchmark::

      stack = Stack(worker=True, OCRSPACE_WORKERS="2").start()
      try:
          ... stack.url, stack.token("someone"), stack.web_process() ...
      finally:
          stack.stop()

  Throw-away (the default): a database of its own, a temporary SQLite file,
  or a temporary database created next to ``DATABASE_URL`` when that is
  PostgreSQL (dropped again by ``stop``), migrated and optionally seeded;
  and a numbered Redis database of its own (8–15, marked with a key,
  flushed when the stack stops), so two stacks on one Redis never take each
  other's tasks, live-feed events or throttle counters. By default the
  stores are taken from the environment; pass ``database_url=None`` /
  ``redis_url=None`` for the embedded default whatever the environment says.

  ``web_processes=N`` (N > 1) starts the web side as ``manage.py serve
  --role web`` with ``OCRSPACE_WEB_PROCESSES=N``: N daphne processes on
  the stack's one port.

  Shared (``throwaway=False``): the processes use exactly the database and
  Redis given, e.g. the test database a test process writes through the ORM.

Only the standard library is imported here; psutil, psycopg and redis are
imported by the methods that need them (the test and benchmark side).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen

from ocrspace.processes import (  # noqa: F401  (tests and benchmarks import them from here too)
    ROOT, free_port, manage_command, stop_group, torch_mapped, training_command, web_command, worker_command,
)

INHERIT = object()  # "take it from the environment"
REDIS_DATABASES = range(15, 7, -1)
REDIS_CLAIM_KEY = "ocrspace:stack-owner"
REDIS_CLAIM_SECONDS = 6 * 3600  # a crashed run frees its database after this


def _is_postgres(url: str | None) -> bool:
    return bool(url) and url.startswith(("postgres://", "postgresql://"))


class Stack:
    """daphne and, with ``worker=True``, the worker cluster, as subprocesses.

    ``extra_env`` goes into the processes' environment (e.g.
    ``OCRSPACE_WORKERS="2"``, throttle rates, ``MEDIA_ROOT``).
    ``seed_script`` is Python run by ``manage.py shell`` after the
    migrations, before the servers start (throw-away stacks only).
    ``directory``: where the logs (``web.log``, ``worker.log``) and, unless
    ``extra_env`` says otherwise, the var and media directories go; kept
    after ``stop``. Without one a temporary directory is used and removed;
    ``keep_logs`` is then a directory the logs are copied to on ``stop``.
    The static files are always collected first, as ``serve`` does: the
    web server refuses to start without them.
    """

    # Stacks started and not yet stopped, so a test that needs the only
    # worker on a shared database can pause the others (``paused_others``).
    running: list["Stack"] = []

    def __init__(self, worker: bool = False, *, database_url=INHERIT, redis_url=INHERIT, throwaway: bool = True,
                 directory: Path | None = None, seed_script: str | None = None,
                 keep_logs: Path | None = None, web_processes: int = 1, **extra_env: str):
        self.keep_dir = directory is not None
        self.dir = Path(directory) if directory is not None else Path(tempfile.mkdtemp(prefix="ocrspace-stack-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        self.with_worker = worker
        # More than one: ``manage.py serve --role web`` runs them behind the port.
        self.web_processes = web_processes
        self.throwaway = throwaway
        self.seed_script = seed_script
        self.keep_logs = keep_logs
        base_db = os.environ.get("DATABASE_URL") if database_url is INHERIT else database_url
        base_redis = os.environ.get("REDIS_URL") if redis_url is INHERIT else redis_url
        self.pg_admin_url: str | None = None
        self.db_name: str | None = None
        if not throwaway:
            self.database_url = base_db or f"sqlite:///{self.dir / 'db.sqlite3'}"
        elif _is_postgres(base_db):
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
        self.redis_url: str | None = None if throwaway else self.base_redis_url
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
        if self.redis_url:
            self.env["REDIS_URL"] = self.redis_url
        self.web: subprocess.Popen | None = None
        self.cluster: subprocess.Popen | None = None
        self.training: subprocess.Popen | None = None

    # --- life cycle -------------------------------------------------------

    def start(self, timeout: float = 90) -> "Stack":
        self.dir.mkdir(parents=True, exist_ok=True)
        try:
            if self.throwaway:
                self._create_database()
                self._claim_redis()
                self.manage("migrate", "--noinput", "-v", "0")
                if self.seed_script:
                    self.manage("shell", stdin=self.seed_script)
            self.manage("collectstatic", "--noinput", "-v", "0")
            if self.web_processes > 1:
                self.env["OCRSPACE_WEB_PROCESSES"] = str(self.web_processes)
                self.web = self._spawn("web", manage_command("serve", "--role", "web", "--host", "127.0.0.1",
                                                             "--port", str(self.port)))
            else:
                self.web = self._spawn("web", web_command("127.0.0.1", self.port))
            if self.with_worker:
                self.start_worker()
            Stack.running.append(self)
            self._wait_until_up(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        stop_group(self.training, signal.SIGTERM, 30)
        stop_group(self.cluster, signal.SIGTERM, 30)
        stop_group(self.web, signal.SIGTERM, 30)
        if self in Stack.running:
            Stack.running.remove(self)
        if self.keep_logs:
            self.keep_logs.mkdir(parents=True, exist_ok=True)
            for log in self.dir.glob("*.log"):
                shutil.copy(log, self.keep_logs / log.name)
        try:
            if self.throwaway:
                self._drop_database()
                self._release_redis()
        finally:
            if not self.keep_dir:
                shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "Stack":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- the worker cluster -----------------------------------------------

    def start_worker(self) -> None:
        self.cluster = self._spawn("worker", worker_command())

    def stop_worker(self, sig: int = signal.SIGTERM, timeout: float = 30) -> bool:
        """Send ``sig`` to every process of the cluster (its process group,
        as a service manager stopping it would) and wait for them; SIGKILL
        after ``timeout``. True when it exited without the SIGKILL."""
        return stop_group(self.cluster, sig, timeout)

    def start_training(self, **env: str) -> None:
        """The training lane (fine-tuning runs only), with ``env`` on top of the stack's."""
        self.training = self._spawn("training", training_command(), **env)

    def stop_training(self) -> bool:
        return stop_group(self.training, signal.SIGTERM, 30)

    def worker_running(self) -> bool:
        return self.cluster is not None and self.cluster.poll() is None

    @contextmanager
    def paused_others(self):
        """Stop the workers of the other running stacks (on a shared
        database, and on the ORM broker the queue too, they would take this
        stack's tasks) and start them again afterwards."""
        paused = [s for s in Stack.running if s is not self and s.worker_running()]
        for stack in paused:
            stack.stop_worker()
        try:
            yield
        finally:
            for stack in paused:
                if stack in Stack.running:
                    stack.start_worker()

    # --- helpers ----------------------------------------------------------

    def manage(self, *args: str, stdin: str | None = None, timeout: float = 600) -> str:
        result = subprocess.run(
            manage_command(*args), cwd=ROOT, env=self.env, input=stdin,
            capture_output=True, text=True, timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def token(self, username: str, team: str | None = None) -> str:
        args = ["issue_token", username, "--json"] + (["--team", team] if team else [])
        return json.loads(self.manage(*args))["access"]

    def log(self, name: str) -> str:
        """The end of one process's log (``web`` or ``worker``)."""
        path = self.dir / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-4000:] for p in sorted(self.dir.glob("*.log")))

    def web_process(self):
        """The daphne process (psutil)."""
        import psutil

        return psutil.Process(self.web.pid)

    def daphne_processes(self) -> list:
        """The live daphne processes (psutil): the web process, or those
        ``serve`` started for ``web_processes`` > 1."""
        import psutil

        web = psutil.Process(self.web.pid)
        tree = [web, *web.children(recursive=True)]
        return [p for p in tree if p.is_running() and p.status() != psutil.STATUS_ZOMBIE
                and "daphne" in " ".join(p.cmdline())]

    def cluster_processes(self) -> list:
        """Every live process of the worker cluster (psutil), parent first."""
        import psutil

        if self.cluster is None or self.cluster.poll() is not None:
            return []
        parent = psutil.Process(self.cluster.pid)
        tree = [parent, *parent.children(recursive=True)]
        return [p for p in tree if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]

    def busiest_worker_process(self, sample_seconds: float = 0.5):
        """The cluster's child process using the most CPU (the one recognising)."""
        import psutil

        children = psutil.Process(self.cluster.pid).children(recursive=True)
        for child in children:
            child.cpu_percent(None)
        time.sleep(sample_seconds)
        return max(children, key=lambda c: c.cpu_percent(None))

    # --- internals --------------------------------------------------------

    def _spawn(self, name: str, command: list[str], **env: str) -> subprocess.Popen:
        log = open(self.dir / f"{name}.log", "ab")
        return subprocess.Popen(
            command, cwd=ROOT, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def _wait_until_up(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(p is not None and p.poll() is not None for p in (self.web, self.cluster)):
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
