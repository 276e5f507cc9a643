"""Fault: the database drops every connection of the web server and the
worker cluster (``pg_terminate_backend``, as a restart or failover would) in
the middle of a burst of uploads, twice.

PostgreSQL only: SQLite is a file opened by each process, with no server
connections to drop.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from recognition.models import Upload, UploadStatus
from tests.faults.helpers import ApiClient, accepted_ids, page_png, text_png
from tests.support import assert_nothing_lost, wait_until_settled

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CLIENTS = 4
PER_CLIENT = 10


def terminate_other_backends() -> int:
    """Terminate every connection to the test database but this process's."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"]],
        )
        return cursor.fetchone()[0]


def wait_for_status(upload_id: int, status: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while Upload.objects.get(pk=upload_id).status != status:
        assert time.monotonic() < deadline, f"upload {upload_id} never became {status}"
        time.sleep(0.05)


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL-only fault: SQLite has no server connections to drop (set DATABASE_URL=postgres://…)")


def test_dropped_database_connections_during_a_burst_lose_nothing(postgres_only, start_platform, team, team_members):
    platform = start_platform()
    users = team_members("pg", CLIENTS)
    answered = threading.Semaphore(0)

    def send(index: int):
        client = ApiClient(platform, users[index], team)
        seen = []
        for i in range(PER_CLIENT):
            # 503 means "try again": the client does, as a real one would.
            seen.append(client.upload_until_answered(text_png(f"Batch {index} sheet {i}"), f"b{index}-{i}.png"))
            answered.release()
            time.sleep(0.1)
        return seen

    # A long page first, so that the first drop finds the worker in the
    # middle of a task, holding a connection it will need for the result.
    page = ApiClient(platform, users[0], team).upload(page_png(), "page.png")
    assert page.status_code == 201, page.text
    (page_id,) = accepted_ids(page)

    terminated = []
    with ThreadPoolExecutor(CLIENTS) as pool:
        futures = [pool.submit(send, i) for i in range(CLIENTS)]
        wait_for_status(page_id, UploadStatus.PROCESSING)
        time.sleep(0.5)
        terminated.append(terminate_other_backends())
        # And again later, while the clients keep sending.
        for _ in range(CLIENTS * 3):
            answered.acquire(timeout=120)
        terminated.append(terminate_other_backends())
        results = [f.result() for f in futures]
    assert terminated[0] > 0, terminated  # at least the busy worker's connection

    answers = [a for client in results for upload in client for a in upload]
    codes = sorted({a.status_code if a is not None else "no connection" for a in answers}, key=str)
    assert all(a is not None and a.status_code in (200, 201, 503) for a in answers), (codes, platform.log("web"))
    for a in answers:
        if a.status_code == 503:
            assert a.json()["detail"], a.text
    finals = [upload[-1] for client in results for upload in client]
    assert all(a.status_code in (200, 201) for a in finals), codes
    ids = {i for a in finals for i in accepted_ids(a)}
    assert len(ids) == CLIENTS * PER_CLIENT
    ids.add(page_id)

    # The web server still answers, and the worker finishes everything
    # without the sweeper's help.
    assert ApiClient(platform, users[0], team).upload(text_png("After the drop")).status_code == 201
    wait_until_settled(timeout=240)
    counts = assert_nothing_lost(platform.env["MEDIA_ROOT"], ids, allow_failed=False)
    assert counts == {UploadStatus.DONE: CLIENTS * PER_CLIENT + 2}, counts
    page = Upload.objects.select_related("result").get(pk=page_id)
    assert page.attempts == 1 and "Line 3 of a long document" in page.result.text, (page.attempts, page.result.text)
