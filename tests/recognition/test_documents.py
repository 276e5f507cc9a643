"""PDF documents: checked when they arrive (nothing stored when refused),
read page by page by the worker with the real engine (text layer or OCR),
one progress event per page, the pages in the one representation."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from recognition import documents, processing, representation, services, tasks, thumbnails
from recognition.models import Event, EventKind, Upload, UploadStatus
from tests.documents import (
    empty_pdf, encrypted_pdf, loaded_engine, pdf, real_engine, text_image,  # noqa: F401 - fixtures
)

pytestmark = pytest.mark.django_db

TEXT_PAGE = "Quarterly report of the northern office\nRevenue grew in every region"


def _media_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _refused(team, member, data: bytes, name: str = "doc.pdf") -> services.UploadRejected:
    with pytest.raises(services.UploadRejected) as refused:
        services.create_upload(team, member, data, name)
    return refused.value


def test_text_layer_pages_are_used_and_image_pages_are_read(team, member, queued, real_engine):
    data = pdf([TEXT_PAGE, text_image(["Scanned page two", "Invoice 4711"])])
    upload = services.create_upload(team, member, data, "report.pdf").upload
    assert (upload.image_type, upload.page_count) == ("pdf", 2)
    assert (upload.width, upload.height) == (1240, 1754)  # A4 at 150 DPI

    assert tasks.run_ocr(upload.pk) == "done"
    upload.refresh_from_db()
    result = upload.result
    assert upload.status == UploadStatus.DONE
    first, second = result.text.split("\f")
    assert first == TEXT_PAGE  # the text layer, exactly
    assert "Scanned page two" in second and "Invoice 4711" in second
    assert real_engine.calls == 1  # only the image page went through the engine
    assert [(p["page"], p["source"]) for p in result.pages] == [(1, "text_layer"), (2, "ocr")]
    assert [line["page"] for line in result.lines] == [1, 1, 2, 2]
    # The text layer's line boxes are where the lines are on the page (72 pt = 150 px from the left).
    (x0, y0), _, (x1, y1), _ = result.lines[0]["box"]
    assert 140 <= x0 <= 160 and x1 > 500 and 150 <= y0 < y1 <= 230


def test_each_page_is_announced_on_the_feed(team, member, queued, real_engine, monkeypatch):
    monkeypatch.setattr(tasks, "PROGRESS_INTERVAL_SECONDS", 0)
    data = pdf([TEXT_PAGE, TEXT_PAGE.upper(), text_image(["Last page"])])
    upload = services.create_upload(team, member, data, "three.pdf").upload
    tasks.run_ocr(upload.pk)
    progress = list(Event.objects.filter(upload_id=upload.pk, kind=EventKind.PROGRESS).order_by("id"))
    assert [e.payload["progress"]["done"] for e in progress] == [1, 2, 3]
    assert {e.payload["progress"]["pages"] for e in progress} == {3}
    assert [e.payload["progress"]["source"] for e in progress] == ["text_layer", "text_layer", "ocr"]
    assert all(e.payload["status"] == "processing" for e in progress)
    kinds = list(Event.objects.filter(upload_id=upload.pk).order_by("id").values_list("kind", flat=True))
    assert kinds.index(EventKind.PROCESSING) < kinds.index(EventKind.PROGRESS) < kinds.index(EventKind.DONE)


def test_pages_read_in_quick_succession_are_announced_together(team, member, queued, real_engine, monkeypatch):
    monkeypatch.setattr(tasks, "PROGRESS_INTERVAL_SECONDS", 3600)
    upload = services.create_upload(team, member, pdf([TEXT_PAGE] * 4), "four.pdf").upload
    tasks.run_ocr(upload.pk)
    progress = Event.objects.filter(upload_id=upload.pk, kind=EventKind.PROGRESS)
    assert [e.payload["progress"]["done"] for e in progress] == [4]  # the last page is always announced


def test_the_representation_has_the_pages_with_their_text_and_lines(team, member, queued, real_engine):
    data = pdf([TEXT_PAGE, "A second page of plain text"])
    upload = services.create_upload(team, member, data, "two.pdf").upload
    tasks.run_ocr(upload.pk)
    answer = representation.represent(Upload.objects.get(pk=upload.pk), representation.RECOGNIZE)
    assert answer["page_count"] == 2
    assert [p["text"] for p in answer["pages"]] == [TEXT_PAGE, "A second page of plain text"]
    assert [len(p["lines"]) for p in answer["pages"]] == [2, 1]
    assert answer["pages"][0]["confidence"] == 1.0 and answer["pages"][0]["source"] == "text_layer"
    assert real_engine.calls == 0


def test_a_born_digital_document_needs_no_engine(team, member, queued, real_engine):
    upload = services.create_upload(team, member, pdf([f"Page {n} has its own text layer" for n in range(1, 6)]),
                                    "five.pdf").upload
    tasks.run_ocr(upload.pk)
    upload.refresh_from_db()
    assert upload.result.text.split("\f")[4] == "Page 5 has its own text layer"
    assert real_engine.calls == 0


@pytest.mark.parametrize("make, code", [
    (encrypted_pdf, "pdf_encrypted"),
    (empty_pdf, "pdf_empty"),
    (lambda: pdf([TEXT_PAGE, TEXT_PAGE])[:-400], "pdf_damaged"),
    (lambda: pdf([TEXT_PAGE])[:600], "pdf_damaged"),
    (lambda: b"%PDF-1.7\nthis is not a document at all\n", "pdf_damaged"),
])
def test_unreadable_documents_are_refused_and_nothing_is_stored(team, member, queued, settings, make, code):
    error = _refused(team, member, make())
    assert error.code == code and "PDF" in error.message
    assert not Upload.objects.exists() and not Event.objects.exists()
    assert _media_files(settings) == []


def test_too_many_pages_are_refused(team, member, queued, settings):
    settings.OCRSPACE_PDF_MAX_PAGES = 3
    error = _refused(team, member, pdf(["one page of text"] * 4))
    assert error.code == "pdf_too_many_pages" and "4 pages" in error.message and "3" in error.message
    assert not Upload.objects.exists() and _media_files(settings) == []
    services.create_upload(team, member, pdf(["one page of text"] * 3), "three.pdf")  # at the limit: fine


def test_a_page_with_too_many_pixels_is_refused(team, member, queued, settings):
    settings.OCRSPACE_MAX_IMAGE_PIXELS = 1_000_000  # an A4 page is 2.2 million pixels at 150 DPI
    error = _refused(team, member, pdf([TEXT_PAGE]))
    assert error.code == "image_too_large" and "Page 1" in error.message
    assert not Upload.objects.exists()


def test_a_pdf_named_png_is_a_document(team, member, queued):
    upload = services.create_upload(team, member, pdf([TEXT_PAGE]), "scan.png").upload
    assert upload.image_type == "pdf" and upload.file_path.endswith(".pdf")
    assert upload.original_name == "scan.png"


def test_a_png_named_pdf_stays_an_image(team, member, queued, png):
    upload = services.create_upload(team, member, png(), "letter.pdf").upload
    assert (upload.image_type, upload.page_count) == ("png", 1)


def test_the_same_document_again_is_deduplicated(team, member, owner, queued):
    data = pdf([TEXT_PAGE])
    first = services.create_upload(team, member, data, "a.pdf")
    again = services.create_upload(team, owner, data, "copy of a.pdf")
    assert again.deduplicated and again.upload.pk == first.upload.pk
    assert Upload.objects.count() == 1 and first.upload.sightings.count() == 1


def test_the_thumbnail_shows_the_first_page(team, member, queued):
    red, blue = Image.new("RGB", (600, 800), (220, 0, 0)), Image.new("RGB", (600, 800), (0, 0, 220))
    thumbnail = Image.open(io.BytesIO(thumbnails.render(pdf([red, blue])))).convert("RGB")
    r, g, b = thumbnail.getpixel((thumbnail.width // 2, thumbnail.height // 2))
    assert r > 150 and b < 80


def test_a_document_deleted_while_being_read_stops(team, member, queued, real_engine, monkeypatch):
    monkeypatch.setattr(tasks, "PROGRESS_INTERVAL_SECONDS", 0)
    upload = services.create_upload(team, member, pdf([TEXT_PAGE, TEXT_PAGE, TEXT_PAGE]), "gone.pdf").upload
    real_progress = processing.progress

    def delete_after_first(current, page, done):
        answer = real_progress(current, page, done)
        if done == 1:
            Upload.objects.filter(pk=current.pk).delete()
        return answer

    monkeypatch.setattr(processing, "progress", delete_after_first)
    assert tasks.run_ocr(upload.pk) == "skipped: no longer processing"
    assert Event.objects.filter(upload_id=upload.pk, kind=EventKind.PROGRESS).count() == 1


def test_is_pdf_looks_at_the_bytes():
    assert documents.is_pdf(b"%PDF-1.4\n...")
    assert documents.is_pdf(b"\n\n  %PDF-1.7\n")  # readers accept a little before the header
    assert not documents.is_pdf(b"\x89PNG\r\n\x1a\n" + b"%PDF-1.4 in a text chunk")
    assert not documents.is_pdf(b"plain text")
