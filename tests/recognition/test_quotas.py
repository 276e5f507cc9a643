"""Team quotas: queued uploads (429 with Retry-After) and stored bytes (413),
at every way in, with nothing written on a refusal."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from recognition import ingest, processing, quotas, services, storage
from recognition.ingest import Incoming, Source
from recognition.models import Upload
from tests.support import make_png, make_zip

pytestmark = pytest.mark.django_db


def stored_files() -> list[str]:
    root = Path(django_settings.MEDIA_ROOT)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) if root.exists() else []


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


def post_files(client, team, *images: bytes):
    files = [SimpleUploadedFile(f"f{n}.png", data, "image/png") for n, data in enumerate(images)]
    return client.post("/api/uploads/", {"files": files, "team": team.slug}, format="multipart")


def finish(upload: Upload) -> None:
    claimed = processing.claim(upload.pk, stale_after_seconds=300)
    processing.complete(claimed, text="t", confidence=1.0, lines=[], engine_version="t/1", timings={})


def limit(team, queued=None, stored=None) -> None:
    team.max_queued_uploads, team.max_stored_bytes = queued, stored
    team.save()


def test_a_full_queue_answers_429_with_the_numbers_and_retry_after(team, member, queued):
    limit(team, queued=2)
    assert post_files(api_for(member), team, make_png(), make_png()).status_code == 201
    before = stored_files()

    response = post_files(api_for(member), team, make_png())

    assert response.status_code == 429, response.content
    assert response["Retry-After"] == str(quotas.QUEUE_RETRY_SECONDS)
    body = response.json()
    assert body["code"] == "queue_quota_exceeded"
    assert body["quota"] == {"limit": "queued_uploads", "max": 2, "current": 2}
    assert "2 uploads waiting or being read" in body["detail"] and "quota of 2" in body["detail"]
    assert body["results"][0]["status"] == 429 and not body["results"][0]["ok"]
    assert Upload.objects.filter(team=team).count() == 2 and stored_files() == before


def test_room_comes_back_when_an_upload_is_done(team, member, queued):
    limit(team, queued=1)
    first = services.create_upload(team, member, make_png(), "a.png").upload
    with pytest.raises(quotas.QuotaExceeded):
        services.create_upload(team, member, make_png(), "b.png")
    finish(first)
    assert services.create_upload(team, member, make_png(), "b.png").created


def test_a_duplicate_is_answered_at_a_full_quota(team, member, queued):
    data = make_png()
    first = services.create_upload(team, member, data, "a.png").upload
    limit(team, queued=1, stored=first.byte_size)  # both full now
    again = services.create_upload(team, member, data, "again.png")
    assert again.deduplicated and again.upload.pk == first.pk
    response = post_files(api_for(member), team, data)
    assert response.status_code == 200 and response.json()["deduplicated"] == 1


def test_stored_bytes_over_the_quota_answer_413(team, member, queued):
    data = make_png((200, 100))
    limit(team, stored=len(data) + 10)
    services.create_upload(team, member, data, "a.png")
    before = stored_files()

    response = post_files(api_for(member), team, make_png((60, 30)))

    assert response.status_code == 413, response.content
    assert "Retry-After" not in response
    body = response.json()
    assert body["code"] == "storage_quota_exceeded"
    assert body["quota"]["limit"] == "stored_bytes" and body["quota"]["max"] == len(data) + 10
    assert body["quota"]["current"] == len(data) and body["quota"]["requested"] > 10
    assert "storage quota" in body["detail"]
    assert Upload.objects.filter(team=team).count() == 1 and stored_files() == before


def test_the_deployment_default_applies_and_a_team_override_wins(team, other_team, owner, outsider, settings,
                                                                 queued):
    settings.OCRSPACE_TEAM_MAX_QUEUED = 1
    services.create_upload(team, owner, make_png(), "a.png")
    with pytest.raises(quotas.QuotaExceeded) as refused:
        services.create_upload(team, owner, make_png(), "b.png")
    assert refused.value.code == "queue_quota_exceeded"
    # Another team has its own count.
    assert services.create_upload(other_team, outsider, make_png(), "c.png").created
    # 0: unlimited for this team, whatever the default.
    limit(team, queued=0)
    assert services.create_upload(team, owner, make_png(), "b.png").created


def test_the_quota_of_other_teams_is_not_counted(team, other_team, member, outsider, queued):
    limit(team, queued=1)
    for n in range(3):
        services.create_upload(other_team, outsider, make_png(), f"{n}.png")
    assert services.create_upload(team, member, make_png(), "mine.png").created


def test_a_zip_import_stops_at_the_quota_and_reports_each_file(team, member, queued):
    limit(team, queued=2)
    archive = make_zip({"a.png": make_png(), "b.png": make_png(), "c.png": make_png()})
    response = api_for(member).post("/api/uploads/zip/", {
        "archive": SimpleUploadedFile("a.zip", archive, "application/zip"), "team": team.slug}, format="multipart")
    assert response.status_code == 207, response.content
    body = response.json()
    assert [r["status"] for r in body["results"]] == [201, 201, 429]
    assert body["quota"]["limit"] == "queued_uploads" and "Retry-After" not in response
    assert Upload.objects.filter(team=team).count() == 2


def test_a_browser_upload_is_refused_with_the_message(team, member, client_for, queued):
    limit(team, queued=0, stored=10)
    response = post_files(client_for(member), team, make_png())
    assert response.status_code == 413
    assert response.json()["results"][0]["error"].startswith("Team “Sales Team” stores 0 B of its 10 B storage quota")


@pytest.mark.django_db(transaction=True)
def test_ocr_recognize_answers_429_in_its_own_shape(team, member, queued):
    limit(team, queued=1)
    services.create_upload(team, member, make_png(), "a.png")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {RefreshToken.for_user(member).access_token}"}
    response = Client().post("/ocr/recognize", {"image": SimpleUploadedFile("s.png", make_png(), "image/png")},
                             **headers)
    assert response.status_code == 429, response.content
    assert response["Retry-After"] == str(quotas.QUEUE_RETRY_SECONDS)
    body = response.json()
    assert body["success"] is False and "quota of 1" in body["error"]
    assert body["quota"] == {"limit": "queued_uploads", "max": 1, "current": 1}
    assert Upload.objects.count() == 1


def test_a_region_saved_as_an_upload_counts_too(team, member, queued):
    from recognition import regions

    upload = services.create_upload(team, member, make_png((200, 100)), "a.png").upload
    finish(upload)
    limit(team, stored=upload.byte_size)
    with pytest.raises(quotas.QuotaExceeded):
        regions.save_as_upload(Upload.objects.get(pk=upload.pk), member, regions.Region(0, 0, 60, 30))
    assert Upload.objects.count() == 1


def test_reading_again_takes_a_place_in_the_queue(team, member, queued):
    limit(team, queued=1)
    done = services.create_upload(team, member, make_png(), "a.png").upload
    finish(done)
    services.create_upload(team, member, make_png(), "b.png")
    response = api_for(member).post(f"/api/uploads/{done.pk}/rerun/", {}, format="json")
    assert response.status_code == 429 and response["Retry-After"] == str(quotas.QUEUE_RETRY_SECONDS)
    assert response.json()["code"] == "queue_quota_exceeded"
    assert Upload.objects.get(pk=done.pk).status == "done"


def test_an_upload_that_loses_the_race_leaves_no_file(team, member, queued, monkeypatch):
    """Two uploads pass the first check together; the second one's locked
    check inside the transaction refuses it and its stored file goes."""
    limit(team, queued=1)
    real_store = storage.store

    def store_while_another_upload_arrives(data, path):
        real_store(data, path)
        monkeypatch.setattr(storage, "store", real_store)
        services.create_upload(team, member, make_png(), "concurrent.png")

    monkeypatch.setattr(storage, "store", store_while_another_upload_arrives)
    with pytest.raises(quotas.QuotaExceeded):
        services.create_upload(team, member, make_png(), "late.png")
    assert list(Upload.objects.values_list("original_name", flat=True)) == ["concurrent.png"]
    assert stored_files() == [Upload.objects.get().file_path]


@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_cannot_pass_the_limit_together(team, member, queued, monkeypatch):
    """Both uploads pass the first check before either is written; the
    team's row lock makes their second checks take turns."""
    from django.db import connection

    limit(team, queued=1)
    both_stored = threading.Barrier(2, timeout=60)  # a hang guard, not a time bound
    real_store = storage.store

    def store(data, path):
        real_store(data, path)
        both_stored.wait()

    monkeypatch.setattr(storage, "store", store)
    outcomes: list[str] = []

    def upload(n: int) -> None:
        try:
            services.create_upload(team, member, make_png(), f"{n}.png")
            outcomes.append("stored")
        except quotas.QuotaExceeded:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "stored"]
    assert Upload.objects.filter(team=team).count() == 1
    assert stored_files() == [Upload.objects.get().file_path]


