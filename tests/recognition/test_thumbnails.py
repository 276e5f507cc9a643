"""Real thumbnails: small WebP images made once by the worker, served through
the image's permission check, removed with the image."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from recognition import maintenance, services, storage, tasks, thumbnails

# Every test runs on the filesystem and on the S3 server.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_backend")]


def capture(png) -> bytes:
    """A tall chat capture, 1080 x 4000, noisy enough to be a few MB as a PNG."""
    import numpy as np

    pixels = np.random.default_rng(7).integers(0, 255, (4000, 1080, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def tall_upload(team, member, png, fake_engine, queued):
    upload = services.create_upload(team, member, capture(png), "chat.png").upload
    tasks.run_ocr(upload.pk)
    upload.refresh_from_db()
    return upload


def test_the_worker_makes_a_small_webp_once(tall_upload):
    path = thumbnails.path_for(tall_upload.file_path)
    assert storage.exists(path)
    data = storage.read(path)
    image = Image.open(io.BytesIO(data))
    assert image.format == "WEBP" and max(image.size) <= thumbnails.SIZE
    assert image.size == (thumbnails.SIZE, thumbnails.SIZE)  # the top of the tall capture, not a sliver
    assert len(data) * 20 < tall_upload.byte_size
    storage.delete(path)
    storage.store(b"RIFF-kept-WEBP", path)  # stands for the thumbnail made before
    services.requeue(tall_upload)
    tasks.run_ocr(tall_upload.pk)  # read again: the thumbnail is not made again
    assert storage.read(path) == b"RIFF-kept-WEBP"


def test_the_thumbnail_is_served_like_the_image(tall_upload, member, viewer, outsider, client_for, client):
    url = reverse("upload-thumbnail", args=[tall_upload.pk])
    for user in (member, viewer):
        response = client_for(user).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/webp"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content)[8:12] == b"WEBP"
    assert client_for(outsider).get(url).status_code == 404
    assert client.get(url).status_code == 302
    services.set_hidden(tall_upload, tall_upload.team.memberships.get(role="owner").user, True)
    assert client_for(member).get(url).status_code == 404


def test_feed_and_search_show_thumbnails_not_the_image(tall_upload, member, client_for):
    client = client_for(member)
    thumb, image = (reverse(name, args=[tall_upload.pk]) for name in ("upload-thumbnail", "upload-image"))
    for page in (client.get(reverse("team-space", args=[tall_upload.team.slug])),
                 client.get(reverse("team-search", args=[tall_upload.team.slug]), {"q": "image"})):
        html = page.content.decode()
        assert f'src="{thumb}"' in html and f'src="{image}"' not in html


def test_a_thumbnail_is_made_on_request_before_the_worker_gets_there(team, member, png, client_for, queued):
    upload = services.create_upload(team, member, png(size=(400, 300)), "waiting.png").upload
    response = client_for(member).get(reverse("upload-thumbnail", args=[upload.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    assert storage.exists(thumbnails.path_for(upload.file_path))


def test_the_thumbnail_goes_with_the_image(tall_upload, other_team, outsider, fake_engine, queued,
                                           django_capture_on_commit_callbacks):
    data = storage.read(tall_upload.file_path)
    theirs = services.create_upload(other_team, outsider, data, "same.png").upload  # shares the stored file
    thumb = thumbnails.path_for(tall_upload.file_path)
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_upload(tall_upload)
    assert storage.exists(thumb)  # still the other team's
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_upload(theirs)
    assert not storage.exists(thumb) and not storage.exists(tall_upload.file_path)


def test_orphan_thumbnails_are_removed(tall_upload):
    stray = thumbnails.path_for("ab/" + "0" * 32 + "-" + "0" * 16 + ".png")
    storage.store(b"RIFF0000WEBP", stray)
    removed = maintenance.remove_orphan_files()
    assert stray in removed and not storage.exists(stray)
    assert storage.exists(thumbnails.path_for(tall_upload.file_path))
