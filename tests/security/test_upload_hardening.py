"""Uploaded bytes are data: sniffed by content, stored under a name derived
from their digest, and served back so a browser can only show an image."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from recognition import services
from recognition.models import Upload

pytestmark = pytest.mark.django_db

PAYLOAD = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
       b'<script>alert(1)</script><rect width="40" height="20"/></svg>')
STORED_PATH = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{32}-[0-9a-f]{16}\.png$")


def post_image(client, data: bytes, name: str):
    return client.post("/api/uploads/", {"files": [SimpleUploadedFile(name, data, "image/png")]}, format="multipart")


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def assert_served_as_inert_png(response, upload: Upload, body: bytes):
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline;") and f'filename="upload-{upload.pk}.png"' in disposition
    policy = response["Content-Security-Policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy
    assert b"".join(response.streaming_content) == body


def test_png_polyglot_is_stored_but_served_only_as_an_image(team, member, bearer, png, queued):
    polyglot = png() + PAYLOAD
    response = post_image(bearer(member), polyglot, "invoice.html")
    assert response.status_code == 201, response.content
    upload = Upload.objects.get(team=team)
    assert upload.image_type == "png" and STORED_PATH.match(upload.file_path)
    assert upload.original_name == "invoice.html"  # a label only

    browser = Client()
    browser.force_login(member)
    assert_served_as_inert_png(browser.get(f"/uploads/{upload.pk}/image/"), upload, polyglot)
    assert_served_as_inert_png(bearer(member).get(f"/api/uploads/{upload.pk}/image/"), upload, polyglot)


@pytest.mark.parametrize(
    "data",
    [SVG, PAYLOAD, b"GIF89a" + PAYLOAD, b"\x89PNG\r\n\x1a\n" + PAYLOAD],
    ids=["svg", "html", "gif-magic-then-html", "png-magic-then-html"],
)
def test_non_raster_content_named_png_is_refused(team, member, bearer, data, queued):
    response = post_image(bearer(member), data, "innocent.png")
    assert response.status_code in (400, 415), response.content
    assert not Upload.objects.exists()
    assert media_files() == []
    assert queued == []


@pytest.mark.parametrize(
    "name",
    ["../../x.png", "/etc/cron.d/x.png", "..\\..\\windows\\x.png", "C:\\temp\\x.png", "x\x00.png.sh", "./.././../x.png"],
    ids=["dotdot", "absolute", "backslashes", "drive", "nul", "mixed"],
)
def test_file_names_are_labels_never_paths(team, member, png, name, tmp_path, queued):
    data = png()
    upload = services.create_upload(team, member, data, name).upload
    assert STORED_PATH.match(upload.file_path), upload.file_path
    root = Path(settings.MEDIA_ROOT).resolve()
    assert [p.resolve() for p in media_files()] == [root / upload.file_path]
    assert (root / upload.file_path).read_bytes() == data
    # The label keeps no directory part and no control characters.
    assert "/" not in upload.original_name and "\\" not in upload.original_name
    assert "\x00" not in upload.original_name and ".." != upload.original_name
    # Nothing was written next to the media root either.
    assert not any(p.name.startswith("x") for p in tmp_path.rglob("*") if p.is_file())


def test_file_names_through_the_api_are_labels_too(team, member, bearer, png, queued):
    response = post_image(bearer(member), png(), "../../../escape.png")
    assert response.status_code == 201
    upload = Upload.objects.get()
    assert STORED_PATH.match(upload.file_path) and upload.original_name == "escape.png"


def test_admin_image_view_is_staff_only(team, member, owner, make_user, png, queued):
    upload = services.create_upload(team, member, png() + PAYLOAD, "a.png").upload
    url = f"/admin/recognition/upload/{upload.pk}/image/"
    assert Client().get(url).status_code == 302  # to the admin login
    for user in (member, owner):  # team roles give no admin rights
        client = Client()
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    staff = Client()
    staff.force_login(make_user("moderator", is_staff=True, is_superuser=True))
    response = staff.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png" and "sandbox" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
