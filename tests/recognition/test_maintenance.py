from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from recognition import maintenance, services, storage
from recognition.models import Upload, UploadStatus


def stored(upload) -> bool:
    return storage.exists(upload.file_path)




@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("media_backend")
def test_retention_removes_old_keeps_pinned_and_recent(team, member, png, queued):
    old = services.create_upload(team, member, png(), "old.png").upload
    pinned = services.create_upload(team, member, png(), "pinned.png").upload
    recent = services.create_upload(team, member, png(), "recent.png").upload
    long_ago = timezone.now() - timedelta(days=team.retention_days + 1)
    Upload.objects.filter(pk__in=[old.pk, pinned.pk]).update(created_at=long_ago)
    Upload.objects.filter(pk=pinned.pk).update(pinned=True)

    report = maintenance.apply_retention()

    assert report.uploads == 1
    assert set(Upload.objects.values_list("pk", flat=True)) == {pinned.pk, recent.pk}
    assert not stored(old) and stored(pinned) and stored(recent)


@pytest.mark.django_db(transaction=True)
def test_retention_follows_each_teams_setting(team, member, other_team, outsider, png, queued):
    team.retention_days = 30
    team.save()
    mine = services.create_upload(team, member, png(), "mine.png").upload
    theirs = services.create_upload(other_team, outsider, png(), "theirs.png").upload
    Upload.objects.update(created_at=timezone.now() - timedelta(days=10))
    maintenance.apply_retention()
    assert list(Upload.objects.values_list("pk", flat=True)) == [mine.pk]
    assert not stored(theirs)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("media_backend")
def test_orphan_files_removed_by_command(team, member, png, queued, capsys):
    kept = services.create_upload(team, member, png(), "kept.png").upload
    orphan = "ff/ffffffff-orphan.png"
    storage.store(b"x", orphan)
    call_command("apply_retention")
    assert not storage.exists(orphan) and stored(kept)
    assert "1 orphan file" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_sweeper_requeues_lost_tasks_then_gives_up(team, member, png, queued, settings):
    upload = services.create_upload(team, member, png(), "a.png").upload
    queued.clear()
    long_ago = timezone.now() - timedelta(hours=1)
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING, started_at=long_ago, attempts=1)

    assert maintenance.sweep_stale() == {"requeued": 1, "failed": 0, "dispatched": 0}
    assert queued == [upload.pk]
    assert Upload.objects.get(pk=upload.pk).status == UploadStatus.QUEUED

    Upload.objects.filter(pk=upload.pk).update(
        status=UploadStatus.PROCESSING, started_at=long_ago, attempts=settings.Q_CLUSTER["max_attempts"]
    )
    assert maintenance.sweep_stale() == {"requeued": 0, "failed": 1, "dispatched": 0}
    upload.refresh_from_db()
    assert upload.status == UploadStatus.FAILED and "several attempts" in upload.error


@pytest.mark.django_db(transaction=True)
def test_sweeper_leaves_fresh_work_alone(team, member, png, queued):
    services.create_upload(team, member, png(), "a.png")
    assert maintenance.sweep_stale() == {"requeued": 0, "failed": 0, "dispatched": 0}


@pytest.mark.django_db
def test_schedules_exist_once():
    from django_q.models import Schedule

    names = sorted(Schedule.objects.values_list("name", flat=True))
    assert names == ["ocrspace: retention", "ocrspace: sweep stale uploads"]
