from pathlib import Path

import pytest
from django.conf import settings

from ocrspace.errors import Forbidden, NotFound
from ocrspace.errors.codes import status_for
from recognition import processing, services
from recognition.models import Event, Result, Sighting, Upload, UploadStatus
from recognition.services import UploadRejected

from tests.support import TESTDATA


def media_files() -> list[Path]:
    """The stored images (thumbnails, under thumbs/, are counted apart)."""
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file() and "thumbs" not in p.relative_to(root).parts) \
        if root.exists() else []


def thumbnail_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "thumbs"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.django_db(transaction=True)
def test_upload_is_stored_queued_and_processed(team, member, png, fake_engine, sync_queue):
    data = png((200, 50))
    outcome = services.create_upload(team, member, data, "shot.png")
    upload = Upload.objects.get(pk=outcome.upload.pk)
    assert outcome.created and not outcome.deduplicated
    assert upload.status == UploadStatus.DONE
    assert upload.result.text == "image 200x50\nsecond line"
    assert (upload.width, upload.height, upload.image_type, upload.byte_size) == (200, 50, "png", len(data))
    assert [p.name for p in media_files()] == [Path(upload.file_path).name]
    assert [p.name for p in thumbnail_files()] == [Path(upload.file_path).stem + ".webp"]  # made by the worker
    assert upload.file_path.startswith(upload.md5[:2] + "/")
    kinds = list(Event.objects.filter(upload_id=upload.pk).values_list("kind", flat=True))
    assert kinds == ["upload.created", "upload.processing", "upload.done"]


@pytest.mark.django_db(transaction=True)
def test_same_image_same_team_is_deduplicated(team, member, owner, png, fake_engine, sync_queue):
    data = png()
    first = services.create_upload(team, member, data, "a.png")
    second = services.create_upload(team, owner, data, "copy of a.png")
    assert second.deduplicated and not second.created
    assert second.upload.pk == first.upload.pk
    assert fake_engine.calls == 1
    assert Upload.objects.count() == 1 and len(media_files()) == 1
    sighting = Sighting.objects.get()
    assert (sighting.user, sighting.original_name) == (owner, "copy of a.png")


@pytest.mark.django_db(transaction=True)
def test_same_image_in_other_team_reuses_result_without_inference(team, member, other_team, outsider, png, fake_engine, sync_queue):
    data = png()
    services.create_upload(team, member, data, "a.png")
    theirs = services.create_upload(other_team, outsider, data, "b.png").upload
    theirs.refresh_from_db()
    assert fake_engine.calls == 1
    assert theirs.team == other_team and theirs.uploaded_by == outsider
    assert theirs.result.reused and theirs.result.text == "image 120x40\nsecond line"
    assert Upload.objects.count() == 2 and len(media_files()) == 1


@pytest.mark.django_db(transaction=True)
def test_result_of_another_engine_version_is_not_reused(team, member, other_team, outsider, png, fake_engine, sync_queue):
    data = png()
    services.create_upload(team, member, data, "a.png")
    fake_engine.engine_version = "fake-engine/2"
    services.create_upload(other_team, outsider, data, "b.png")
    assert fake_engine.calls == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("pair", [("md5pair_a.jpg", "md5pair_b.jpg"), ("md5pair_a.png", "md5pair_b.png")])
def test_md5_collision_never_shares_a_result(team, member, pair, fake_engine, sync_queue):
    first, second = ((TESTDATA / "md5-collision" / name).read_bytes() for name in pair)
    import hashlib

    assert hashlib.md5(first).digest() == hashlib.md5(second).digest() and first != second
    outcomes = []
    for name, data in zip(pair, (first, second)):
        try:
            outcomes.append(services.create_upload(team, member, data, name))
        except UploadRejected as error:
            outcomes.append(error)
    accepted = [o for o in outcomes if not isinstance(o, UploadRejected)]
    # Rejecting a file the decoder refuses is fine; reading one as the other is not.
    assert all(o.created and not o.deduplicated for o in accepted)
    if len(accepted) == 2:
        a, b = (Upload.objects.get(pk=o.upload.pk) for o in accepted)
        assert a.sha256 != b.sha256 and a.file_path != b.file_path
        assert fake_engine.calls == 2
        assert not a.result.reused and not b.result.reused
    assert len(media_files()) == len(accepted)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data,status,message",
    [
        (b"", 400, "empty"),
        (b"hello, not an image", 415, ""),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", 415, ""),
    ],
)
def test_bad_files_are_rejected_and_nothing_stored(team, member, data, status, message):
    with pytest.raises(UploadRejected) as caught:
        services.create_upload(team, member, data, "x.png")
    assert status_for(caught.value.code) in (400, 415)
    assert message in str(caught.value)
    assert Upload.objects.count() == 0 and media_files() == []


