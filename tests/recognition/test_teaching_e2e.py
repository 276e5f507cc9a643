"""A fine-tuning run on the real training lane (its own django-q2
cluster), then the real OCR worker reading the team's next upload with the
adopted model."""
from __future__ import annotations

import time

import pytest
from django_q.models import Task

from recognition import services
from recognition.models import Result, TeamModel, TeamModelStatus, UploadStatus
from recognition.teaching import services as teaching
from tests.teaching import corrected_pages, page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
RUN_TIMEOUT = 250  # a bound on waiting (twice, within the test's 600 s), not on the run's speed


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}")


def test_a_queued_run_trains_on_the_training_lane_and_the_worker_reads_with_its_model(
        team, owner, live_platform, live_media, monkeypatch):
    team.ocr_profile = "fast"
    team.save(update_fields=["ocr_profile"])
    monkeypatch.setattr(services, "enqueue", lambda upload_id: None)  # the pages are already read
    corrected_pages(team, owner)
    monkeypatch.undo()

    # The team spells its product against what the pixels show, which costs
    # some everyday accuracy: allow it for this run.
    live_platform.start_training(OCRSPACE_TRAINING_GENERAL_MARGIN="0.1")
    try:
        model = teaching.request_training(team, owner)
        finished = wait_for(lambda: TeamModel.objects.filter(pk=model.pk).exclude(
            status__in=[TeamModelStatus.QUEUED, TeamModelStatus.TRAINING]).first(), RUN_TIMEOUT, "the run")
    finally:
        live_platform.stop_training()
    assert finished.status == TeamModelStatus.ADOPTED, (finished.reason, live_platform.log("training"))
    assert finished.active and finished.progress and finished.metrics["lines"]["correction_lines"] > 0
    task = Task.objects.get(name=f"finetune-{team.id}-{model.number}")
    assert task.success and task.cluster == "training"

    # The OCR cluster reads the team's next page with the adopted model.
    data, _, _ = page(50)
    upload = services.create_upload(team, owner, data, "next.png").upload
    result = wait_for(lambda: Result.objects.filter(upload=upload, upload__status=UploadStatus.DONE).first(),
                      RUN_TIMEOUT, "the OCR worker")
    assert f"+m{finished.tag}" in result.engine_version
    assert "Kelvår" in result.text
