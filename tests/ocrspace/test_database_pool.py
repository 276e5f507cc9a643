"""The PostgreSQL connection pool in the running settings: requests share
the process's pooled connections, and a forked worker never uses its
parent's. PostgreSQL only (CI exports DATABASE_URL)."""

from __future__ import annotations

import multiprocessing

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not connection.settings_dict["OPTIONS"].get("pool"),
                       reason="no connection pool: PostgreSQL has one unless OCRSPACE_DB_POOL=0, SQLite never"),
]


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def request_backends(requests: int) -> set[int]:
    """The backends that ``requests`` requests in a row used: each takes a
    connection and gives it back at its end (CONN_MAX_AGE=0 closes it)."""
    pids = set()
    for _ in range(requests):
        pids.add(backend_pid())
        connection.close()
    return pids


def test_requests_take_their_connections_from_the_pool():
    assert connection.pool is not None
    pids = request_backends(30)
    # Without a pool every request would start a backend of its own; the
    # pool opens a few while it fills and no more.
    assert len(pids) <= connection.pool.max_size < 30


def _child_pid(queue) -> None:
    from django.db import connection as child_connection

    try:
        with child_connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            queue.put(cursor.fetchone()[0])
    except Exception as error:  # noqa: BLE001 - reported to the parent
        queue.put(repr(error))
    finally:
        child_connection.close()


def test_a_forked_worker_opens_its_own_pool():
    parents = request_backends(4)  # idle in the pool, as when django-q2 forks its workers
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_child_pid, args=(queue,))
    child.start()
    got = queue.get(timeout=120)  # hang guards, not time bounds
    child.join(timeout=120)
    assert isinstance(got, int), got
    assert got not in parents, "the child used one of the parent's pooled connections"
    assert child.exitcode == 0
    # The child's exit ended none of the parent's connections (the pool
    # would have replaced a dead one with a new backend).
    assert request_backends(4) <= parents
