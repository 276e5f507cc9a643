"""Outputs in real Chromium against the live platform: a search hit opens
the result with the matched words marked in the text and boxed on the
image, the table view shows the cells (escaped), and the layout selector
shows and copies the text in paragraphs."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from recognition import processing, services
from recognition.models import Upload, UploadStatus
from tests.outputs_data import LINES, TEXT, XSS
from tests.support import make_png

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_search_hit_is_highlighted_and_tables_and_layouts_show(team, member, log_in, live_media, monkeypatch,
                                                                 screenshot, dialogs):
    monkeypatch.setattr(services, "enqueue", lambda upload_id: None)
    upload = services.create_upload(team, member, make_png(size=(600, 240)), "order.png").upload
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING)
    upload.refresh_from_db()
    assert processing.complete(upload, text=TEXT, confidence=0.9, lines=LINES, engine_version="test/4", timings={})

    page = log_in(member, permissions=["clipboard-read", "clipboard-write"])
    seen = dialogs(page)
    page.goto(f"/t/{team.slug}/search/?q=green+tea")
    page.locator(".hits .feed-name").click()
    page.wait_for_url(re.compile(rf"/uploads/{upload.pk}/\?q="))
    expect(page.locator("#hit-notice")).to_contain_text("green tea")
    expect(page.locator("#line-5 mark")).to_have_text("Green tea")
    boxes = page.locator("#overlay rect.hit-box")
    expect(boxes).to_have_count(2)  # "Green" and "tea"
    # The boxes stand where the words are on the displayed image.
    image = page.locator("#image-frame img").bounding_box()
    first = boxes.first.bounding_box()
    scale = image["width"] / 600
    assert abs(first["x"] - (image["x"] + 10 * scale)) < 3 and abs(first["width"] - 50 * scale) < 3

    table = page.locator("#table-0")
    expect(table.locator("th")).to_have_text(["Item", "Qty", "Price"])
    expect(table.locator("tr").nth(2).locator("td").first).to_have_text(XSS)  # shown as text, never run
    screenshot(page, "outputs-01-hit-and-table")

    page.select_option("#layout-select", "paragraphs")
    page.click("#layout-form button[type=submit]")
    page.wait_for_url(re.compile(r"layout=paragraphs"))
    expect(page.locator("#layout-text")).to_contain_text(
        "The goods were shipped on Monday and the invoice follows by mail.")
    expect(page.locator("#line-5 mark")).to_have_text("Green tea")  # the query stays
    page.click("#copy-layout")
    page.wait_for_function("async () => (await navigator.clipboard.readText()).includes('invoice follows by mail.')")
    screenshot(page, "outputs-02-paragraphs")
    assert seen == []  # the cell's <script> never ran
