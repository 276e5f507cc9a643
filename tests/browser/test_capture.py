"""Capture in the browser: a frame of a shared screen cropped and uploaded,
cropping and turning an image before upload, reading a region of a result
again, and the share target. Real Chromium against the live platform, with
Chromium's fake capture devices standing in for the screen picker."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from recognition.models import Upload, UploadStatus
from tests.browser.conftest import OCR_TIMEOUT_MS, keep_for_docs, launched_chromium, text_png
from tests.support import make_png

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
# getDisplayMedia answers at once with a generated 1280x720 "screen" instead
# of asking which surface to share.
FAKE_CAPTURE = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


@pytest.fixture(scope="module")
def browser(live_platform):
    """This module's Chromium, with the fake capture devices."""
    with launched_chromium(*FAKE_CAPTURE) as browser:
        yield browser


def drag(page, locator, start: tuple[float, float], end: tuple[float, float]) -> None:
    """Drag across ``locator`` between two points given as fractions of its box."""
    box = locator.bounding_box()
    page.mouse.move(box["x"] + box["width"] * start[0], box["y"] + box["height"] * start[1])
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * end[0], box["y"] + box["height"] * end[1], steps=8)
    page.mouse.up()


def uploaded_image(upload: Upload) -> Image.Image:
    from recognition import storage

    return Image.open(io.BytesIO(storage.read(upload.file_path)))


def test_a_captured_screen_region_is_uploaded(team, owner, log_in, live_media, screenshot):
    page = log_in(owner)
    page.goto(f"/t/{team.slug}/")
    page.click("#capture-screen")
    canvas = page.locator("dialog.cropper .crop-canvas")
    expect(canvas).to_be_visible()
    assert page.evaluate("[document.querySelector('.crop-canvas').width, document.querySelector('.crop-canvas').height]") == [1280, 720]
    drag(page, canvas, (0.25, 0.25), (0.75, 0.75))
    expect(page.locator(".crop-size")).to_have_text(re.compile(r"Selection: 6[34]\d × 3[56]\d px"))
    keep_for_docs(screenshot(page, "capture-selection", full_page=False), "capture-selection.png")
    page.click("dialog.cropper >> text=Upload selection")
    expect(page.locator("dialog.cropper")).to_have_count(0)
    row = page.locator("#upload-list .upload-row").filter(has=page.locator(".upload-name", has_text="Screen capture"))
    expect(row).to_have_class(re.compile(r"\bdone\b"), timeout=OCR_TIMEOUT_MS)
    upload = Upload.objects.get(team=team)
    assert upload.original_name.startswith("Screen capture") and upload.original_name.endswith(".png")
    # Only the region was sent: half the frame each way, give or take the
    # pointer's rounding.
    assert abs(upload.width - 640) <= 4 and abs(upload.height - 360) <= 4, (upload.width, upload.height)
    assert uploaded_image(upload).size == (upload.width, upload.height)


def test_an_image_is_turned_and_cropped_by_keyboard_before_upload(team, owner, log_in, live_media, tmp_path,
                                                                  screenshot):
    page = log_in(owner)
    page.goto(f"/t/{team.slug}/")
    page.check("#crop-before-upload")
    wide = tmp_path / "wide.png"
    wide.write_bytes(make_png((400, 200)))
    page.set_input_files("#file-picker", str(wide))
    dialog = page.locator("dialog.cropper")
    expect(dialog).to_be_visible()
    expect(dialog.locator("text=Upload selection")).to_be_disabled()
    dialog.locator("text=Turn right").click()
    assert page.evaluate("[document.querySelector('.crop-canvas').width, document.querySelector('.crop-canvas').height]") == [200, 400]
    frame = dialog.locator(".crop-frame")
    frame.focus()
    # Arrows start from the middle half (x 50, y 100, 100 × 200) and move it by
    # 4 px; Shift+arrows resize it.
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowDown")
    expect(dialog.locator(".crop-size")).to_have_text("Selection: 100 × 204 px")
    keep_for_docs(screenshot(page, "cropper", full_page=False), "cropper.png")
    page.keyboard.press("Enter")
    row = page.locator("#upload-list .upload-row").filter(has=page.locator(".upload-name", has_text="wide.png"))
    expect(row).to_have_class(re.compile(r"\bdone\b"), timeout=OCR_TIMEOUT_MS)
    # The one upload is the turned cut-out; the original was never sent.
    upload = Upload.objects.get(team=team)
    assert (upload.width, upload.height) == (100, 204)
    # The choice is remembered on this device.
    page.reload()
    expect(page.locator("#crop-before-upload")).to_be_checked()


