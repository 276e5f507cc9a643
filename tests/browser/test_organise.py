"""Organising in the browser: tags, notes with a mention reaching another
member live, filters in the URL, saved searches, bulk tag and bulk delete
with the summary. Real Chromium against the live platform; the uploads are
finished in this process (their reading is not what is tested here), so no
test waits for the engine."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from recognition import processing, services
from recognition.models import Upload, UploadStatus
from recognition.tags import services as tag_services
from tests.browser.conftest import keep_for_docs, text_png

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def finished(monkeypatch, live_media):
    """Make a finished upload without queueing it for the live worker."""
    monkeypatch.setattr(services, "enqueue", lambda upload_id: None)

    def make(team, user, name: str, text: str) -> Upload:
        upload = services.create_upload(team, user, text_png([text]), name).upload
        Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING)
        upload.refresh_from_db()
        processing.complete(upload, text=text, confidence=0.93, lines=[], engine_version="browser-test/1", timings={})
        return upload

    return make


def accept_dialogs(page) -> list[str]:
    seen: list[str] = []

    def on_dialog(dialog):
        seen.append(dialog.message)
        dialog.accept()

    page.on("dialog", on_dialog)
    return seen


def feed_item(page, name: str):
    return page.locator("#feed .feed-item").filter(has=page.locator(".feed-name", has_text=name))


def test_tags_filters_in_the_url_and_a_saved_search(team, owner, member, log_in, finished, screenshot):
    invoice = finished(team, member, "invoice-march.png", "Invoice 4711 total 99.00")
    finished(team, owner, "receipt-coffee.png", "Receipt coffee 3.20")
    contract = finished(team, member, "contract.png", "Service contract 2026")
    tag_services.create_tag(team, owner, "contract", "purple")
    tag_services.create_tag(team, owner, "invoice", "green")
    tag_services.set_tags(contract, member, ["contract"])

    page = log_in(member)
    # Tag an upload on its result page; a new name makes a new tag.
    page.goto(f"/uploads/{invoice.pk}/")
    page.fill("#upload-tag-input", "invoice, 2026")
    page.click("#tag-form button[type=submit]")
    expect(page.locator("#upload-tags .tag-chip")).to_have_text(["2026", "invoice"])

    # Filter the team space by tag and uploader: the filter is in the URL.
    page.goto(f"/t/{team.slug}/")
    expect(page.locator("#feed .feed-item")).to_have_count(3)
    expect(feed_item(page, "contract.png").locator(".tag-chip.tag-purple")).to_have_text("contract")
    page.select_option("#filter-tag", "invoice")
    page.select_option("#filter-uploader", member.get_username())
    page.click("#filter-apply")
    page.wait_for_url(re.compile(r"[?&]tag=invoice"))
    assert "uploader=member" in page.url
    expect(page.locator("#feed .feed-item")).to_have_count(1)
    expect(feed_item(page, "invoice-march.png")).to_have_count(1)
    expect(page.locator("#filter-count")).to_have_text("1 upload matches")
    # The same URL opened afresh gives the same list and the same form.
    page.goto(page.url)
    expect(page.locator("#filter-tag")).to_have_value("invoice")
    expect(page.locator("#feed .feed-item")).to_have_count(1)

    # Save it; it is listed in the team space and opens the same filter.
    page.fill("#save-search-name", "My invoices")
    page.click("#save-search button[type=submit]")
    expect(page.locator("#saved-searches a[aria-current]")).to_have_text("My invoices")
    page.goto(f"/t/{team.slug}/")
    expect(page.locator("#feed .feed-item")).to_have_count(3)
    page.click("#saved-searches a:has-text('My invoices')")
    page.wait_for_url(re.compile(r"tag=invoice"))
    expect(page.locator("#feed .feed-item")).to_have_count(1)

    # Several conditions on the search page, by editing the URL.
    page.goto(f"/t/{team.slug}/search/?q=total&tag=invoice&status=done")
    expect(page.locator(".hits .hit")).to_have_count(1)
    expect(page.locator(".hits mark").first).to_have_text("total")
    page.goto(f"/t/{team.slug}/search/?q=total&tag=contract")
    expect(page.locator(".hits .hit")).to_have_count(0)

    # The filter bar with tags, for the documentation.
    page.goto(f"/t/{team.slug}/?status=done&date_from=2026-01-01")
    expect(page.locator("#feed .feed-item .tag-chip")).to_have_count(3)
    keep_for_docs(screenshot(page, "organise-filter-bar"), "filter-bar.png")


def test_a_mention_in_a_note_reaches_the_other_member_live(team, owner, member, viewer, log_in, finished):
    upload = finished(team, owner, "minutes.png", "Meeting minutes")
    reader = log_in(viewer)
    reader.goto(f"/t/{team.slug}/")
    expect(reader.locator("#live-badge")).to_have_attribute("data-mode", "live")
    expect(reader.locator("#notification-count")).to_have_text("0")
    reader.evaluate("window.notReloaded = true")

    writer = log_in(member)
    writer.goto(f"/uploads/{upload.pk}/")
    writer.fill("#note-body", "@viewer please check the <b>totals</b> here")
    writer.click("#note-form button[type=submit]")
    expect(writer.locator("#note-list .note-body")).to_have_text("@viewer please check the <b>totals</b> here")
    expect(writer.locator(".messages")).to_contain_text("1 member(s) notified")

    # The viewer's page shows the mention without reloading.
    expect(reader.locator("#notification-count")).to_have_text("1", timeout=30_000)
    expect(reader.locator("#notification-list .notification").first).to_contain_text("member")
    assert reader.evaluate("window.notReloaded") is True
    reader.click("#notification-list .notification a")
    reader.wait_for_url(re.compile(rf"/uploads/{upload.pk}/#notes$"))
    expect(reader.locator("#note-list .note-body")).to_have_text("@viewer please check the <b>totals</b> here")
    expect(reader.locator("#note-form")).to_have_count(0)  # viewers read notes only
    # The notifications page has it too, and marks it read.
    reader.goto("/notifications/")
    expect(reader.locator("#notification-list .notification.unread")).to_have_count(1)
    reader.click("form[action$='/notifications/read/'] button")
    expect(reader.locator("#notification-list .notification.unread")).to_have_count(0)


def test_bulk_tag_then_bulk_delete_with_the_summary(team, owner, member, log_in, finished, screenshot):
    first = finished(team, member, "scan-1.png", "First scan")
    finished(team, owner, "scan-2.png", "Second scan")
    finished(team, member, "scan-3.png", "Third scan")
    finished(team, member, "keep-me.png", "Not selected")

    page = log_in(member)
    confirmations = accept_dialogs(page)
    page.goto(f"/t/{team.slug}/")
    expect(page.locator("#feed .feed-item")).to_have_count(4)
    # Newest first: scan-3, scan-2, scan-1 are the last three; click the
    # first of them, shift-click the last: a range of three.
    items = page.locator("#feed .feed-item")
    expect(items.nth(0)).to_contain_text("keep-me.png")
    items.nth(1).locator(".select-upload").click()
    items.nth(3).locator(".select-upload").click(modifiers=["Shift"])
    expect(page.locator("#selection-count")).to_have_text("3 selected")
    page.select_option("#bulk-action", "tag")
    expect(page.locator("#bulk-profile")).to_be_hidden()
    page.fill("#bulk-tag", "batch")
    page.click("#bulk-apply")
    expect(page.locator("#bulk-summary")).to_contain_text("3 done")
    assert confirmations == ["Tag: 3 upload(s). Go ahead?"]
    for name in ("scan-1.png", "scan-2.png", "scan-3.png"):
        expect(feed_item(page, name).locator(".tag-chip")).to_have_text("batch")
    expect(feed_item(page, "keep-me.png").locator(".tag-chip")).to_have_count(0)

    # Every upload matching tag=batch, deleted in one request with one
    # confirmation: the member's own two go, the owner's stays and is named.
    page.goto(f"/t/{team.slug}/?tag=batch")
    expect(page.locator("#feed .feed-item")).to_have_count(3)
    page.check("#select-all-matching")
    page.select_option("#bulk-action", "delete")
    page.click("#bulk-apply")
    summary = page.locator("#bulk-summary")
    expect(summary).to_contain_text("Delete")
    expect(summary.locator(".summary-changed")).to_have_text("2 done")
    expect(summary.locator(".summary-refused")).to_have_text("1 refused")
    expect(summary.locator(".refused-list")).to_contain_text("scan-2.png")
    assert confirmations[-1] == "Delete: 3 upload(s). Go ahead?" and len(confirmations) == 2
    expect(page.locator("#feed .feed-item")).to_have_count(1)
    assert set(Upload.objects.values_list("original_name", flat=True)) == {"scan-2.png", "keep-me.png"}
    assert not Upload.objects.filter(pk=first.pk).exists()
    keep_for_docs(screenshot(page, "organise-bulk-summary"), "bulk-summary.png")


def test_tags_chosen_at_the_drop_zone_go_with_the_upload(team, member, log_in, live_media, tmp_path):
    page = log_in(member)
    page.goto(f"/t/{team.slug}/")
    expect(page.locator("#live-badge")).to_have_attribute("data-mode", "live")
    page.fill("#upload-tags-input", "inbox, phone")
    shot = tmp_path / "tagged.png"
    shot.write_bytes(text_png(["Tagged while uploading"]))
    page.set_input_files("#file-picker", str(shot))
    # The feed shows the tags as soon as the upload is announced, not after reading.
    expect(feed_item(page, "tagged.png").locator(".tag-chip")).to_have_text(["inbox", "phone"], timeout=60_000)
    upload = Upload.objects.get(team=team, original_name="tagged.png")
    assert sorted(upload.tags.values_list("name", flat=True)) == ["inbox", "phone"]
