"""The result page's line editor in real Chromium against the live platform:
crops beside the lines, Esc cancels, Enter saves and opens the next line,
the saved text stays, and a teammate's open pages get the edit live."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from recognition import processing, services
from recognition.models import Result, TextVersion, Upload, UploadStatus
from tests.browser.conftest import keep_for_docs, text_png

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ENGINE = "Invoce 4711\nTotal 12.50\nThank yuo"


def finished(team, user, text: str, name: str) -> Upload:
    """An upload with a result as the worker leaves it (no OCR run needed)."""
    lines = text.splitlines()
    upload = services.create_upload(team, user, text_png(lines), name).upload
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING)
    upload.refresh_from_db()
    boxes = [{"text": line, "confidence": 0.7, "box": [[20, 10 + 64 * i], [400, 10 + 64 * i], [400, 60 + 64 * i],
                                                       [20, 60 + 64 * i]]} for i, line in enumerate(lines)]
    assert processing.complete(upload, text=text, confidence=0.7, lines=boxes, engine_version="test/1", timings={})
    return upload


def line(page, number: int):
    return page.locator(f"#lines li[data-line='{number}']")


def test_correcting_lines_from_the_keyboard_reaches_the_team_live(
        team, member, viewer, log_in, live_media, monkeypatch, screenshot):
    monkeypatch.setattr(services, "enqueue", lambda upload_id: None)
    upload = finished(team, member, ENGINE, "receipt.png")

    # A teammate has the same result page and the team space open.
    watcher = log_in(viewer)
    watcher.goto(f"/uploads/{upload.pk}/")
    expect(watcher.locator("#lines .edit-line")).to_have_count(0)  # viewers do not edit
    space = watcher.context.new_page()
    space.goto(f"/t/{team.slug}/")
    expect(space.locator("#live-badge")).to_have_attribute("data-mode", "live")
    watcher.evaluate("window.notReloaded = true")
    space.evaluate("window.notReloaded = true")

    page = log_in(member)
    page.goto(f"/uploads/{upload.pk}/")
    # Each line's crop of the image is drawn beside its text.
    widths = page.locator("#lines canvas.line-crop").evaluate_all("cs => cs.map(c => c.width)")
    assert len(widths) == 3 and all(w > 16 for w in widths), widths

    # Esc cancels: the line keeps its text and nothing is saved.
    line(page, 1).locator(".edit-line").click()
    field = line(page, 1).locator(".line-input")
    expect(field).to_be_focused()
    field.fill("Something else entirely")
    field.press("Escape")
    expect(field).to_have_count(0)
    expect(page.locator("#line-1")).to_have_text("Invoce 4711")
    expect(page.locator("#line-1")).to_be_focused()
    assert Result.objects.get(upload=upload).version == 1

    # Enter on a line opens it; Enter in it saves and goes to the next line.
    page.locator("#line-1").press("Enter")
    field = line(page, 1).locator(".line-input")
    expect(field).to_be_focused()
    field.fill("Invoice 4711")
    keep_for_docs(screenshot(page, "20-line-editor-open", full_page=False), "correction-view.png")
    field.press("Enter")
    expect(line(page, 2).locator(".line-input")).to_be_focused()
    expect(page.locator("#line-1")).to_have_text("Invoice 4711")
    line(page, 2).locator(".line-input").press("Enter")  # unchanged: nothing saved, on to line 3
    third = line(page, 3).locator(".line-input")
    expect(third).to_be_focused()
    third.fill("Thank you <script>alert(1)</script>")
    third.press("Enter")
    expect(page.locator(".line-input")).to_have_count(0)  # the last line closes the editor
    expect(page.locator("#save-status")).to_have_text("Saved as version 3.")
    expect(page.locator("#version-number")).to_have_text("3")
    screenshot(page, "20-line-editor-saved")

    result = Result.objects.get(upload=upload)
    assert result.text == "Invoice 4711\nTotal 12.50\nThank you <script>alert(1)</script>"
    assert result.engine_text == ENGINE and result.version == 3
    assert list(TextVersion.objects.filter(upload=upload).values_list("kind", flat=True)) == ["edit", "edit", "read"]

    # The saved text is what the page shows after a reload, as text.
    page.reload()
    expect(page.locator("#line-1")).to_have_text("Invoice 4711")
    expect(page.locator("#line-3")).to_have_text("Thank you <script>alert(1)</script>")
    expect(page.locator("#version-number")).to_have_text("3")
    expect(line(page, 1)).to_have_class(re.compile(r"\bedited\b"))

    # The teammate's open pages got the edit through the live feed, unreloaded.
    expect(watcher.locator("#line-1")).to_have_text("Invoice 4711")
    expect(watcher.locator("#line-3")).to_have_text("Thank you <script>alert(1)</script>")
    expect(watcher.locator("#version-number")).to_have_text("3")
    expect(watcher.locator("#remote-change")).to_be_visible()
    item = space.locator("#feed .feed-item").filter(has=space.locator(".feed-name", has_text="receipt.png"))
    expect(item.locator(".preview")).to_contain_text("Invoice 4711")
    assert watcher.evaluate("window.notReloaded") is True and space.evaluate("window.notReloaded") is True
    screenshot(watcher, "21-line-editor-teammate-live")


def test_a_conflicting_save_shows_the_other_text_and_keeps_the_change(team, member, add_member, log_in, live_media,
                                                                      live_platform, monkeypatch):
    import requests

    monkeypatch.setattr(services, "enqueue", lambda upload_id: None)
    upload = finished(team, member, ENGINE, "conflict.png")
    page = log_in(member)
    page.goto(f"/uploads/{upload.pk}/")
    expect(page.locator("#version-number")).to_have_text("1")
    page.locator("#line-2").press("Enter")
    field = line(page, 2).locator(".line-input")
    field.fill("Total 12.55")

    # Meanwhile a teammate corrects the first line, through the platform's API
    # (its web process announces the change on the live feed).
    add_member(team, username="teammate")
    answer = requests.patch(
        f"{live_platform.url}/api/uploads/{upload.pk}/", json={"lines": [{"index": 0, "text": "Invoice 4711"}], "version": 1},
        headers={"Authorization": f"Bearer {live_platform.token('teammate')}"}, timeout=60,
    )
    assert answer.status_code == 200, answer.text
    expect(page.locator("#remote-change")).to_be_visible()  # told at once, while the line is open

    field.press("Enter")  # saved on version 1: refused
    expect(page.locator("#save-status")).to_contain_text("Someone else changed the text first")
    expect(page.locator("#line-1")).to_have_text("Invoice 4711")
    waiting = line(page, 2).locator(".line-input")
    expect(waiting).to_have_value("Total 12.55")  # the change is still there
    waiting.press("Enter")
    expect(page.locator("#save-status")).to_have_text("Saved as version 3.")
    result = Result.objects.get(upload=upload)
    assert result.text == "Invoice 4711\nTotal 12.55\nThank yuo" and result.version == 3
