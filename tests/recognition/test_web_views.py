"""Browser views of uploads, results and search, through the test client."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from recognition import processing, services
from recognition.models import Upload, UploadStatus

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(autouse=True)
def _no_queue(monkeypatch):
    monkeypatch.setattr(services, "enqueue", lambda upload_id: None)


def finish(upload: Upload, text: str, confidence: float = 0.95) -> Upload:
    """Give the upload a result as the worker would."""
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING)
    upload.refresh_from_db()
    lines = [
        {"text": line, "confidence": confidence, "box": [[10, 10 + 30 * i], [200, 10 + 30 * i], [200, 35 + 30 * i], [10, 35 + 30 * i]]}
        for i, line in enumerate(text.splitlines())
    ]
    assert processing.complete(upload, text=text, confidence=confidence, lines=lines, engine_version="test/1", timings={})
    return Upload.objects.select_related("result").get(pk=upload.pk)


@pytest.fixture
def upload(team, member, png):
    return services.create_upload(team, member, png(size=(300, 120)), "report.png").upload


@pytest.fixture
def done(upload):
    return finish(upload, "Quarterly report\n销售报表 2024\nTotal 1234")


# --- Team space --------------------------------------------------------------

def test_team_space_lists_uploads_with_the_upload_area_for_members(done, member, client_for):
    response = client_for(member).get(reverse("team-space", args=[done.team.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="dropzone"' in html
    assert f'data-upload-id="{done.pk}"' in html
    assert "销售报表 2024" in html
    config = response.context["feed_config"]
    assert config["wsPath"] == f"/ws/teams/{done.team.slug}/feed/"
    assert config["lastEventId"] > 0


def test_viewer_sees_the_feed_but_no_upload_area(done, viewer, client_for):
    html = client_for(viewer).get(reverse("team-space", args=[done.team.slug])).content.decode()
    assert 'id="dropzone"' not in html
    assert "uploader.js" not in html
    assert f'data-upload-id="{done.pk}"' in html


def test_viewer_cannot_upload_through_the_api_the_page_uses(team, viewer, client_for, png):
    client = client_for(viewer)
    response = client.post(reverse("api-upload-list"), {"files": _file(png()), "team": team.slug})
    assert response.status_code == 403
    assert not Upload.objects.filter(team=team).exists()


def test_team_space_is_paginated(team, member, client_for, png):
    for n in range(23):
        services.create_upload(team, member, png(), f"shot-{n}.png")
    client = client_for(member)
    first = client.get(reverse("team-space", args=[team.slug]))
    assert len(first.context["uploads_page"]) == 20
    assert first.context["feed_config"]["prependNew"] is True
    second = client.get(reverse("team-space", args=[team.slug]), {"older": first.context["uploads_page"].older})
    assert len(second.context["uploads_page"]) == 3
    assert second.context["feed_config"]["prependNew"] is False


def test_scripts_are_files_and_data_is_json(done, member, client_for):
    html = client_for(member).get(reverse("team-space", args=[done.team.slug])).content.decode()
    # Only external scripts and JSON data blocks: a strict CSP can forbid inline code.
    for chunk in html.split("<script")[1:]:
        head = chunk.split(">", 1)[0]
        assert "src=" in head or 'type="application/json"' in head, head
    assert " onclick=" not in html and " onload=" not in html


# --- Result page ---------------------------------------------------------------

def test_result_page_shows_lines_boxes_and_downloads(done, member, client_for):
    response = client_for(member).get(reverse("upload-result", args=[done.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<polygon") == 3
    assert 'viewBox="0 0 300 120"' in html
    assert "销售报表 2024" in html
    assert reverse("upload-download", args=[done.pk, "txt"]) in html
    assert 'id="copy-all"' in html


def test_low_confidence_lines_are_marked(upload, member, client_for):
    finish(upload, "blurry words", confidence=0.42)
    html = client_for(member).get(reverse("upload-result", args=[upload.pk])).content.decode()
    assert 'class="line low"' in html
    assert '<polygon points="' in html and 'class="low"' in html


def test_queued_upload_shows_its_status(upload, member, client_for):
    response = client_for(member).get(reverse("upload-result", args=[upload.pk]))
    assert response.context["feed_config"]["status"] == "queued"
    assert "Queued: the image waits" in response.content.decode()


def test_failed_upload_shows_the_error(upload, member, client_for):
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING)
    processing.fail(upload.pk, "The image could not be decoded <b>really</b>.")
    html = client_for(member).get(reverse("upload-result", args=[upload.pk])).content.decode()
    assert "The image could not be decoded &lt;b&gt;really&lt;/b&gt;." in html


def test_outsider_gets_404_everywhere(done, outsider, client_for):
    client = client_for(outsider)
    assert client.get(reverse("upload-result", args=[done.pk])).status_code == 404
    assert client.get(reverse("upload-download", args=[done.pk, "txt"])).status_code == 404
    assert client.post(reverse("upload-rerun", args=[done.pk])).status_code == 404
    assert client.post(reverse("upload-pin", args=[done.pk]), {"pinned": "1"}).status_code == 404
    assert client.post(reverse("upload-delete", args=[done.pk])).status_code == 404
    assert client.get(reverse("team-search", args=[done.team.slug]), {"q": "report"}).status_code == 404
    assert client.get(reverse("team-space", args=[done.team.slug])).status_code == 404
    assert Upload.objects.filter(pk=done.pk).exists()


def test_anonymous_is_sent_to_login(done, client):
    response = client.get(reverse("upload-result", args=[done.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_viewer_cannot_delete_rerun_or_pin(done, viewer, client_for):
    client = client_for(viewer)
    html = client.get(reverse("upload-result", args=[done.pk])).content.decode()
    assert reverse("upload-delete", args=[done.pk]) not in html
    assert reverse("upload-rerun", args=[done.pk]) not in html
    assert client.post(reverse("upload-delete", args=[done.pk])).status_code == 403
    assert client.post(reverse("upload-rerun", args=[done.pk])).status_code == 403
    assert client.post(reverse("upload-pin", args=[done.pk]), {"pinned": "1"}).status_code == 403
    done.refresh_from_db()
    assert done.status == UploadStatus.DONE and not done.pinned


def test_member_cannot_delete_a_teammates_upload_but_admin_can(done, team, add_member, admin_user, client_for):
    other_member = add_member(team)
    assert client_for(other_member).post(reverse("upload-delete", args=[done.pk])).status_code == 403
    response = client_for(admin_user).post(reverse("upload-delete", args=[done.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("team-space", args=[team.slug])
    assert not Upload.objects.filter(pk=done.pk).exists()


def test_uploader_pins_reruns_and_deletes(done, member, client_for):
    client = client_for(member)
    client.post(reverse("upload-pin", args=[done.pk]), {"pinned": "1"})
    done.refresh_from_db()
    assert done.pinned
    client.post(reverse("upload-pin", args=[done.pk]), {"pinned": "0"})
    done.refresh_from_db()
    assert not done.pinned
    client.post(reverse("upload-rerun", args=[done.pk]))
    done.refresh_from_db()
    assert done.status == UploadStatus.QUEUED
    client.post(reverse("upload-delete", args=[done.pk]))
    assert not Upload.objects.filter(pk=done.pk).exists()


def test_actions_refuse_get_and_need_csrf(done, member):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.get(reverse("upload-delete", args=[done.pk])).status_code == 405
    assert client.post(reverse("upload-delete", args=[done.pk])).status_code == 403
    assert Upload.objects.filter(pk=done.pk).exists()


def test_downloads_txt_and_json(done, member, client_for):
    client = client_for(member)
    txt = client.get(reverse("upload-download", args=[done.pk, "txt"]))
    assert txt["Content-Disposition"] == f'attachment; filename="upload-{done.pk}.txt"'
    assert "销售报表 2024" in txt.content.decode()
    data = json.loads(client.get(reverse("upload-download", args=[done.pk, "json"])).content)
    assert data["uploads"][0]["text"].startswith("Quarterly report")
    assert client.get(reverse("upload-download", args=[done.pk, "exe"])).status_code == 404


# --- Escaping ----------------------------------------------------------------------

def test_ocr_text_and_file_names_are_escaped(team, member, client_for, png):
    upload = services.create_upload(team, member, png(size=(300, 120)), XSS + ".png").upload
    finish(upload, XSS + "\nsecond <script>alert(2)</script>")
    client = client_for(member)
    for url in (
        reverse("team-space", args=[team.slug]),
        reverse("upload-result", args=[upload.pk]),
        reverse("team-search", args=[team.slug]) + "?q=onerror",
    ):
        html = client.get(url).content.decode()
        assert XSS not in html, url
        assert "<script>alert(2)" not in html, url
        assert "&lt;img src=x onerror=alert(1)&gt;" in html, url


# --- Search ----------------------------------------------------------------------------

def test_search_finds_chinese_and_english_substrings_with_marks(done, member, client_for):
    client = client_for(member)
    url = reverse("team-search", args=[done.team.slug])
    chinese = client.get(url, {"q": "销售"}).content.decode()
    assert "<mark>销售</mark>报表 2024" in chinese
    assert reverse("upload-result", args=[done.pk]) in chinese
    english = client.get(url, {"q": "quarter"}).content.decode()
    assert "<mark>Quarter</mark>ly report" in english


def test_search_marks_after_escaping(team, member, client_for, png):
    upload = services.create_upload(team, member, png(), "x.png").upload
    finish(upload, "a <b>bold</b> claim")
    html = client_for(member).get(reverse("team-search", args=[team.slug]), {"q": "<b>"}).content.decode()
    assert "<mark>&lt;b&gt;</mark>bold&lt;/b&gt; claim" in html


def test_search_empty_and_no_hits_and_too_long(done, member, client_for):
    client = client_for(member)
    url = reverse("team-search", args=[done.team.slug])
    assert client.get(url).context["hits"] is None
    none = client.get(url, {"q": "nothing like this"})
    assert none.context["hits"] == []
    assert "No text in this team contains" in none.content.decode()
    long = client.get(url, {"q": "x" * 201})
    assert long.status_code == 400 and "at most 200 characters" in long.context["error"]


@pytest.mark.parametrize("query", ["\x00", "report\x00zzz", "\x00report"])
def test_search_refuses_a_nul_like_the_api(done, member, client_for, query):
    """A NUL would end the database pattern early (``\x00`` matched every
    upload, ``report\x00zzz`` searched for ``report``): 400 with a message,
    in the browser and in the API alike."""
    url = reverse("team-search", args=[done.team.slug])
    page = client_for(member).get(url, {"q": query})
    assert page.status_code == 400 and page.context["hits"] is None
    assert "NUL" in page.context["error"] and page.context["error"] in page.content.decode()
    assert reverse("upload-result", args=[done.pk]) not in page.content.decode()
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(member)
    answer = api.get(reverse("api-search"), {"team": done.team.slug, "q": query})
    assert answer.status_code == 400 and answer.json()["detail"]


def test_search_stays_inside_the_team(done, other_team, outsider, client_for, png):
    theirs = services.create_upload(other_team, outsider, png(), "theirs.png").upload
    finish(theirs, "Quarterly report of another team")
    response = client_for(done.uploaded_by).get(reverse("team-search", args=[done.team.slug]), {"q": "Quarterly"})
    ids = [hit["upload"].pk for hit in response.context["hits"]]
    assert ids == [done.pk]


# --- Languages ---------------------------------------------------------------------------

def test_pages_speak_chinese_when_the_browser_asks(done, member, client_for):
    client = client_for(member)
    html = client.get(reverse("upload-result", args=[done.pk]), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert 'lang="zh-hans"' in html
    assert "复制全部文字" in html


def _file(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("shot.png", data, content_type="image/png")
