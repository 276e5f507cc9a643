"""The OCR task's hand-back on SIGTERM (the whole cluster is being stopped).

The live fault test (tests/faults/test_cluster_sigterm.py) stops a real
cluster; these pin the cases where the signal lands in the middle of
something that then fails in its own way."""

from __future__ import annotations

import os
import signal
import time

import pytest
from django.db import OperationalError

from recognition import processing, services, tasks
from recognition.models import Upload, UploadStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def claimed(team, member, png, queued):
    upload = services.create_upload(team, member, png(), "a.png").upload
    assert processing.claim(upload.pk, stale_after_seconds=300) is not None
    return upload


def _sigterm_lands_here():
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(5)  # the handler raises at the next bytecode, long before this ends


def test_sigterm_during_the_task_gives_the_upload_back(claimed, queued):
    with pytest.raises(SystemExit):
        with tasks.give_back_on_sigterm(claimed.pk):
            _sigterm_lands_here()
    claimed.refresh_from_db()
    assert claimed.status == UploadStatus.QUEUED and claimed.started_at is None
    assert queued[-1] == claimed.pk


def test_an_interrupted_query_failing_in_turn_still_gives_the_upload_back(claimed, queued):
    # A database call cut off by the signal fails its rollback: the error
    # that leaves the task is an OperationalError, not the signal's own.
    with pytest.raises(SystemExit):
        with tasks.give_back_on_sigterm(claimed.pk):
            try:
                _sigterm_lands_here()
            except tasks.WorkerStopping:
                raise OperationalError("server closed the connection unexpectedly")
    claimed.refresh_from_db()
    assert claimed.status == UploadStatus.QUEUED
    assert queued[-1] == claimed.pk


def test_errors_without_a_signal_pass_through_untouched(claimed):
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(OperationalError):
        with tasks.give_back_on_sigterm(claimed.pk):
            raise OperationalError("a real database error")
    assert Upload.objects.get(pk=claimed.pk).status == UploadStatus.PROCESSING
    assert signal.getsignal(signal.SIGTERM) is before