@pytest.mark.django_db
def test_truncated_and_oversized_images_are_rejected(team, member, png, settings):
    data = png((300, 300))
    with pytest.raises(UploadRejected):
        services.create_upload(team, member, data[: len(data) // 2], "cut.png")
    settings.OCRSPACE_MAX_UPLOAD_BYTES = 100
    with pytest.raises(UploadRejected) as caught:
        services.create_upload(team, member, data, "big.png")
    assert status_for(caught.value.code) == 413
    settings.OCRSPACE_MAX_UPLOAD_BYTES = 10**7
    settings.OCRSPACE_MAX_IMAGE_PIXELS = 1000
    with pytest.raises(UploadRejected):
        services.create_upload(team, member, data, "many-pixels.png")
    assert Upload.objects.count() == 0 and media_files() == []


@pytest.mark.django_db
def test_names_are_labels_not_paths(team, member, png, sync_queue, fake_engine):
    upload = services.create_upload(team, member, png(), "../../etc/passwd\x00.png").upload
    assert upload.original_name == "passwd.png"
    assert ".." not in upload.file_path and "passwd" not in upload.file_path


@pytest.mark.django_db
def test_viewer_and_outsider_cannot_upload(team, viewer, outsider, png):
    with pytest.raises(Forbidden):
        services.create_upload(team, viewer, png(), "a.png")
    with pytest.raises(NotFound):
        services.create_upload(team, outsider, png(), "a.png")
    assert Upload.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_engine_error_fails_upload_with_message(team, member, png, fake_engine, sync_queue):
    fake_engine.error = RuntimeError("boom")
    upload = services.create_upload(team, member, png(), "a.png").upload
    upload.refresh_from_db()
    assert upload.status == UploadStatus.FAILED
    assert "Recognition failed (RuntimeError)" in upload.error
    assert not Result.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_claim_is_exclusive(team, member, png, monkeypatch):
    monkeypatch.setattr(services, "enqueue", lambda upload_id: None)
    upload = services.create_upload(team, member, png(), "a.png").upload
    assert processing.claim(upload.pk, stale_after_seconds=300) is not None
    assert processing.claim(upload.pk, stale_after_seconds=300) is None
    # A claim older than the staleness limit can be taken over (worker died).
    assert processing.claim(upload.pk, stale_after_seconds=0) is not None
    upload.refresh_from_db()
    assert upload.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_rerun_pin_and_delete_permissions(team, member, owner, viewer, add_member, png, fake_engine, sync_queue):
    upload = services.create_upload(team, member, png(), "a.png").upload
    other_member = add_member(team)
    with pytest.raises(Forbidden):
        services.rerun(upload, viewer)
    services.rerun(upload, member)
    assert fake_engine.calls == 2
    services.set_pinned(upload, member, True)
    assert Upload.objects.get(pk=upload.pk).pinned
    with pytest.raises(Forbidden):
        services.delete_upload(upload, other_member)
    upload_id = upload.pk
    services.delete_upload(upload, owner)
    assert not Upload.objects.exists() and media_files() == []
    assert Event.objects.filter(kind="upload.deleted", upload_id=upload_id).exists()


@pytest.mark.django_db(transaction=True)
def test_shared_file_survives_deleting_one_team_copy(team, member, other_team, outsider, png, fake_engine, sync_queue):
    data = png()
    mine = services.create_upload(team, member, data, "a.png").upload
    services.create_upload(other_team, outsider, data, "a.png")
    services.delete_upload(mine, member)
    assert len(media_files()) == 1
