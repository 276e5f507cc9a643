"""Region reads (``recognition.regions``, ``/api/uploads/<id>/region/``):
a quick read of a rectangle through the queue, or the rectangle kept as a
new upload; who may, and what is refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from recognition import processing, services, storage
from recognition.models import Upload, UploadStatus
from tests.support import make_png

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_engine_text() -> str:
    return "image {width}x{height}\nsecond line"


@pytest.fixture
def done_upload(team, owner, queued):
    upload = services.create_upload(team, owner, make_png((400, 200)), "page.png").upload
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING)
    upload.refresh_from_db()
    processing.complete(upload, text="whole page", confidence=0.9, lines=[], engine_version="t/1", timings={})
    upload.refresh_from_db()
    return upload


def region(upload_id: int) -> str:
    return f"/api/uploads/{upload_id}/region/"


def test_a_quick_read_answers_the_regions_text_through_the_queue(api_for, owner, done_upload, sync_queue, fake_engine):
    client = api_for(owner)
    asked = client.post(region(done_upload.pk), {"x": 50, "y": 20, "width": 300, "height": 100}, format="json")
    assert asked.status_code == 202, asked.content
    assert asked.json()["status"] == "pending"
    answer = client.get(asked.json()["poll"])
    assert answer.status_code == 200, answer.content
    body = answer.json()
    # The stand-in engine reports the size of what it was given: the region.
    assert body["status"] == "done"
    assert body["text"].splitlines()[0] == "image 300x100"
    assert body["region"] == [50, 20, 300, 100]
    # Line boxes are moved into the whole image's pixels.
    assert body["lines"][0]["box"][0] == [50, 20]
    # Nothing of the upload changed, and no upload was added.
    assert Upload.objects.filter(team=done_upload.team).count() == 1
    assert done_upload.result.text == "whole page"


def test_a_region_past_the_edge_is_clipped_to_the_image(api_for, owner, done_upload, sync_queue, fake_engine):
    client = api_for(owner)
    asked = client.post(region(done_upload.pk), {"x": 300, "y": 150, "width": 500, "height": 500}, format="json")
    body = client.get(asked.json()["poll"]).json()
    assert body["region"] == [300, 150, 100, 50]
    assert body["text"].startswith("image 100x50")


def test_saving_a_region_makes_a_new_upload_of_the_cut_out(api_for, owner, done_upload, queued,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(owner).post(region(done_upload.pk),
                                       {"x": 10, "y": 10, "width": 120, "height": 60, "save": True}, format="json")
    assert response.status_code == 201, response.content
    new = Upload.objects.get(pk=response.json()["id"])
    assert (new.team_id, new.width, new.height) == (done_upload.team_id, 120, 60)
    assert "(10,10 120×60)" in new.original_name
    stored = Image.open(io.BytesIO(storage.read(new.file_path)))
    original = Image.open(io.BytesIO(storage.read(done_upload.file_path))).convert("RGB")
    assert stored.convert("RGB").getpixel((0, 0)) == original.getpixel((10, 10))
    assert new.pk in queued
    # The same region again is the same image: found, not stored twice.
    again = api_for(owner).post(region(done_upload.pk), {"x": 10, "y": 10, "width": 120, "height": 60, "save": True},
                                format="json")
    assert again.status_code == 200 and again.json()["id"] == new.pk


@pytest.mark.parametrize("box", [
    {"x": 395, "y": 0, "width": 50, "height": 50},  # 5 px left on the image
    {"x": 0, "y": 0, "width": 4, "height": 100},  # too narrow
    {"x": 1000, "y": 1000, "width": 50, "height": 50},  # off the image
])
def test_a_region_that_holds_too_little_of_the_image_is_refused(api_for, owner, done_upload, box):
    response = api_for(owner).post(region(done_upload.pk), box, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "region_invalid"
    assert "8 pixels" in response.json()["detail"]


def test_bad_fields_are_refused_with_the_field_named(api_for, owner, done_upload):
    client = api_for(owner)
    for body, field in (({"x": -1, "y": 0, "width": 10, "height": 10}, "x"),
                        ({"x": 0, "y": "top", "width": 10, "height": 10}, "y"),
                        ({"x": 0, "y": 0, "width": 10}, "height")):
        response = client.post(region(done_upload.pk), body, format="json")
        assert response.status_code == 400
        assert field in response.json()["errors"], response.json()


def test_a_region_of_an_image_still_being_read_waits(api_for, owner, team, queued):
    upload = services.create_upload(team, owner, make_png((200, 100)), "q.png").upload
    response = api_for(owner).post(region(upload.pk), {"x": 0, "y": 0, "width": 50, "height": 50}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "region_not_ready"


def test_viewers_cannot_and_other_teams_do_not_see_it(api_for, viewer, make_user, other_team, done_upload):
    box = {"x": 0, "y": 0, "width": 50, "height": 50}
    assert api_for(viewer).post(region(done_upload.pk), box, format="json").status_code == 403
    stranger = other_team.memberships.get().user
    assert api_for(stranger).post(region(done_upload.pk), box, format="json").status_code == 404


def test_the_answer_of_another_task_is_not_a_region_read(api_for, owner, done_upload, team, sync_queue, fake_engine):
    """A task id of a region read of another upload (or any other task) is
    "no such read" here, so ids cannot be used to read other results."""
    other = services.create_upload(team, owner, make_png((300, 300)), "other.png").upload
    Upload.objects.filter(pk=other.pk).update(status=UploadStatus.DONE)
    asked = api_for(owner).post(region(other.pk), {"x": 0, "y": 0, "width": 50, "height": 50}, format="json")
    task = asked.json()["poll"].rstrip("/").rsplit("/", 1)[1]
    assert api_for(owner).get(f"/api/uploads/{done_upload.pk}/region/{task}/").status_code == 404
    assert api_for(owner).get(f"/api/uploads/{done_upload.pk}/region/not-a-task/").status_code == 404
    # An unknown (not yet finished) id is pending.
    pending = api_for(owner).get(f"/api/uploads/{done_upload.pk}/region/{'a' * 32}/")
    assert pending.status_code == 202 and pending.json()["status"] == "pending"


def test_a_region_of_a_failed_upload_with_damaged_pixels_is_a_400(api_for, owner, team, queued):
    # Uploads are decoded first by the worker, so a failed one may hold
    # pixels that cannot be decoded: keeping a region of it is refused.
    from tests.support import corrupt_pixels_png

    upload = services.create_upload(team, owner, corrupt_pixels_png((400, 200)), "damaged.png").upload
    processing.fail(upload.pk, "The image could not be read")
    kept = api_for(owner).post(region(upload.pk), {"x": 10, "y": 10, "width": 120, "height": 60, "save": True},
                               format="json")
    assert kept.status_code == 400, kept.content
    assert "could not be read" in kept.json()["detail"]
    assert Upload.objects.filter(team=team).count() == 1
