"""Fault: Redis (queue broker, channel layer and cache) goes away in the
middle of a burst of uploads and comes back empty (it keeps nothing on disk).

Only with REDIS_URL: the embedded default has no Redis to restart. The
machine's Redis is shared, so it is restarted with the CI command line and
is always started again, whatever happens to the test.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from recognition import maintenance
from recognition.models import UploadStatus
from tests.faults.helpers import ApiClient, accepted_ids, start_redis, stop_redis, text_png
from tests.support import assert_nothing_lost, wait_until_settled

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not settings.REDIS_URL,
        reason="Redis is not configured (REDIS_URL unset): the embedded default has no Redis to restart; "
        "this fault runs in the PostgreSQL + Redis configuration",
    ),
]

CLIENTS = 4
PER_CLIENT = 8
OUTAGE_SECONDS = 3


def test_redis_restarted_during_a_burst_loses_nothing(start_platform, team, team_members):
    platform = start_platform()
    users = team_members("redis", CLIENTS)
    answered = threading.Semaphore(0)

    def send(index: int):
        client = ApiClient(platform, users[index], team)
        seen = []
        for i in range(PER_CLIENT):
            # A client that meets the outage tries again, as a real one would.
            answers = client.upload_until_answered(text_png(f"Client {index} page {i}"), f"c{index}-{i}.png")
            seen.append(answers)
            answered.release()
            time.sleep(0.2)
        return seen

    try:
        with ThreadPoolExecutor(CLIENTS) as pool:
            futures = [pool.submit(send, i) for i in range(CLIENTS)]
            for _ in range(CLIENTS * 2):  # a quarter of the burst is in
                answered.acquire(timeout=120)
            stop_redis()
            time.sleep(OUTAGE_SECONDS)
            start_redis()
            results = [f.result() for f in futures]
    finally:
        start_redis()

    answers = [a for client in results for upload in client for a in upload]
    finals = [upload[-1] for client in results for upload in client]
    # During the outage an upload may be refused with 503 (try again) or the
    # connection may fail, but the server never answers 500, and in the end
    # every upload is stored.
    codes = sorted({a.status_code if a is not None else "no connection" for a in answers}, key=str)
    assert all(a is None or a.status_code in (200, 201, 503) for a in answers), (codes, platform.log("web"))
    for a in answers:
        if a is not None and a.status_code == 503:
            assert a.json()["detail"], a.text
    assert all(a is not None and a.status_code == 201 for a in finals), codes
    ids = {i for a in finals for i in accepted_ids(a)}
    assert len(ids) == CLIENTS * PER_CLIENT

    # Messages in Redis were lost with it (no persistence, no acknowledgements):
    # the scheduled sweeper re-queues uploads waiting longer than twice the
    # retry interval. Run it as if that time had passed, as the scheduler would.
    later = timezone.now() + timedelta(seconds=settings.Q_CLUSTER["retry"] * 2 + 1)
    maintenance.sweep_stale(now=later)
    wait_until_settled(timeout=240)
    counts = assert_nothing_lost(platform.env["MEDIA_ROOT"], ids, allow_failed=False)
    assert counts == {UploadStatus.DONE: CLIENTS * PER_CLIENT}, counts
