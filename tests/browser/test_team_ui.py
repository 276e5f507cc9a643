"""The browser UI end to end: real Chromium, real server, real worker and engine."""

from __future__ import annotations

import base64
import re

import pytest
from playwright.sync_api import expect

from recognition import services
from recognition.models import Upload
from tests.browser.conftest import OCR_TIMEOUT_MS, outside_the_event_loop, text_png

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

XSS = "<img src=x onerror=alert(1)>"
PASTE_IN_PAGE = """async (b64) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const file = new File([bytes], "image.png", {type: "image/png"});
  const data = new DataTransfer();
  data.items.add(file);
  const event = new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true});
  document.body.dispatchEvent(event);
}"""


def feed_item(page, name: str):
    return page.locator("#feed .feed-item").filter(has=page.locator(".feed-name", has_text=name))


def wait_done(page, name: str):
    item = feed_item(page, name)
    expect(item).to_have_class(re.compile(r"\bstatus-done\b"), timeout=OCR_TIMEOUT_MS)
    return item


def test_uploads_reach_a_teammate_live_and_results_copy_and_search(
    team, owner, viewer, log_in, live_media, tmp_path, screenshot, dialogs
):
    uploader = log_in(owner, permissions=["clipboard-read", "clipboard-write"])
    uploader.goto(f"/t/{team.slug}/")
    teammate = log_in(viewer, permissions=["clipboard-read", "clipboard-write"])
    teammate.goto(f"/t/{team.slug}/")
    dialogs(uploader), dialogs(teammate)
    expect(teammate.locator("#live-badge")).to_have_attribute("data-mode", "live")
    expect(teammate.locator("#feed-empty")).to_be_visible()
    expect(teammate.locator("#dropzone")).to_have_count(0)  # viewers cannot upload
    # Survives only if the page is never reloaded.
    teammate.evaluate("window.notReloaded = true")

    english = tmp_path / "invoice.png"
    english.write_bytes(text_png(["Invoice number 4711", "Total amount 1234.50"]))
    chinese = tmp_path / "sales.png"
    chinese.write_bytes(text_png(["销售报表 第三季度", "会议纪要"], chinese=True, size=40))
    uploader.set_input_files("#file-picker", [str(english), str(chinese)])
    pasted = text_png(["Pasted screenshot text"], background="#f4f4f4")
    uploader.evaluate(PASTE_IN_PAGE, base64.b64encode(pasted).decode())

    rows = uploader.locator("#upload-list .upload-row")
    expect(rows).to_have_count(3)
    expect(uploader.locator("#upload-list .upload-row.ok")).to_have_count(3, timeout=60_000)
    expect(rows.filter(has_text="Pasted screenshot")).to_have_count(1)
    screenshot(uploader, "01-team-space-uploading")
    # The uploader's own feed fills in too.
    for name in ("invoice.png", "sales.png", "Pasted screenshot"):
        expect(feed_item(uploader, name)).to_have_count(1, timeout=30_000)

    for name in ("invoice.png", "sales.png", "Pasted screenshot"):
        wait_done(teammate, name)
    expect(teammate.locator("#feed .feed-item")).to_have_count(3)
    expect(feed_item(teammate, "invoice.png").locator(".preview")).to_contain_text("4711")
    expect(feed_item(teammate, "sales.png").locator(".feed-by")).to_contain_text(owner.get_username())
    assert teammate.evaluate("window.notReloaded") is True
    expect(teammate.locator("#feed-empty")).to_be_hidden()
    screenshot(teammate, "02-teammate-feed-live")

    # The result page: boxes over the image, copying whole text and one line.
    feed_item(teammate, "invoice.png").locator(".feed-name").click()
    teammate.wait_for_url(re.compile(r"/uploads/\d+/$"))
    polygons = teammate.locator("#overlay polygon")
    assert polygons.count() >= 2
    expect(teammate.locator("#overlay")).to_be_visible()
    teammate.uncheck("#toggle-boxes")
    expect(teammate.locator("#overlay")).to_be_hidden()
    teammate.check("#toggle-boxes")
    full_text = teammate.locator("#full-text").text_content()
    assert "4711" in full_text
    teammate.click("#copy-all")
    expect(teammate.locator("#copy-status")).to_have_text("Copied")
    assert teammate.evaluate("navigator.clipboard.readText()") == full_text
    first_line = teammate.locator("#line-1").text_content()
    teammate.click("#lines li[data-line='1'] button[data-copy-target]")
    teammate.wait_for_function("async (t) => (await navigator.clipboard.readText()) === t", arg=first_line)
    expect(teammate.locator("form[action$='/delete/']")).to_have_count(0)  # viewer
    screenshot(teammate, "03-result-page-boxes")

    # Search for the Chinese phrase, and follow the hit.
    teammate.goto(f"/t/{team.slug}/")
    teammate.fill("#space-search", "销售报表")
    teammate.press("#space-search", "Enter")
    teammate.wait_for_url(re.compile(r"/search/\?q="))
    hits = teammate.locator(".hits .hit")
    expect(hits).to_have_count(1)
    expect(hits.locator("mark").first).to_have_text("销售报表")
    screenshot(teammate, "04-search-chinese")
    hits.locator(".feed-name").click()
    expect(teammate.locator("#result-title")).to_have_text("sales.png")
    expect(teammate.locator("#full-text")).to_contain_text("销售报表")

    # The uploader deletes the pasted image; the teammate's feed drops it live.
    teammate.goto(f"/t/{team.slug}/")
    pasted_upload = Upload.objects.get(original_name__startswith="Pasted screenshot")
    uploader.goto(f"/uploads/{pasted_upload.pk}/")
    # The page's dialog watcher would dismiss the confirmation: say yes instead.
    uploader.evaluate("window.confirm = () => true")
    uploader.click("form[action$='/delete/'] button")
    uploader.wait_for_url(re.compile(rf"/t/{team.slug}/$"))
    expect(feed_item(teammate, "Pasted screenshot")).to_have_count(0, timeout=30_000)
    expect(teammate.locator("#feed .feed-item")).to_have_count(2)


