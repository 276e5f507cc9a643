"""Two worker clusters on two "machines": separate state directories and no
shared filesystem, one PostgreSQL, one Redis and one S3-compatible store.
Both take work; one is SIGKILLed in the middle of a task, as a machine that
loses power; it comes back (as its service manager would start it again)
and every upload still ends done exactly once.

The clusters are ``manage.py serve --role worker``: a worker machine gets
only the database, Redis, the storage settings and the secret key that
signs the queue's messages.

Where network namespaces can be made (root, ``ip netns``), each machine
runs in one of its own and reaches the services over a veth pair and a
forwarder on the host (``tests/faults/netns.py``), never over loopback, so
no same-host assumption can hide; elsewhere both run on the host's loopback
and ``test_worker_machines_have_networks_of_their_own`` says why it skipped.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import psutil
import pytest
from django.conf import settings

from ocrspace.stack import ROOT, Stack
from recognition import maintenance
from recognition.models import Event, EventKind, Upload, UploadStatus
from tests.faults import netns
from tests.faults.helpers import ApiClient, accepted_ids, page_png
from tests.live import database_url
from tests.support import assert_nothing_lost, wait_until_settled

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not settings.REDIS_URL or settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
        reason="several worker machines need PostgreSQL and Redis (DATABASE_URL and REDIS_URL); "
        "this test runs in the PostgreSQL + Redis configuration",
    ),
]

UPLOADS = 8
# The settings that say where the services are: a machine on a network of
# its own gets the forwarders' addresses instead.
SERVICE_URLS = ("DATABASE_URL", "REDIS_URL", "OCRSPACE_S3_ENDPOINT_URL")


@pytest.fixture
def networks():
    """A network per machine: namespaces where they can be made, else the
    host's loopback for both (as before)."""
    if netns.unavailable():
        yield [netns.Loopback(), netns.Loopback()]
        return
    with netns.machine_networks(2) as made:
        yield made


