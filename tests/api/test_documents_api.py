"""Documents through the API: PDF uploads (and their refusals, nothing
stored), PDF and ZIP on /ocr/recognize, the searchable PDF export. The
worker runs in this process with the real engine."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework_simplejwt.tokens import RefreshToken

from recognition.models import Upload
from tests.documents import (  # noqa: F401 - fixtures
    encrypted_pdf, heif_bytes, loaded_engine, pdf, png_bytes, real_engine, text_image, text_with_positions,
)

TEXT_PAGE = "Delivery note 5521\nTwo pallets of paper"


def _upload(client, data: bytes, name: str, content_type: str = "application/pdf"):
    return client.post("/api/uploads/", {"files": [SimpleUploadedFile(name, data, content_type)]}, format="multipart")


def _recognize(user, data: bytes, name: str, content_type: str = "application/octet-stream"):
    token = RefreshToken.for_user(user).access_token
    return Client().post("/ocr/recognize", {"image": SimpleUploadedFile(name, data, content_type)},
                         HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.mark.django_db
def test_a_pdf_upload_reports_its_pages(api_for, member, team, queued):
    response = _upload(api_for(member), pdf([TEXT_PAGE, TEXT_PAGE.upper()]), "delivery.pdf")
    assert response.status_code == 201, response.content
    upload = response.json()["results"][0]["upload"]
    assert upload["page_count"] == 2 and upload["image_type"] == "pdf"


@pytest.mark.django_db
@pytest.mark.parametrize("make, status, code", [
    (encrypted_pdf, 400, "pdf_encrypted"),
    (lambda: pdf([TEXT_PAGE])[:500], 400, "pdf_damaged"),
])
def test_a_refused_pdf_is_a_clear_4xx_and_nothing_is_stored(api_for, member, team, queued, make, status, code):
    response = _upload(api_for(member), make(), "bad.pdf")
    assert response.status_code == status, response.content
    result = response.json()["results"][0]
    assert result["ok"] is False and "PDF" in result["error"]
    assert not Upload.objects.exists()


@pytest.mark.django_db
def test_too_many_pages_is_413(api_for, member, team, queued, settings):
    settings.OCRSPACE_PDF_MAX_PAGES = 2
    response = _upload(api_for(member), pdf(["page"] * 3), "long.pdf")
    assert response.status_code == 413
    assert "at most 2" in response.json()["results"][0]["error"]


@pytest.mark.django_db(transaction=True)
def test_recognize_a_pdf_answers_every_page_in_order(member, team, sync_queue, real_engine):
    data = pdf([TEXT_PAGE, text_image(["Scanned receipt 3390"])])
    response = _recognize(member, data, "mixed.pdf")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["success"] is True and body["page_count"] == 2
    first, second = body["text"].split("\f")
    assert first == TEXT_PAGE and "Scanned receipt 3390" in second
    assert [(p["page"], p["source"]) for p in body["pages"]] == [(1, "text_layer"), (2, "ocr")]
    assert [p["text"] for p in body["pages"]] == [first, second]
    assert [line["text"] for line in body["pages"][0]["lines"]] == TEXT_PAGE.split("\n")
    assert all(line["page"] == 2 for line in body["pages"][1]["lines"])


@pytest.mark.django_db(transaction=True)
def test_recognize_a_refused_pdf_is_the_seed_error(member, team, queued):
    response = _recognize(member, encrypted_pdf(), "secret.pdf")
    assert response.status_code == 400
    assert response.json()["success"] is False and "password" in response.json()["error"]
    assert not Upload.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_recognize_a_zip_answers_one_entry_per_member(member, team, sync_queue, real_engine, zip_of):
    archive = zip_of({
        "a.png": png_bytes(text_image(["Order 1001"], size=(500, 120))),
        "docs/b.pdf": pdf([TEXT_PAGE]),
        "c.heic": heif_bytes(text_image(["Order 1003"], size=(500, 120))),
        "../escape.png": png_bytes(text_image(["nope"])),
        "inner.zip": zip_of({"x.png": b"x"}),
        "notes.txt": b"just some text",
    })
    response = _recognize(member, archive, "batch.zip", "application/zip")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["success"] is True
    entries = {entry["name"]: entry for entry in body["results"]}
    assert list(entries) == ["a.png", "docs/b.pdf", "c.heic", "../escape.png", "inner.zip", "notes.txt"]
    assert entries["a.png"]["success"] and "Order 1001" in entries["a.png"]["text"]
    assert entries["docs/b.pdf"]["success"] and entries["docs/b.pdf"]["text"] == TEXT_PAGE
    assert entries["docs/b.pdf"]["pages"][0]["source"] == "text_layer"
    assert entries["c.heic"]["success"] and "Order 1003" in entries["c.heic"]["text"]
    for refused, code in (("../escape.png", "unsafe_entry"), ("inner.zip", "nested_archive"),
                          ("notes.txt", "unsupported_image")):
        assert entries[refused]["success"] is False and entries[refused]["code"] == code
        assert entries[refused]["error"]
    assert Upload.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_recognize_a_zip_bomb_is_refused_whole(member, team, queued, zip_of, settings):
    settings.OCRSPACE_ZIP_MAX_TOTAL_BYTES = 100_000
    archive = zip_of({"a.png": png_bytes(text_image(["a"])), "zeros.bmp": b"BM" + b"\0" * 500_000})
    response = _recognize(member, archive, "bomb.zip", "application/zip")
    assert response.status_code == 413
    assert response.json()["success"] is False
    assert not Upload.objects.exists()


@pytest.mark.django_db
def test_export_a_searchable_pdf(api_for, viewer, member, team, queued, real_engine):
    from recognition import tasks

    response = _upload(api_for(member), png_bytes(text_image(["Contract 7781 signed"], size=(800, 200))), "c.png",
                       "image/png")
    upload_id = response.json()["results"][0]["upload"]["id"]
    tasks.run_ocr(upload_id)
    response = api_for(viewer).get("/api/export/", {"team": team.slug, "format": "pdf", "ids": str(upload_id)})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('.pdf"')
    data = b"".join(response.streaming_content)
    [page] = text_with_positions(data)
    assert "Contract 7781 signed" in page["text"]


@pytest.mark.django_db
def test_export_a_searchable_pdf_of_nothing_finished_is_400(api_for, member, team, queued):
    response = _upload(api_for(member), png_bytes(text_image(["waiting"])), "w.png", "image/png")
    upload_id = response.json()["results"][0]["upload"]["id"]
    response = api_for(member).get("/api/export/", {"team": team.slug, "format": "pdf", "ids": str(upload_id)})
    assert response.status_code == 400 and response.json()["code"] == "bad_export"
