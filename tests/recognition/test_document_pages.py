"""Browser side of documents: a PDF's or HEIC photo's pages rendered for
the page, the result page of a document, its searchable PDF download."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from recognition import processing, services
from recognition.models import Upload
from tests.documents import heif_bytes, pdf, text_with_positions
from tests.support import corrupt_pixels_png

pytestmark = pytest.mark.django_db


def _done_document(team, member):
    red, blue = Image.new("RGB", (600, 800), (220, 0, 0)), Image.new("RGB", (300, 200), (0, 0, 220))
    upload = services.create_upload(team, member, pdf([red, blue]), "colours.pdf").upload
    processing.claim(upload.pk, stale_after_seconds=300)
    lines = [{"text": "Red page", "confidence": 0.9, "box": [[40, 40], [300, 40], [300, 90], [40, 90]], "page": 1},
             {"text": "Blue page", "confidence": 0.9, "box": [[10, 10], [200, 10], [200, 50], [10, 50]], "page": 2}]
    pages = [{"page": 1, "source": "ocr", "width": 600, "height": 800, "confidence": 0.9},
             {"page": 2, "source": "ocr", "width": 300, "height": 200, "confidence": 0.9}]
    processing.complete(upload, text="Red page\fBlue page", confidence=0.9, lines=lines, engine_version="t",
                        timings={}, pages=pages)
    return Upload.objects.get(pk=upload.pk)


def _jpeg(response) -> Image.Image:
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    return Image.open(io.BytesIO(response.content)).convert("RGB")


def test_each_page_of_a_document_is_rendered(client_for, team, member, viewer, queued):
    upload = _done_document(team, member)
    client = client_for(viewer)
    first = _jpeg(client.get(f"/uploads/{upload.pk}/pages/1/"))
    second = _jpeg(client.get(f"/uploads/{upload.pk}/pages/2/"))
    assert first.size == (600, 800) and first.getpixel((300, 400))[0] > 150
    assert second.size == (300, 200) and second.getpixel((150, 100))[2] > 150
    assert client.get(f"/uploads/{upload.pk}/pages/3/").status_code == 404
    assert client.get(f"/uploads/{upload.pk}/pages/0/").status_code == 404


def test_pages_are_hidden_from_other_teams(client_for, team, member, outsider, queued):
    upload = _done_document(team, member)
    assert client_for(outsider).get(f"/uploads/{upload.pk}/pages/1/").status_code == 404


def test_a_heic_photo_is_shown_as_jpeg(client_for, team, member, queued):
    photo = Image.new("RGB", (320, 200), (0, 160, 0))
    upload = services.create_upload(team, member, heif_bytes(photo, "HEIF", orientation=6), "IMG_1.HEIC").upload
    shown = _jpeg(client_for(member).get(f"/uploads/{upload.pk}/pages/1/"))
    assert shown.size == (200, 320)  # upright
    page = client_for(member).get(f"/uploads/{upload.pk}/").content.decode()
    assert f"/uploads/{upload.pk}/pages/1/" in page


def test_the_result_page_of_a_document(client_for, team, member, queued):
    upload = _done_document(team, member)
    page = client_for(member).get(f"/uploads/{upload.pk}/").content.decode()
    assert f'src="/uploads/{upload.pk}/pages/1/"' in page
    assert 'id="document-pages"' in page and f"/uploads/{upload.pk}/pages/2/" in page
    # The overlay on the first page draws only that page's lines; the list has all of them.
    assert page.count("<polygon") == 1
    assert "Red page" in page and "Blue page" in page
    assert f"/uploads/{upload.pk}/download/pdf/" in page


def test_the_searchable_pdf_download(client_for, team, member, queued):
    upload = _done_document(team, member)
    response = client_for(member).get(f"/uploads/{upload.pk}/download/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    first, second = text_with_positions(response.content)
    assert "Red page" in first["text"] and "Blue page" in second["text"]


def test_a_photo_with_damaged_pixels_is_refused_with_a_message_not_a_server_error(client_for, team, member, queued):
    # Accepted from its header (the worker fails it later), then asked for
    # as a rendered page, as a HEIC photo is.
    upload = services.create_upload(team, member, corrupt_pixels_png(), "damaged.heic").upload
    Upload.objects.filter(pk=upload.pk).update(image_type="heic")
    response = client_for(member).get(f"/uploads/{upload.pk}/pages/1/")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("The image cannot be shown:")