def test_the_ingest_batch_goes_on_after_a_quota_refusal(team, member, queued):
    limit(team, queued=1)
    seen = make_png()
    results = ingest.ingest_each([
        Incoming(Source.BULK, team, member, "a.png", seen),
        Incoming(Source.BULK, team, member, "b.png", make_png()),
        Incoming(Source.BULK, team, member, "a-again.png", seen),
    ])
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].error.code == "queue_quota_exceeded" and results[2].deduplicated


def test_the_admin_shows_queue_depth_per_team_and_lane(team, other_team, member, outsider, make_user, queued):
    limit(team, queued=2, stored=10_000_000)
    services.create_upload(team, member, make_png(), "a.png")
    ingest.ingest(Incoming(Source.ZIP, team, member, "z.png", make_png()))
    finish(services.create_upload(other_team, outsider, make_png(), "c.png").upload)
    staff = make_user("moderator", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)

    listing = client.get(reverse("admin:recognition_upload_changelist"))
    assert reverse("admin:recognition_upload_queue") in listing.content.decode()
    page = client.get(reverse("admin:recognition_upload_queue"))

    assert page.status_code == 200
    html = page.content.decode()
    rows = {item["row"].team.slug: item["row"] for item in page.context["rows"]}
    assert rows[team.slug].lanes == {"interactive": (1, 0), "bulk": (1, 0)}
    assert rows[team.slug].queue_full and not rows[team.slug].storage_full
    assert rows[other_team.slug].usage.queued == 0
    assert f'data-team="{team.slug}"' in html and "2 / 2 <strong>full</strong>" in html
    assert f"?team__id__exact={team.pk}&amp;lane__exact=bulk&amp;status__exact=queued" in html
    assert "9.5 MB" in html  # the quota, for people
    assert client.post(reverse("admin:recognition_upload_queue")).status_code == 405


def test_the_queue_view_is_for_staff_only(member, client_for):
    response = client_for(member).get(reverse("admin:recognition_upload_queue"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
