"""The queue broker without Redis (recognition.broker): its polls keep the
connection and still hand out what is queued; a failed connection is
replaced."""

import pytest
from django.db import connection
from django_q.conf import Conf

from recognition.broker import KeptConnectionORM

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker(monkeypatch):
    monkeypatch.setattr(Conf, "ORM", "default")  # as without REDIS_URL, whatever this run's settings
    monkeypatch.setattr(Conf, "POLL", 0)
    return KeptConnectionORM(list_key="test-queue")


def test_polls_keep_the_connection_and_hand_out_queued_tasks(broker) -> None:
    assert broker.dequeue() is None
    kept = connection.connection
    assert kept is not None
    assert broker.dequeue() is None
    broker.enqueue("a task")
    [(task_id, payload)] = broker.dequeue()
    assert payload == "a task"
    assert broker.dequeue() is None  # taken: locked until acknowledged
    broker.acknowledge(task_id)
    assert broker.dequeue() is None and broker.queue_size() == 0
    assert connection.connection is kept


def test_a_connection_that_failed_is_replaced(broker, monkeypatch) -> None:
    broker.dequeue()
    failed = connection.connection
    connection.errors_occurred = True
    monkeypatch.setattr(connection, "is_usable", lambda: False)
    assert broker.dequeue() is None
    assert connection.connection is not None and connection.connection is not failed
