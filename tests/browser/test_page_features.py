"""The uploader's own drop-zone rows, drag and drop, exporting from the
pages and reading a result aloud: real Chromium against the live platform."""

from __future__ import annotations

import base64
import re

import pytest
from playwright.sync_api import expect

from recognition import storage
from recognition.models import Upload, UploadStatus
from tests.browser.conftest import OCR_TIMEOUT_MS, text_png

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def row_of(page, name: str):
    return page.locator("#upload-list .upload-row").filter(has=page.locator(".upload-name", has_text=name))


def test_the_uploaders_row_follows_the_upload_to_done(team, owner, log_in, live_media, tmp_path, screenshot):
    page = log_in(owner)
    page.goto(f"/t/{team.slug}/")
    expect(page.locator("#live-badge")).to_have_attribute("data-mode", "live")
    shot = tmp_path / "receipt.png"
    shot.write_bytes(text_png(["Receipt total 9120", "Thank you"]))
    page.set_input_files("#file-picker", str(shot))
    row = row_of(page, "receipt.png")
    expect(row.locator(".upload-message")).to_contain_text("being read", timeout=60_000)
    # No reload: the row itself turns to done, with the first line and a link.
    expect(row).to_have_class(re.compile(r"\bdone\b"), timeout=OCR_TIMEOUT_MS)
    expect(row.locator(".upload-message")).to_contain_text("Done:")
    expect(row.locator(".upload-message")).to_contain_text("9120")
    upload = Upload.objects.get(team=team, original_name="receipt.png")
    expect(row.locator(".upload-message a")).to_have_attribute("href", f"/uploads/{upload.pk}/")
    screenshot(page, "09-uploader-row-done")


def test_the_uploaders_row_shows_a_failure(team, owner, log_in, live_media, live_platform, tmp_path):
    page = log_in(owner)
    page.goto(f"/t/{team.slug}/")
    expect(page.locator("#live-badge")).to_have_attribute("data-mode", "live")
    # The worker is stopped while the stored image is damaged, so reading it
    # fails for certain; the restarted cluster picks the upload up again.
    live_platform.stop_worker()
    try:
        shot = tmp_path / "damaged.png"
        shot.write_bytes(text_png(["Soon unreadable"]))
        page.set_input_files("#file-picker", str(shot))
        row = row_of(page, "damaged.png")
        expect(row.locator(".upload-message")).to_contain_text("being read", timeout=60_000)
        upload = Upload.objects.get(team=team, original_name="damaged.png")
        storage.store(b"\x89PNG\r\n\x1a\n garbage", upload.file_path)
    finally:
        live_platform.start_worker()
    expect(row).to_have_class(re.compile(r"\bfailed\b"), timeout=OCR_TIMEOUT_MS)
    expect(row.locator(".upload-message")).to_contain_text("Could not be read: The image could not be read")
    assert Upload.objects.get(pk=upload.pk).status == UploadStatus.FAILED


DROP_IN_PAGE = """async ([b64, name]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, {type: "image/png"}));
  const zone = document.getElementById("dropzone");
  for (const type of ["dragenter", "dragover"]) {
    zone.dispatchEvent(new DragEvent(type, {dataTransfer: data, bubbles: true, cancelable: true}));
  }
  const highlighted = zone.classList.contains("dragging");
  const drop = new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true});
  zone.dispatchEvent(drop);
  return {highlighted, prevented: drop.defaultPrevented, after: zone.classList.contains("dragging")};
}"""


def test_dropping_a_file_on_the_zone_uploads_it(team, owner, log_in, live_media):
    page = log_in(owner)
    page.goto(f"/t/{team.slug}/")
    data = base64.b64encode(text_png(["Dropped in 3301"])).decode()
    with page.expect_response(lambda r: r.url.endswith("/api/uploads/") and r.request.method == "POST") as answer:
        outcome = page.evaluate(DROP_IN_PAGE, [data, "dropped.png"])
    assert outcome == {"highlighted": True, "prevented": True, "after": False}
    assert answer.value.status == 201
    expect(row_of(page, "dropped.png")).to_have_class(re.compile(r"\bok\b"))
    assert Upload.objects.filter(team=team, original_name="dropped.png").exists()


def finished(team, user, text: str, name: str) -> Upload:
    """An upload with a result, as the worker leaves it (no OCR needed here)."""
    from recognition import processing, services

    upload = services.create_upload(team, user, text_png([name]), name).upload
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING)
    upload.refresh_from_db()
    lines = [{"text": line, "confidence": 0.9, "box": [[10, 10 + 40 * i], [300, 10 + 40 * i], [300, 40 + 40 * i],
                                                        [10, 40 + 40 * i]]} for i, line in enumerate(text.splitlines())]
    assert processing.complete(upload, text=text, confidence=0.9, lines=lines, engine_version="test/1", timings={})
    return upload


def test_export_buttons_on_the_team_space_and_the_search_page(team, owner, log_in, live_media, monkeypatch):
    import csv
    import io

    from recognition import services

    monkeypatch.setattr(services, "enqueue", lambda upload_id: None)
    finished(team, owner, "Invoice 5521 paid", "invoice-a.png")
    finished(team, owner, "Meeting notes", "notes-b.png")
    page = log_in(owner)

    page.goto(f"/t/{team.slug}/")
    page.select_option("#export-format", "csv")
    with page.expect_download() as download:
        page.click("#export-button")
    assert download.value.suggested_filename.startswith(f"{team.slug}-")
    assert download.value.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert sorted(r["name"] for r in rows) == ["invoice-a.png", "notes-b.png"]

    page.goto(f"/t/{team.slug}/search/?q=5521")
    expect(page.locator(".hits .hit")).to_have_count(1)
    page.select_option("#export-format", "txt")
    with page.expect_download() as download:
        page.click("#export-button")
    text = open(download.value.path(), encoding="utf-8").read()
    assert "Invoice 5521 paid" in text and "Meeting notes" not in text


# Records every speech call the page makes (the page's own code runs as is;
# a headless browser has no voice to play it with).
OBSERVE_SPEECH = """
window.__speech = [];
const synth = window.speechSynthesis;
synth.speak = (utterance) => window.__speech.push({call: "speak", text: utterance.text, lang: utterance.lang});
synth.cancel = () => window.__speech.push({call: "cancel"});
"""


@pytest.mark.parametrize("text,lang", [("销售报表 第三季度\n会议纪要", "zh-CN"), ("Quarterly report\nTotal 1234", "en-US")])
def test_read_aloud_speaks_the_text_in_its_language(team, owner, open_context, log_in, live_media, monkeypatch, text, lang):
    from recognition import services

    monkeypatch.setattr(services, "enqueue", lambda upload_id: None)
    upload = finished(team, owner, text, "spoken.png")
    context = open_context()
    context.add_init_script(OBSERVE_SPEECH)
    page = log_in(owner, context=context)
    page.goto(f"/uploads/{upload.pk}/")
    button = page.locator("#read-aloud")
    expect(button).to_be_visible()
    button.click()
    expect(button).to_have_text("Stop reading")
    spoken = page.evaluate("window.__speech")
    assert spoken == [{"call": "speak", "text": page.locator("#full-text").text_content(), "lang": lang}]
    assert text.splitlines()[0] in spoken[0]["text"]
    button.click()
    expect(button).to_have_text("Read aloud")
    assert page.evaluate("window.__speech")[-1] == {"call": "cancel"}
