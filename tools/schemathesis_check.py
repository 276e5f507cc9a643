"""Fuzz the REST API against its own OpenAPI schema with schemathesis.

    .venv/bin/python tools/schemathesis_check.py [--max-examples 25] [--seed N]

Starts daphne on a free port against a throw-away database (a temporary
SQLite file, or a temporary database next to ``DATABASE_URL`` when that is
PostgreSQL), creates a team with an owner, a member and a finished upload,
issues a token and runs ``schemathesis run`` with it. Exit status 0 means no
server errors and no responses that contradict the schema.

``Platform`` is also used by the end-to-end tests (server + worker).
"""

from __future__ import annotations

import argparse
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
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

SEED_SCRIPT = """
from django.contrib.auth import get_user_model
from teams import services
from teams.models import Membership
User = get_user_model()
owner = User.objects.create_user("api-owner", "owner@example.com", "api-owner-password-1")
team = services.create_team(owner, "API Team")
member = User.objects.create_user("api-member", "member@example.com", "api-member-password-1")
Membership.objects.create(user=member, team=team, role="member")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Platform:
    """daphne (and optionally the worker cluster) on an isolated database."""

    def __init__(self, worker: bool = False, **extra_env: str):
        self.dir = Path(tempfile.mkdtemp(prefix="ocrspace-api-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.worker = worker
        self.pg_admin_url: str | None = None
        self.db_name: str | None = None
        base_url = os.environ.get("DATABASE_URL", "")
        if base_url.startswith(("postgres://", "postgresql://")):
            self.db_name = f"ocrspace_api_{uuid.uuid4().hex[:10]}"
            parts = urlsplit(base_url)
            # CREATE/DROP DATABASE from the maintenance database: the one in
            # DATABASE_URL need not exist (pytest-django makes test_<name>).
            self.pg_admin_url = urlunsplit(parts._replace(path="/postgres"))
            database_url = urlunsplit(parts._replace(path=f"/{self.db_name}"))
        else:
            database_url = f"sqlite:///{self.dir / 'db.sqlite3'}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "ocrspace.settings",
            "DATABASE_URL": database_url,
            "OCRSPACE_VAR_DIR": str(self.dir),
            "MEDIA_ROOT": str(self.dir / "media"),
            "PYTHONUNBUFFERED": "1",
            **extra_env,
        }
        if os.environ.get("REDIS_URL"):
            # A database of its own, so other test runs' workers on the same
            # Redis never take this run's tasks (the queue name is fixed).
            parts = urlsplit(os.environ["REDIS_URL"])
            self.env["REDIS_URL"] = urlunsplit(parts._replace(path="/11"))
        self.processes: list[subprocess.Popen] = []

    def manage(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, input=stdin,
            capture_output=True, text=True, timeout=600,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

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

    def start(self) -> "Platform":
        self._create_database()
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("shell", stdin=SEED_SCRIPT)
        self._spawn("web", [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "ocrspace.asgi:application"])
        if self.worker:
            self._spawn("worker", [PYTHON, "manage.py", "qcluster"])
        self._wait_until_up()
        return self

    def _spawn(self, name: str, command: list[str]) -> None:
        log = open(self.dir / f"{name}.log", "wb")
        self.processes.append(
            subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        )

    def _wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.processes):
                break
            try:
                with urlopen(f"{self.url}/api/schema/", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"The server did not start; see the logs in {self.dir}:\n{self.logs()}")

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-4000:] for p in sorted(self.dir.glob("*.log")))

    def token(self, username: str, team: str | None = None) -> str:
        args = ["issue_token", username, "--json"] + (["--team", team] if team else [])
        return json.loads(self.manage(*args))["access"]

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
        try:
            self._drop_database()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def run_schemathesis(platform: Platform, max_examples: int, seed: int | None, exclude: list[str] | None = None) -> int:
    token = platform.token("api-member", "api-team")
    command = [
        str(Path(PYTHON).with_name("schemathesis")), "run", f"{platform.url}/api/schema/",
        "--header", f"Authorization: Bearer {token}",
        "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                    "response_headers_conformance,response_schema_conformance",
        "--max-examples", str(max_examples),
        "--workers", "1",
        "--request-timeout", "60",
        "--generation-allow-x00", "false",
        "--suppress-health-check", "all",
    ]
    if seed is not None:
        command += ["--seed", str(seed)]
    if exclude:
        command += ["--exclude-path-regex", "|".join(f"(?:{p})" for p in exclude)]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "schemathesis_hooks",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "tools"), os.environ.get("PYTHONPATH")]))}
    return subprocess.call(command, cwd=platform.dir, env=env)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--exclude-path-regex", action="append", default=[], help="Skip matching paths (repeatable).")
    args = parser.parse_args()
    platform = Platform(
        worker=False,
        OCRSPACE_RECOGNIZE_WAIT_SECONDS="1",
        OCRSPACE_THROTTLE_USER="100000/min",
        OCRSPACE_THROTTLE_ANON="100000/min",
        OCRSPACE_THROTTLE_UPLOAD="100000/min",
        OCRSPACE_THROTTLE_RECOGNIZE="100000/min",
        OCRSPACE_THROTTLE_AUTH="100000/min",
    )
    try:
        platform.start()
        code = run_schemathesis(platform, args.max_examples, args.seed, args.exclude_path_regex)
        if code:
            print(platform.logs()[-6000:], file=sys.stderr)
        return code
    finally:
        platform.stop()


if __name__ == "__main__":
    sys.exit(main())
