"""Fault: the whole worker cluster gets SIGTERM (as a service manager stopping
it sends to every process of the service) while a backlog of uploads waits,
then the cluster is started again. (SIGKILL of one worker mid-task is in
tests/recognition/test_pipeline_e2e.py.)"""

from __future__ import annotations

import signal
import time

import pytest

from recognition.models import Upload, UploadStatus
from tests.faults.helpers import ApiClient, accepted_ids, text_png
from tests.support import assert_nothing_lost, status_counts, wait_until_settled

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BACKLOG = 8


def test_sigterm_of_the_cluster_with_a_backlog_then_restart_loses_nothing(start_platform, team, member):
    platform = start_platform()
    client = ApiClient(platform, member, team)
    ids = []
    for i in range(BACKLOG):
        response = client.upload(text_png(f"Backlog item {i} sum {i * 41}"), f"backlog-{i}.png")
        assert response.status_code == 201, response.text
        ids += accepted_ids(response)
    assert len(set(ids)) == BACKLOG

    # Stop the cluster as soon as it works on the backlog (the first task
    # loads the engine, so most uploads are still waiting).
    deadline = time.monotonic() + 120
    while not Upload.objects.exclude(status=UploadStatus.QUEUED).exists():
        assert time.monotonic() < deadline, platform.log("worker")
        time.sleep(0.05)
    assert platform.stop_worker(signal.SIGTERM, timeout=60), "the cluster needed SIGKILL: " + platform.log("worker")
    before_restart = status_counts()
    assert before_restart.get(UploadStatus.QUEUED, 0) >= BACKLOG // 2, before_restart

    platform.start_worker()
    wait_until_settled(timeout=240)
    counts = assert_nothing_lost(platform.env["MEDIA_ROOT"], ids, allow_failed=False)
    assert counts == {UploadStatus.DONE: BACKLOG}, counts
    for i, upload in enumerate(Upload.objects.filter(pk__in=ids).order_by("pk").select_related("result")):
        assert f"item {i}" in upload.result.text.lower(), (upload.pk, upload.result.text)