class WorkerMachine:
    """``serve --role worker`` with a state directory of its own, on
    ``network`` (a namespace, or the host's loopback)."""

    def __init__(self, name: str, base: Path, env: dict[str, str], network: netns.Namespace | netns.Loopback):
        self.name = name
        self.dir = base / name
        self.dir.mkdir(parents=True)
        self.network = network
        self.env = {**env, "OCRSPACE_VAR_DIR": str(self.dir / "var"), "MEDIA_ROOT": str(self.dir / "media"),
                    **{key: network.url(env[key]) for key in SERVICE_URLS}}
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.dir / "worker.log", "ab")
        command = self.network.command([sys.executable, "manage.py", "serve", "--role", "worker"])
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def processes(self) -> list[psutil.Process]:
        root = psutil.Process(self.process.pid)
        return [root, *root.children(recursive=True)]

    def tasks_started(self) -> int:
        return self.log().count("'recognition.tasks.run_ocr'") if self.log() else 0

    def log(self) -> str:
        path = self.dir / "worker.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def power_off(self) -> None:
        """SIGKILL to every process of the machine's cluster at once."""
        for proc in self.processes():
            try:
                proc.send_signal(signal.SIGKILL)
            except psutil.NoSuchProcess:
                pass
        self.process.wait(30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.power_off()

    def files_on_disk(self) -> list[Path]:
        return [p for p in (self.dir / "media").rglob("*") if p.is_file()] if (self.dir / "media").exists() else []


def wait_for(condition, what: str, machines, timeout: float = 300):
    deadline = time.monotonic() + timeout
    while not condition():
        logs = "\n".join(f"--- {m.name}\n{m.log()[-3000:]}" for m in machines)
        assert time.monotonic() < deadline, f"{what} did not happen:\n{logs}"
        for machine in machines:
            assert machine.process.poll() is None, f"{machine.name} exited:\n{logs}"
        time.sleep(0.1)


def network_of(process: psutil.Process) -> int:
    """The network namespace ``process`` is in (the inode /proc shows)."""
    return os.stat(f"/proc/{process.pid}/ns/net").st_ino


def test_two_worker_machines_share_the_work_and_lose_nothing_when_one_dies(team, member, settings, s3_server,
                                                                          networks, tmp_path):
    bucket = s3_server.new_bucket()
    storage_env = s3_server.environment(bucket, prefix="images")
    settings.STORAGES = {**settings.STORAGES, "default": s3_server.storage_setting(bucket, prefix="images")}
    web = Stack(worker=False, throwaway=False, database_url=database_url(), redis_url=settings.REDIS_URL,
                directory=tmp_path / "web", SECRET_KEY=settings.SECRET_KEY, OCRSPACE_VAR_DIR=str(tmp_path / "web" / "var"),
                MEDIA_ROOT=str(tmp_path / "web" / "media"), **storage_env)
    worker_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("OCRSPACE_", "MEDIA_ROOT", "DATABASE_URL"))},
        "DJANGO_SETTINGS_MODULE": "ocrspace.settings", "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL, "SECRET_KEY": settings.SECRET_KEY,
        "OCRSPACE_TORCH_THREADS": "1", "OCRSPACE_WARM_UP": "0", **storage_env,
    }
    machines = [WorkerMachine(name, tmp_path, worker_env, network)
                for name, network in zip(("machine-a", "machine-b"), networks)]
    with web.paused_others():  # the session's platform would take these tasks
        web.start()
        try:
            for machine in machines:
                machine.start()
            client = ApiClient(web, member, team)
            accepted = []
            for n in range(UPLOADS):
                answer = client.upload(page_png(lines=6 + n), f"page-{n}.png")
                assert answer.status_code == 201, answer.text
                accepted += accepted_ids(answer)

            # Each cluster has one worker: two uploads in recognition at once
            # means both machines are working, one task each.
            def both_busy() -> bool:
                return Upload.objects.filter(status=UploadStatus.PROCESSING).count() == 2 and all(
                    m.tasks_started() for m in machines)

            wait_for(both_busy, "both machines recognising at once", machines)
            # Where each machine's cluster (the parent and its workers) runs,
            # and which program has the pid the test signals, before one dies.
            clusters = {m.name: m.processes() for m in machines}
            placement = {name: ([network_of(p) for p in procs], procs[0].cmdline()) for name, procs in clusters.items()}
            in_flight = set(Upload.objects.filter(status=UploadStatus.PROCESSING).values_list("pk", flat=True))
            killed_at = max(Upload.objects.filter(pk__in=in_flight).values_list("started_at", flat=True))
            dead, alive = machines
            dead.power_off()
            dead.start()  # its service manager starts it again

            # The dead machine's task is found by the sweeper (every minute,
            # once it is older than the task timeout); run it as if that
            # time had passed, once the live machine's task of the two is
            # done, so only the lost one is stale.
            swept = []

            def sweep():
                if swept:
                    return
                still = set(Upload.objects.filter(pk__in=in_flight, status=UploadStatus.PROCESSING)
                            .values_list("pk", flat=True))
                if len(still) == 1:
                    later = killed_at + timedelta(seconds=settings.Q_CLUSTER["timeout"] + 31)
                    swept.append((still, maintenance.sweep_stale(now=later)))

            wait_until_settled(timeout=600, hook=sweep)
        finally:
            for machine in machines:
                machine.stop()
            web.stop()

    logs = "\n".join(f"--- {m.name}\n{m.log()[-3000:]}" for m in machines)
    assert swept and swept[0][1]["requeued"] == 1, (swept, logs)
    lost = swept[0][0].pop()
    assert Upload.objects.get(pk=lost).attempts == 2
    assert_nothing_lost(None, accepted, allow_failed=False)
    assert len(accepted) == UPLOADS
    done_events = Counter(Event.objects.filter(kind=EventKind.DONE).values_list("upload_id", flat=True))
    assert done_events == Counter({pk: 1 for pk in accepted}), done_events
    texts = dict(Upload.objects.values_list("pk", "result__text"))
    assert all("Line 0 of a long document" in texts[pk] for pk in accepted), texts
    # No shared filesystem: the images went through the object store only.
    for machine in machines:
        assert machine.files_on_disk() == [], machine.files_on_disk()
        assert machine.tasks_started() >= 1
    assert s3_server.keys(bucket) and all(key.startswith("images/") for key in s3_server.keys(bucket))
    for machine in machines:
        if machine.network.namespace is None:
            continue
        namespaces, command = placement[machine.name]
        # ``ip netns exec`` replaced itself by the command: the pid signalled
        # is the cluster's own, and every process of it is in the namespace.
        assert "manage.py" in command and "netns" not in command, command
        assert len(namespaces) > 1 and set(namespaces) == {machine.network.inode()}, placement
        assert machine.network.inode() != network_of(psutil.Process())
        for key in SERVICE_URLS:
            assert machine.network.connections(worker_env[key]) > 0, (machine.name, key)


def test_worker_machines_have_networks_of_their_own():
    """The namespaces themselves: inside, the host's loopback services are
    out of reach and the forwarded addresses work."""
    reason = netns.unavailable()
    if reason:
        pytest.skip(f"worker machines share the host's loopback: {reason}")
    with netns.machine_networks(1) as (network,):
        redis_url = settings.REDIS_URL
        probe = ("import sys, redis\n"
                 "for url in sys.argv[1:]:\n"
                 "    try:\n"
                 "        print(redis.Redis.from_url(url, socket_timeout=5).ping())\n"
                 "    except redis.ConnectionError:\n"
                 "        print('unreachable')\n")
        result = subprocess.run(network.command([sys.executable, "-c", probe, redis_url, network.url(redis_url)]),
                                capture_output=True, text=True, timeout=60)
        assert result.stdout.split() == ["unreachable", "True"], result.stdout + result.stderr
        assert network.connections(redis_url) == 1
