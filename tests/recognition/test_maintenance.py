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


@pytest.mark.django_db(transaction=True)
def test_retention_deletes_in_batches_with_one_event_per_batch(team, member, png, queued):
    from recognition.models import Event, EventKind

    uploads = [services.create_upload(team, member, png(), f"old-{i}.png").upload for i in range(5)]
    pinned = services.create_upload(team, member, png(), "pinned.png").upload
    Upload.objects.update(created_at=timezone.now() - timedelta(days=team.retention_days + 1))
    Upload.objects.filter(pk=pinned.pk).update(pinned=True)
    before = Event.objects.order_by("-pk").values_list("pk", flat=True).first()

    report = maintenance.apply_retention(batch_size=2)

    assert report.uploads == 5
    assert list(Upload.objects.values_list("pk", flat=True)) == [pinned.pk]
    new = list(Event.objects.filter(pk__gt=before).order_by("pk"))
    assert [e.kind for e in new] == [EventKind.EXPIRED] * 3
    assert [e.payload["count"] for e in new] == [2, 2, 1]
    assert sorted(i for e in new for i in e.payload["ids"]) == sorted(u.pk for u in uploads)
    assert all(e.team_id == team.pk and e.upload_id == 0 and e.payload["reason"] == "retention" for e in new)
    assert not any(stored(u) for u in uploads) and stored(pinned)


@pytest.mark.django_db(transaction=True)
def test_retention_keeps_a_file_another_team_still_uses(team, member, other_team, outsider, png, queued):
    image = png()
    mine = services.create_upload(team, member, image, "mine.png").upload
    theirs = services.create_upload(other_team, outsider, image, "theirs.png").upload
    assert mine.file_path == theirs.file_path  # content-addressed: one file for both
    Upload.objects.filter(pk=mine.pk).update(created_at=timezone.now() - timedelta(days=team.retention_days + 1))

    assert maintenance.apply_retention().uploads == 1
    assert list(Upload.objects.values_list("pk", flat=True)) == [theirs.pk]
    assert stored(theirs)


@pytest.mark.django_db(transaction=True)
def test_expired_batch_reaches_the_events_api(team, member, png, queued, client):
    from recognition import selectors

    upload = services.create_upload(team, member, png(), "old.png").upload
    after = selectors.last_event_id(team.pk)
    Upload.objects.update(created_at=timezone.now() - timedelta(days=team.retention_days + 1))
    maintenance.apply_retention()

    client.force_login(member)
    page = client.get(f"/api/teams/{team.slug}/events/?after={after}").json()
    assert [(e["kind"], e["upload_id"], e["upload"]["ids"]) for e in page["events"]] == [
        ("uploads.expired", 0, [upload.pk])]


@pytest.mark.django_db
def test_upload_file_path_is_indexed():
    """The shared-file check of every deletion is an index lookup, not a scan."""
    from django.db import connection

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Upload._meta.db_table)
    assert any(c["index"] and c["columns"] == ["file_path"] for c in constraints.values())


def _with_every_dependent(upload, user) -> None:
    """A row of each table that refers to an upload (recognition.purge)."""
    from recognition.models import Note, Notification, Result, ShareLink, Sighting, Tag, TextVersion

    Sighting.objects.create(upload=upload, user=user, original_name="again.png")
    Result.objects.create(upload=upload, text="text", confidence=0.9, engine_version="test/1")
    TextVersion.objects.create(upload=upload, number=1, kind="engine", text="text")
    tag, _ = Tag.objects.get_or_create(team=upload.team, name="kept")
    tag.uploads.add(upload)
    note = Note.objects.create(upload=upload, author=user, author_name=user.username, body="@someone look")
    Notification.objects.create(user=user, team=upload.team, note=note)
    ShareLink.objects.create(upload=upload, created_by=user, token_hash=f"hash-{upload.pk}", hint="abc",
                             expires_at=timezone.now() + timedelta(days=1))


@pytest.mark.django_db
def test_retention_deletes_every_row_that_goes_with_an_expired_upload_and_nothing_of_a_pinned_one(
        team, member, png, queued):
    from recognition.models import Note, Notification, Result, ShareLink, Sighting, Tag, TextVersion

    expired = services.create_upload(team, member, png(), "old.png").upload
    pinned = services.create_upload(team, member, png(), "pinned.png").upload
    for upload in (expired, pinned):
        _with_every_dependent(upload, member)
    Upload.objects.filter(pk=pinned.pk).update(pinned=True)
    Upload.objects.update(created_at=timezone.now() - timedelta(days=team.retention_days + 1))
    assert maintenance.apply_retention().uploads == 1
    assert list(Upload.objects.values_list("pk", flat=True)) == [pinned.pk]
    for model in (Sighting, Result, TextVersion, Note, ShareLink):
        assert list(model.objects.values_list("upload_id", flat=True)) == [pinned.pk], model
    assert list(Notification.objects.values_list("note__upload_id", flat=True)) == [pinned.pk]
    assert list(Tag.objects.get(name="kept").uploads.values_list("pk", flat=True)) == [pinned.pk]
    assert not stored(expired) and stored(pinned)


def test_purge_names_every_table_that_refers_to_an_upload() -> None:
    """A new relation to Upload must be added to recognition.purge (its rows
    would otherwise block the delete at commit)."""
    from recognition import purge
    from recognition.models import Note, Notification

    referring = set()
    for relation in Upload._meta.related_objects:
        if relation.many_to_many:
            column = next(f.column for f in relation.through._meta.fields if f.related_model is Upload)
            referring.add((relation.through, column))
        else:
            referring.add((relation.related_model, relation.field.column))
    assert referring == set(purge.DEPENDENTS)
    # Only notes have rows of their own that go with them (purge deletes their notifications).
    for model, _ in purge.DEPENDENTS:
        expected = {Notification} if model is Note else set()
        assert {r.related_model for r in model._meta.related_objects} == expected, model
