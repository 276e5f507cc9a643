"""POST /ocr/recognize through Django's test client (stand-in engine).

The same request from a real client against a real server and worker is in
test_e2e.py."""

import re

import pytest
from django.test import Client
from rest_framework_simplejwt.tokens import RefreshToken

from recognition.models import Upload

URL = "/ocr/recognize"


def bearer(user, **claims) -> dict:
    refresh = RefreshToken.for_user(user)
    for key, value in claims.items():
        refresh[key] = value
    return {"HTTP_AUTHORIZATION": f"Bearer {refresh.access_token}"}


def post(user=None, data: bytes = b"", name="screenshot.png", headers=None, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    payload = {"image": SimpleUploadedFile(name, data, "image/png"), **fields}
    return Client().post(URL, payload, **(headers if headers is not None else bearer(user)))


@pytest.mark.django_db(transaction=True)
def test_text_comes_back(member, png, fake_engine, sync_queue):
    response = post(member, png())
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["success"] is True and body["deduplicated"] is False
    assert body["text"] == fake_engine.text and body["confidence"] == 0.93
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["timestamp"])
    upload = Upload.objects.get(pk=body["id"])
    assert body["md5"] == upload.md5 and body["lines"][0]["text"] == "三月销售报表 Sales report"


@pytest.mark.django_db(transaction=True)
def test_dedup_hit_answers_at_once(member, owner, png, fake_engine, sync_queue, settings):
    data = png()
    first = post(member, data).json()
    settings.OCRSPACE_RECOGNIZE_WAIT_SECONDS = 0
    again = post(owner, data).json()
    assert again["success"] and again["deduplicated"] and again["id"] == first["id"]
    assert fake_engine.calls == 1


@pytest.mark.django_db
def test_not_ready_in_time_is_202_with_url(member, png, queued, settings):
    settings.OCRSPACE_RECOGNIZE_WAIT_SECONDS = 0
    response = post(member, png())
    assert response.status_code == 202
    body = response.json()
    assert body["success"] is False and body["pending"] and body["url"] == f"/api/uploads/{body['id']}/"
    assert response["Location"] == body["url"]


@pytest.mark.django_db
def test_waits_without_blocking_until_the_worker_finishes(member, png, queued, fake_engine, monkeypatch, settings):
    """The view polls with asyncio.sleep; the worker finishes during a sleep."""
    from asgiref.sync import sync_to_async

    from recognition import tasks
    from recognition.api import recognize

    settings.OCRSPACE_RECOGNIZE_WAIT_SECONDS = 3600
    sleeps = []

    async def sleep_and_let_worker_run(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 2:
            await sync_to_async(lambda: tasks.run_ocr(Upload.objects.values_list("pk", flat=True).get()))()

    monkeypatch.setattr(recognize.asyncio, "sleep", sleep_and_let_worker_run)
    response = post(member, png())
    assert response.status_code == 200 and response.json()["text"] == fake_engine.text
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0]


@pytest.mark.django_db
def test_missing_or_bad_token_is_401(member, png, queued):
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer nonsense"}, {"HTTP_AUTHORIZATION": "Basic eDp5"}):
        response = post(data=png(), headers=headers)
        assert response.status_code == 401
        assert response.json()["success"] is False and response.json()["error"]
    assert not Upload.objects.exists()


@pytest.mark.django_db
def test_errors_are_json(member, viewer, other_team, png, queued, settings):
    assert post(member, b"not an image").status_code in (400, 415)
    assert post(member, b"").status_code == 400
    assert post(viewer, png()).status_code == 403
    assert post(member, png(), team=other_team.slug).status_code == 404
    assert post(member, png(), team="nope").json() == {"success": False, "error": "No such team."}
    settings.OCRSPACE_MAX_UPLOAD_BYTES = 100
    assert post(member, png((300, 300))).status_code == 413
    no_image = Client().post(URL, {"file_missing": "x"}, **bearer(member))
    assert no_image.status_code == 400 and "image" in no_image.json()["error"]
    assert Client().get(URL, **bearer(member)).status_code == 405
    assert not Upload.objects.exists()


@pytest.mark.django_db
def test_team_field_and_token_team_choose_among_several(member, team, make_user, png, queued, settings):
    from teams import services as team_services
    from teams.models import Membership

    settings.OCRSPACE_RECOGNIZE_WAIT_SECONDS = 0
    second = team_services.create_team(make_user(), "Second")
    Membership.objects.create(user=member, team=second, role="member")
    first_id = post(member, png(), team=second.slug).json()["id"]
    assert Upload.objects.get(pk=first_id).team == second
    second_id = post(member, png(), headers=bearer(member, team=second.slug)).json()["id"]
    assert Upload.objects.get(pk=second_id).team == second
    default_id = post(member, png()).json()["id"]
    assert Upload.objects.get(pk=default_id).team == team


@pytest.mark.django_db
def test_recognize_is_throttled(member, png, queued, settings, monkeypatch):
    from recognition.api.recognize import RecognizeThrottle

    settings.OCRSPACE_RECOGNIZE_WAIT_SECONDS = 0
    monkeypatch.setattr(RecognizeThrottle, "THROTTLE_RATES", {"recognize": "2/min"})
    codes = [post(member, png()).status_code for _ in range(3)]
    assert codes == [202, 202, 429]