def test_a_non_image_is_rejected_with_the_servers_reason(team, owner, log_in, live_media, tmp_path, screenshot):
    page = log_in(owner)
    page.goto(f"/t/{team.slug}/")
    notes = tmp_path / "notes.txt"
    notes.write_text("this is not an image")
    with page.expect_response(lambda r: r.url.endswith("/api/uploads/") and r.request.method == "POST") as answer:
        page.set_input_files("#file-picker", str(notes))
    body = answer.value.json()
    assert answer.value.status >= 400 and body["results"][0]["ok"] is False
    row = page.locator("#upload-list .upload-row.rejected")
    expect(row).to_have_count(1)
    expect(row.locator(".upload-message")).to_have_text(body["results"][0]["error"])
    expect(row.locator(".upload-message")).to_contain_text("notes.txt")
    assert not Upload.objects.filter(team=team).exists()
    screenshot(page, "05-non-image-rejected")


def test_hostile_text_and_names_are_shown_not_run(team, owner, member, log_in, live_media, tmp_path, dialogs, screenshot):
    page = log_in(owner)
    seen = dialogs(page)
    page.goto(f"/t/{team.slug}/")
    hostile = tmp_path / f"{XSS}.png"
    hostile.write_bytes(text_png([XSS], size=40))
    page.set_input_files("#file-picker", str(hostile))
    # Straight to the result page while the image is still being read: the
    # page follows the status and shows the text when it is ready.
    page.locator("#upload-list .upload-row.ok a").click()
    page.wait_for_url(re.compile(r"/uploads/\d+/$"))
    expect(page.locator("#full-text")).to_have_count(1, timeout=OCR_TIMEOUT_MS)
    expect(page.locator("#result-title")).to_have_text(f"{XSS}.png")
    assert "onerror" in page.locator("#full-text").text_content().replace(" ", "")
    assert page.locator("main img[src='x']").count() == 0
    screenshot(page, "06a-hostile-result-page")

    page.goto(f"/t/{team.slug}/")
    item = wait_done(page, "onerror")
    expect(item.locator(".feed-name")).to_have_text(f"{XSS}.png")
    assert "onerror" in item.locator(".preview").text_content().replace(" ", "")
    # Nothing in the feed became an element: the text stayed text.
    assert page.locator("#feed img[src='x']").count() == 0
    page.goto(f"/t/{team.slug}/search/?q=onerror")
    expect(page.locator(".hits .hit")).to_have_count(1)
    assert page.locator("main img[src='x']").count() == 0
    screenshot(page, "06b-hostile-search")

    # Also through a teammate's live feed (script-built items).
    other = log_in(member)
    dialogs(other)  # same list: any dialog on either page fails the test
    other.goto(f"/t/{team.slug}/")
    expect(other.locator("#live-badge")).to_have_attribute("data-mode", "live")
    second = tmp_path / f"{XSS}-2.png"
    second.write_bytes(text_png([XSS, "again"], size=40))
    page.goto(f"/t/{team.slug}/")
    page.set_input_files("#file-picker", str(second))
    live_item = wait_done(other, "-2.png")
    expect(live_item.locator(".feed-name")).to_have_text(f"{XSS}-2.png")
    assert other.locator("#feed img[src='x']").count() == 0
    assert seen == []


