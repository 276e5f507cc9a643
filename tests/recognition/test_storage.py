"""The image storage through Django's storage API, on the filesystem and on
a real S3-compatible server: names, atomic writes, reading in chunks,
listing, deleting, and the permission-checked views that stream the files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse

from recognition import services, storage, tasks, thumbnails
from recognition.models import Upload

both = pytest.mark.usefixtures("media_backend")


@both
def test_store_read_list_delete(media_backend):
    name = storage.content_path("ab" + "1" * 30, "2" * 64, "png")
    assert not storage.exists(name)
    storage.store(b"first bytes", name)
    storage.store(b"first bytes", name)  # the same content again: nothing to do
    assert storage.exists(name) and storage.read(name) == b"first bytes"
    thumb = thumbnails.path_for(name)
    storage.store(b"RIFF....WEBP", thumb)
    assert storage.all_files() == [name]  # thumbnails are listed apart
    assert storage.all_thumbnails() == [thumb]
    assert storage.delete(name) is True and storage.delete(name) is False
    assert not storage.exists(name) and storage.all_files() == []
    with pytest.raises(FileNotFoundError):
        storage.read(name)


@both
def test_a_file_is_read_in_chunks_of_known_size(media_backend):
    data = os.urandom(3 * storage.CHUNK_SIZE + 17)
    storage.store(data, "cd/big.png")
    stream = storage.open_stream("cd/big.png")
    assert stream.size == len(data)
    chunks = list(stream.chunks())
    assert len(chunks) >= 4 and max(map(len, chunks)) <= storage.CHUNK_SIZE and b"".join(chunks) == data


@both
@pytest.mark.parametrize("bad", ["../escape.png", "ab/../../escape.png", "/etc/passwd", ""])
def test_names_outside_the_storage_are_refused(media_backend, bad):
    with pytest.raises(ValueError):
        storage.store(b"x", bad)
    with pytest.raises(ValueError):
        storage.read(bad)


@both
@pytest.mark.django_db
def test_the_database_keeps_only_the_relative_name(media_backend, team, member, png, queued, settings):
    upload = services.create_upload(team, member, png(), "a.png").upload
    assert not upload.file_path.startswith("/") and str(settings.MEDIA_ROOT) not in upload.file_path
    assert upload.file_path == storage.content_path(upload.md5, upload.sha256, "png")
    root = Path(settings.MEDIA_ROOT)
    on_disk = [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
    # On S3 nothing is written to the machine's disk at all.
    assert len(on_disk) == (1 if media_backend == "filesystem" else 0)


@both
@pytest.mark.django_db
def test_s3_objects_sit_under_the_prefix_and_are_removed(media_backend, team, member, png, queued, request,
                                                         django_capture_on_commit_callbacks):
    upload = services.create_upload(team, member, png(), "a.png").upload
    if media_backend == "s3":
        server = request.getfixturevalue("s3_server")
        assert server.keys(request.node.s3_bucket) == {f"media/{upload.file_path}"}
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_upload(upload)
    assert not storage.exists(upload.file_path)
    if media_backend == "s3":
        assert server.keys(request.node.s3_bucket) == set()


@both
@pytest.mark.django_db
def test_the_worker_reads_the_bytes_through_the_storage(media_backend, team, member, png, queued, fake_engine):
    upload = services.create_upload(team, member, png(size=(321, 45)), "a.png").upload
    assert tasks.run_ocr(upload.pk) == "done"
    upload.refresh_from_db()
    assert upload.result.text.startswith("image 321x45")
    assert storage.exists(thumbnails.path_for(upload.file_path))


@both
@pytest.mark.django_db
def test_the_views_stream_the_stored_image(media_backend, team, member, outsider, client_for, queued):
    data = _big_png()
    upload = services.create_upload(team, member, data, "big.png").upload
    response = client_for(member).get(reverse("upload-image", args=[upload.pk]))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Length"] == str(len(data)) and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"".join(response.streaming_content) == data
    assert client_for(outsider).get(reverse("upload-image", args=[upload.pk])).status_code == 404


@both
@pytest.mark.django_db(transaction=True)
def test_under_asgi_the_image_is_sent_chunk_by_chunk(media_backend, team, member, queued):
    """Django would read a synchronous streaming body into one list before
    sending it under ASGI: the views give daphne an async iterator."""
    from asgiref.sync import async_to_sync
    from django.test import AsyncClient

    data = _big_png()
    upload = services.create_upload(team, member, data, "big.png").upload

    async def fetch():
        client = AsyncClient()
        await client.aforce_login(member)
        response = await client.get(reverse("upload-image", args=[upload.pk]))
        return response, [chunk async for chunk in response.streaming_content]

    response, chunks = async_to_sync(fetch)()
    assert response.status_code == 200 and response.is_async
    assert len(chunks) > 1 and max(map(len, chunks)) <= storage.CHUNK_SIZE and b"".join(chunks) == data


@both
@pytest.mark.django_db
def test_a_missing_file_answers_404(media_backend, team, member, client_for, png, queued):
    upload = services.create_upload(team, member, png(), "a.png").upload
    storage.delete(upload.file_path)
    assert client_for(member).get(reverse("upload-image", args=[upload.pk])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("fault", ["bucket gone", "store unreachable"])
def test_a_store_that_cannot_be_read_sends_the_upload_back_to_the_queue(team, member, png, queued, settings,
                                                                        s3_server, fake_engine, fault):
    bucket = s3_server.new_bucket()
    settings.STORAGES = {**settings.STORAGES, "default": s3_server.storage_setting(bucket)}
    upload = services.create_upload(team, member, png(), "a.png").upload
    if fault == "bucket gone":
        s3_server.client().delete_object(Bucket=bucket, Key=upload.file_path)
        s3_server.client().delete_bucket(Bucket=bucket)
    else:
        from tests.s3 import S3Server

        nobody = S3Server(log_path=None)  # a port with no server behind it
        settings.STORAGES = {**settings.STORAGES, "default": nobody.storage_setting(bucket)}
    assert tasks.run_ocr(upload.pk) == "released: requeued"
    upload.refresh_from_db()
    assert upload.status == "queued" and fake_engine.calls == 0


@pytest.mark.django_db
def test_an_unreachable_store_answers_503_with_a_message(team, member, png, queued, settings, client_for, s3_server):
    from tests.s3 import S3Server

    bucket = s3_server.new_bucket()
    settings.STORAGES = {**settings.STORAGES, "default": s3_server.storage_setting(bucket)}
    upload = services.create_upload(team, member, png(), "a.png").upload
    settings.STORAGES = {**settings.STORAGES, "default": S3Server(log_path=None).storage_setting(bucket)}
    client = client_for(member)
    for name in ("upload-image", "upload-thumbnail"):
        response = client.get(reverse(name, args=[upload.pk]))
        assert response.status_code == 503 and "storage cannot be reached" in response.json()["detail"]


@pytest.mark.django_db
def test_deleting_while_the_store_is_unreachable_leaves_an_orphan_for_retention(
        team, member, png, queued, settings, s3_server, django_capture_on_commit_callbacks):
    from recognition import maintenance
    from tests.s3 import S3Server

    bucket = s3_server.new_bucket()
    reachable = s3_server.storage_setting(bucket)
    settings.STORAGES = {**settings.STORAGES, "default": reachable}
    upload = services.create_upload(team, member, png(), "a.png").upload
    settings.STORAGES = {**settings.STORAGES, "default": S3Server(log_path=None).storage_setting(bucket)}
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_upload(upload)
    assert not Upload.objects.exists() and s3_server.keys(bucket) == {upload.file_path}
    settings.STORAGES = {**settings.STORAGES, "default": reachable}
    assert maintenance.remove_orphan_files() == [upload.file_path] and s3_server.keys(bucket) == set()


def _big_png() -> bytes:
    import io

    import numpy as np
    from PIL import Image

    pixels = np.random.default_rng(3).integers(0, 255, (300, 400, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


# --- The filesystem backend's atomic writes ----------------------------------------

def test_a_stopping_process_discards_only_its_own_unfinished_writes(settings):
    root = Path(settings.MEDIA_ROOT)
    mine = root / "ab" / f".incoming-{os.getpid()}-x1"
    theirs = root / "thumbs" / "ab" / ".incoming-1-x2"
    for path in (mine, theirs):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"partial")
    storage.discard_own_temporary_files()
    assert not mine.exists() and theirs.exists()


def test_a_failed_write_leaves_no_file_under_its_name(settings, monkeypatch):
    def no_space(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    with pytest.raises(storage.StorageUnavailable) as caught:
        storage.store(b"data", "ab/full.png")
    assert caught.value.full
    root = Path(settings.MEDIA_ROOT)
    assert [p for p in root.rglob("*") if p.is_file()] == []

