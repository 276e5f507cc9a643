"""Run the platform, or one role of it on this machine.

``python manage.py serve`` (``--role all``, the default) migrates the
database, collects static files, makes sure someone can log in (a first
admin with a printed password when the database has no users), then
supervises three child processes: daphne (HTTP + websockets), the
django-q2 cluster (OCR off the request path) and the training lane (a
second, one-worker cluster that only fine-tunes team recognizers, so OCR
never waits behind a run), with the command lines of ``ocrspace.processes``.
When one exits, the others are stopped too.

``OCRSPACE_WEB_PROCESSES`` (default: one per core for ``--role web`` in
production, else one) daphne processes share the one port: this process
binds and listens, each daphne accepts on the inherited socket, and the
kernel gives each new connection to one of them. Websockets of one team
may then sit in different processes; the Redis channel layer carries the
team's events to all of them, so more than one needs ``REDIS_URL``.

``--role web`` does the same without the clusters (one web machine);
``--role worker`` runs only the clusters (any number of worker machines,
CPU or GPU): it changes nothing in the database, and waits until the web
machine has applied the migrations of this version before taking tasks.

Stopping (Ctrl+C, or SIGTERM to this process) sends SIGTERM to both
children's whole process groups at once, as a service manager would: daphne
exits, and the cluster's workers hand the upload they are reading back to
the queue and exit. Each child runs in its own process group, so a Ctrl+C
in the terminal reaches this process only; before, it also reached the
cluster, which then waited for the running task to finish (its workers
ignore SIGINT) while this process waited for it.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ocrspace import serving
from ocrspace.config import default_web_processes
from ocrspace.processes import listening_socket, training_command, web_command, worker_command
from teams import services

ROLES = ("all", "web", "worker")


def worker_storage_warning(storage_backend: str, has_redis: bool) -> str | None:
    """A worker machine of its own must reach the web machine's images and
    queue: with the filesystem storage or without Redis it only works on
    the web machine itself (or with a shared disk), so say so."""
    missing = []
    if storage_backend.endswith("FileSystemStorage"):
        missing.append("the images are on this machine's disk (set OCRSPACE_STORAGE=s3 for other machines)")
    if not has_redis:
        missing.append("the queue is the database (set REDIS_URL for many worker machines)")
    return f"Note: worker role with {'; '.join(missing)}." if missing else None


class Command(BaseCommand):
    help = "Run the platform: the web server and the OCR worker cluster (--role all), or one of them."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--role", choices=ROLES, default="all",
                            help="web: the web server; worker: the OCR worker cluster; all: both (default).")
        parser.add_argument("--no-worker", action="store_true", help="The same as --role web.")

    def handle(self, *args, host: str, port: int, role: str, no_worker: bool, **options) -> None:
        if no_worker:
            role = "web"
        if role == "worker":
            sys.exit(self.serve_worker())
        web_processes = self.web_process_count(role)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        login_hint = self.ensure_first_admin()
        warning = serving.base_url_warning(settings.PRODUCTION)
        if warning:
            self.stderr.write(warning)
        children = self.start_children(host, port, no_worker=role == "web", web_processes=web_processes)
        url = serving.served_url(host, port) + "/"
        across = f" ({web_processes} web processes)" if web_processes > 1 else ""
        self.stdout.write(self.style.SUCCESS(f"\nocrspace is running at {url}{across}"))
        self.stdout.write(login_hint)
        self.stdout.write("Press Ctrl+C to stop.\n")
        sys.exit(self.supervise(children))

    def web_process_count(self, role: str) -> int:
        """``OCRSPACE_WEB_PROCESSES``, or its default for ``role``. Several
        processes need Redis: websockets of one team in different processes
        get its events through the Redis channel layer, and rate limits and
        other cached state must be counted once, not once per process."""
        count = settings.OCRSPACE_WEB_PROCESSES
        if count is None:
            count = default_web_processes(settings.PRODUCTION, role)
            if count > 1 and not settings.REDIS_URL:
                self.stderr.write(f"Note: one web process, not {count} (one per core): several need REDIS_URL.")
                count = 1
        elif count > 1 and not settings.REDIS_URL:
            raise CommandError(f"OCRSPACE_WEB_PROCESSES={count} needs REDIS_URL: the live feed and the rate limits "
                               "must be shared between the web processes. Set REDIS_URL, or OCRSPACE_WEB_PROCESSES=1.")
        return count

    def serve_worker(self) -> int:
        # Workers write the links inside webhook payloads: they need the public address too.
        for warning in (worker_storage_warning(settings.STORAGES["default"]["BACKEND"], bool(settings.REDIS_URL)),
                        serving.base_url_warning(settings.PRODUCTION)):
            if warning:
                self.stderr.write(warning)
        self.wait_for_migrations()
        children = {"worker": subprocess.Popen(worker_command(), env=dict(os.environ), process_group=0),
                    "training": subprocess.Popen(training_command(), env=dict(os.environ), process_group=0)}
        self.stdout.write(self.style.SUCCESS("\nocrspace worker cluster is running.") + "\nPress Ctrl+C to stop.\n")
        return self.supervise(children)

    def wait_for_migrations(self, poll_seconds: float = 5) -> None:
        """A worker machine never migrates (N machines would race): it waits
        for the web machine to bring the schema to this version."""
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        said = False
        while True:
            try:
                executor = MigrationExecutor(connection)
                pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
            except Exception as error:  # noqa: BLE001 - database not up yet: keep waiting, say why once
                pending, reason = True, f"the database cannot be reached ({type(error).__name__})"
            else:
                reason = f"{len(pending)} migration(s) not applied yet"
            if not pending:
                return
            if not said:
                self.stderr.write(f"Waiting for the web machine: {reason} (it runs them on start).")
                said = True
            connection.close()
            time.sleep(poll_seconds)

    def ensure_first_admin(self) -> str:
        User = get_user_model()
        if User.objects.exists():
            return (
                "Log in with your account. Forgot the admin password? "
                "Run: .venv/bin/python manage.py changepassword admin"
            )
        password = secrets.token_urlsafe(12)
        admin = User.objects.create_superuser("admin", "", password)
        services.create_team(admin, "Demo team")
        return f"First start: log in as  admin  with password  {password}  (change it under Password)."

    @staticmethod
    def child_environment(host: str, port: int, environ=os.environ) -> dict[str, str]:
        """The children's environment: links in webhook payloads (written by
        the worker) use the address served here unless OCRSPACE_BASE_URL says
        otherwise."""
        env = dict(environ)
        if not env.get("OCRSPACE_BASE_URL"):
            env["OCRSPACE_BASE_URL"] = serving.served_url(host, port)
        return env

    def start_children(self, host: str, port: int, no_worker: bool,
                       web_processes: int = 1) -> dict[str, subprocess.Popen]:
        env = self.child_environment(host, port)
        if web_processes == 1:
            children = {"web": subprocess.Popen(web_command(host, port), env=env, process_group=0)}
        else:
            children = self.start_web_processes(host, port, web_processes, env)
        if not no_worker:
            children["worker"] = subprocess.Popen(worker_command(), env=env, process_group=0)
            children["training"] = subprocess.Popen(training_command(), env=env, process_group=0)
        return children

    def start_web_processes(self, host: str, port: int, count: int, env: dict) -> dict[str, subprocess.Popen]:
        """``count`` daphne processes accepting on one socket bound here."""
        try:
            sock = listening_socket(host, port)
        except OSError as error:
            raise CommandError(f"Cannot listen on {host}:{port} for {count} web processes: {error}. Several web "
                               "processes listen on IPv4 addresses (e.g. 0.0.0.0); or set OCRSPACE_WEB_PROCESSES=1.")
        children: dict[str, subprocess.Popen] = {}
        try:
            for n in range(1, count + 1):
                children[f"web {n}"] = subprocess.Popen(web_command(host, port, fd=sock.fileno()), env=env,
                                                        process_group=0, pass_fds=(sock.fileno(),))
        except BaseException:
            for child in children.values():
                self._signal_group(child, signal.SIGKILL)
            raise
        finally:
            # The children hold it now; a connection waits in its queue
            # until one of them accepts it.
            sock.close()
        return children

    def supervise(self, children: dict[str, subprocess.Popen]) -> int:
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    self.stderr.write(f"The {name} process exited with code {child.returncode}; stopping.")
                    exit_code = child.returncode or 1
                    stopping = True
            time.sleep(0.5)
        # Both at once, each to its whole group (the cluster's workers too).
        for child in children.values():
            self._signal_group(child, signal.SIGTERM)
        for child in children.values():
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._signal_group(child, signal.SIGKILL)
                child.wait()
        return exit_code

    @staticmethod
    def _signal_group(child: subprocess.Popen, sig: int) -> None:
        try:
            os.killpg(child.pid, sig)
        except ProcessLookupError:
            pass
