"""Documents in the browser: a PDF and a HEIC photo picked in the team
space are read by the real worker and shown on their result pages (real
Chromium, server, worker and engine)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from recognition.models import Upload
from tests.browser.conftest import OCR_TIMEOUT_MS
from tests.documents import heif_bytes, pdf, text_image

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEXT_PAGE = "Minutes of the board meeting\nBudget approved for next year"


def feed_item(page, name: str):
    return page.locator("#feed .feed-item").filter(has=page.locator(".feed-name", has_text=name))


def _image_shown(page, selector: str) -> bool:
    return page.eval_on_selector(selector, "img => img.complete && img.naturalWidth > 0")


def test_a_pdf_and_a_heic_photo_from_the_file_picker(team, owner, log_in, live_media, tmp_path, screenshot):
    document = tmp_path / "minutes.pdf"
    document.write_bytes(pdf([TEXT_PAGE, text_image(["Signed by the chair"])]))
    photo = tmp_path / "IMG_2041.HEIC"
    photo.write_bytes(heif_bytes(text_image(["Parcel 7734 delivered"], size=(700, 160)), "HEIF"))

    page = log_in(owner)
    page.goto(f"/t/{team.slug}/")
    page.set_input_files("#file-picker", [str(document), str(photo)])
    expect(page.locator("#upload-list .upload-row.ok")).to_have_count(2, timeout=60_000)
    for name in ("minutes.pdf", "IMG_2041.HEIC"):
        expect(feed_item(page, name)).to_have_class(re.compile(r"\bstatus-done\b"), timeout=OCR_TIMEOUT_MS)
    expect(feed_item(page, "minutes.pdf").locator(".preview")).to_contain_text("Minutes of the board meeting")
    page.wait_for_function("() => [...document.querySelectorAll('#feed .feed-item img')]"
                           ".every(img => img.complete && img.naturalWidth > 0)")  # thumbnails of both
    screenshot(page, "documents-01-feed")

    upload = Upload.objects.get(team=team, original_name="minutes.pdf")
    assert upload.page_count == 2
    page.goto(f"/uploads/{upload.pk}/")
    expect(page.locator("#document-pages")).to_be_visible()
    assert _image_shown(page, "#image-frame img")
    expect(page.locator("#full-text")).to_contain_text("Signed by the chair")
    with page.expect_download() as download:
        page.locator(f"a[href='/uploads/{upload.pk}/download/pdf/']").click()
    assert download.value.suggested_filename == f"upload-{upload.pk}.pdf"
    screenshot(page, "documents-02-pdf-result")

    photo_upload = Upload.objects.get(team=team, original_name="IMG_2041.HEIC")
    page.goto(f"/uploads/{photo_upload.pk}/")
    assert _image_shown(page, "#image-frame img")
    expect(page.locator("#full-text")).to_contain_text("Parcel 7734 delivered")