def test_a_region_of_a_result_is_read_again_and_can_be_kept(team, owner, log_in, live_media, tmp_path, screenshot):
    page = log_in(owner)
    page.goto(f"/t/{team.slug}/")
    shot = tmp_path / "two-lines.png"
    shot.write_bytes(text_png(["Invoice number 4417", "Delivery on Thursday"]))
    page.set_input_files("#file-picker", str(shot))
    row = page.locator("#upload-list .upload-row").filter(has=page.locator(".upload-name", has_text="two-lines.png"))
    expect(row).to_have_class(re.compile(r"\bdone\b"), timeout=OCR_TIMEOUT_MS)
    upload = Upload.objects.get(team=team, original_name="two-lines.png")
    page.goto(f"/uploads/{upload.pk}/")
    # Drag around the second line's box, with some margin.
    second = page.locator("#overlay polygon[data-line='2']")
    line_box = second.bounding_box()
    frame = page.locator("#image-frame")
    frame_box = frame.bounding_box()
    page.click("#region-toggle")
    expect(page.locator("#region-toggle")).to_have_attribute("aria-pressed", "true")
    top = (line_box["y"] - frame_box["y"] - 6) / frame_box["height"]
    bottom = (line_box["y"] + line_box["height"] - frame_box["y"] + 6) / frame_box["height"]
    drag(page, frame, (0.01, top), (0.99, bottom))
    expect(page.locator("#region-actions")).to_be_visible()
    page.click("#region-read")
    text = page.locator("#region-text")
    expect(text).to_be_visible(timeout=OCR_TIMEOUT_MS)
    expect(text).to_contain_text("Thursday")
    assert "4417" not in text.inner_text()
    keep_for_docs(screenshot(page, "region-read", full_page=False), "region-read.png")
    # Nothing was stored by the quick read.
    assert Upload.objects.filter(team=team).count() == 1
    page.click("#region-save")
    link = page.locator("#region-new-upload")
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url(re.compile(r"/uploads/\d+/$"))
    kept = Upload.objects.exclude(pk=upload.pk).get(team=team)
    assert page.url.endswith(f"/uploads/{kept.pk}/")
    expect(page.locator("#full-text")).to_contain_text("Thursday", timeout=OCR_TIMEOUT_MS)
    assert kept.height < upload.height / 2


def test_the_share_target_takes_a_shared_image_to_its_result(team, owner, log_in, live_media):
    page = log_in(owner)
    page.goto(f"/t/{team.slug}/")  # makes it the last used team
    page.goto("/share/")
    data = text_png(["Shared from the phone 8812"])
    # The form the share sheet posts: multipart, the images in "files".
    page.evaluate(
        """(bytes) => {
            const form = document.createElement("form");
            form.method = "post"; form.action = "/share/"; form.enctype = "multipart/form-data";
            const input = document.createElement("input");
            input.type = "file"; input.name = "files";
            const files = new DataTransfer();
            files.items.add(new File([new Uint8Array(bytes)], "IMG_2041.png", {type: "image/png"}));
            input.files = files.files;
            const title = document.createElement("input");
            title.name = "title"; title.value = "Photo";
            form.append(input, title);
            document.body.append(form);
            form.submit();
        }""",
        list(data),
    )
    page.wait_for_url(re.compile(r"/uploads/\d+/$"))
    upload = Upload.objects.get(team=team, original_name="IMG_2041.png")
    assert page.url.endswith(f"/uploads/{upload.pk}/")
    # The result page follows the upload until its text is there.
    expect(page.locator("#full-text")).to_contain_text("8812", timeout=OCR_TIMEOUT_MS)
    assert Upload.objects.get(pk=upload.pk).status == UploadStatus.DONE