def test_polling_takes_over_when_the_websocket_is_blocked(team, owner, member, log_in, open_context, live_media, screenshot):
    context = open_context()
    # Every feed socket is closed at once, as by a proxy without websockets.
    context.route_web_socket(re.compile(r"/ws/teams/"), lambda socket: socket.close())
    page = log_in(member, context=context)
    page.goto(f"/t/{team.slug}/")
    notice = page.locator("#feed-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("checks for new results every few seconds")
    expect(page.locator("#live-badge")).not_to_have_attribute("data-mode", "live")

    # An upload made elsewhere still shows up, and finishes, by polling alone.
    data = text_png(["Polling still works 42"])
    services.create_upload(team, owner, data, "polled.png")
    item = wait_done(page, "polled.png")
    expect(item.locator(".preview")).to_contain_text("42")
    screenshot(page, "07-polling-fallback-notice")


def test_phone_layout_and_chinese_interface(team, owner, log_in, live_media, screenshot):
    page = log_in(owner, viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True, has_touch=True)
    page.goto(f"/t/{team.slug}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("label[for=file-picker]")).to_have_text("选择图片")
    expect(page.locator("#camera-picker")).to_have_attribute("capture", "environment")
    # Nothing sticks out sideways on a 360 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "08-phone-team-space-zh")

    # Switching the language with the form in the header.
    page.select_option("#language", "en")
    page.click("form.lang button[type=submit]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("label[for=file-picker]")).to_have_text("Choose images")


def test_a_retention_batch_leaves_the_feed_and_the_result_page_live(team, owner, member, log_in, live_media):
    from datetime import timedelta

    from django.utils import timezone

    from recognition import maintenance

    kept = services.create_upload(team, owner, text_png(["Kept upload 7"]), "kept.png").upload
    old = [services.create_upload(team, owner, text_png([f"Expiring upload {n}"]), f"expiring-{n}.png").upload
           for n in range(3)]
    space = log_in(member)
    space.goto(f"/t/{team.slug}/")
    expect(space.locator("#live-badge")).to_have_attribute("data-mode", "live")
    expect(space.locator("#feed .feed-item")).to_have_count(4)
    result = log_in(member)
    result.goto(f"/uploads/{old[0].pk}/")
    space.evaluate("window.notReloaded = true")

    Upload.objects.filter(pk__in=[u.pk for u in old]).update(
        created_at=timezone.now() - timedelta(days=team.retention_days + 1))
    # Two uploads.expired events, pushed through Redis when the suite has it.
    assert outside_the_event_loop(maintenance.apply_retention, batch_size=2).uploads == 3

    expect(space.locator("#feed .feed-item")).to_have_count(1, timeout=30_000)
    expect(space.locator(f'#feed [data-upload-id="{kept.pk}"]')).to_have_count(1)
    assert space.evaluate("window.notReloaded") is True
    expect(result.locator("#status-panel")).to_contain_text("This upload was deleted.", timeout=30_000)
