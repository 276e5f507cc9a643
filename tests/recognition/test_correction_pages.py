"""Corrections in the browser views (test client): the result page's
editable lines, the whole-text form, the history page's diff and revert."""

from __future__ import annotations

import pytest

from recognition import corrections, processing, services
from recognition.models import Result, TextVersion, Upload, UploadStatus

pytestmark = pytest.mark.django_db
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def _no_queue(monkeypatch):
    monkeypatch.setattr(services, "enqueue", lambda upload_id: None)


@pytest.fixture
def done(team, member, png):
    upload = services.create_upload(team, member, png(size=(300, 120)), "report.png").upload
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING)
    upload.refresh_from_db()
    text = "Invoce 4711\nTotal 12.50"
    lines = [{"text": line, "confidence": 0.6 + 0.3 * i, "box": [[10, 10 + 30 * i], [200, 10 + 30 * i],
                                                                  [200, 35 + 30 * i], [10, 35 + 30 * i]]}
             for i, line in enumerate(text.splitlines())]
    assert processing.complete(upload, text=text, confidence=0.8, lines=lines, engine_version="t/1", timings={})
    return upload


def test_result_page_lines_are_editable_for_members_with_their_crops(client_for, member, done):
    page = client_for(member).get(f"/uploads/{done.pk}/").content.decode()
    assert 'class="line low"' in page  # the engine's 60% line, before any correction
    assert 'data-editable="1"' in page and page.count('class="small secondary edit-line"') == 2
    assert 'data-index="0" data-crop="10,10,190,25"' in page and 'data-index="1" data-crop="10,40,190,25"' in page
    assert 'id="version-number">1<' in page and f'/uploads/{done.pk}/history/' in page
    assert "js/line-editor.js" in page


def test_viewer_sees_no_editor_and_cannot_post(client_for, viewer, done):
    client = client_for(viewer)
    page = client.get(f"/uploads/{done.pk}/").content.decode()
    assert "data-editable" not in page and "edit-line" not in page and 'id="whole-text"' not in page
    assert client.post(f"/uploads/{done.pk}/text/", {"text": "x", "version": "1"}).status_code == 403
    assert client.post(f"/uploads/{done.pk}/history/1/revert/", {"version": "1"}).status_code == 403
    assert Result.objects.get(upload=done).version == 1


def test_other_team_gets_404(client_for, outsider, done):
    client = client_for(outsider)
    assert client.get(f"/uploads/{done.pk}/history/").status_code == 404
    assert client.post(f"/uploads/{done.pk}/text/", {"text": "x", "version": "1"}).status_code == 404
    assert client.post(f"/uploads/{done.pk}/history/1/revert/", {}).status_code == 404


def test_whole_text_form_saves_and_refuses_a_stale_version(client_for, member, done):
    client = client_for(member)
    saved = client.post(f"/uploads/{done.pk}/text/", {"text": f"Invoice 4711\n{SCRIPT}", "version": "1"}, follow=True)
    assert "The corrected text is saved." in saved.content.decode()
    stale = client.post(f"/uploads/{done.pk}/text/", {"text": "not lost <b>", "version": "1"}, follow=True)
    assert "Someone changed the text meanwhile" in stale.content.decode()
    # The refused text comes back in the form, once.
    assert '<textarea id="whole-text" name="text" rows="8">not lost &lt;b&gt;</textarea>' in stale.content.decode()
    again = client.get(f"/uploads/{done.pk}/").content.decode()
    assert "not lost" not in again
    assert Result.objects.get(upload=done).text == f"Invoice 4711\n{SCRIPT}"
    page = client.get(f"/uploads/{done.pk}/").content.decode()
    assert SCRIPT not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # Both lines differ from the engine's now: marked corrected, the low-confidence one no longer "check".
    assert page.count('class="line edited"') == 2 and 'class="line low' not in page


def test_history_page_shows_escaped_diffs_and_reverts(client_for, member, done):
    corrections.correct_lines(done, member, [corrections.LineChange(0, f"Invoice {SCRIPT}")], 1)
    client = client_for(member)
    page = client.get(f"/uploads/{done.pk}/history/").content.decode()
    assert SCRIPT not in page
    assert "<ins>i</ins>" in page and "&lt;script&gt;" in page
    assert page.index('id="version-2"') < page.index('id="version-1"')  # newest first
    assert f'action="/uploads/{done.pk}/history/1/revert/"' in page
    assert f'action="/uploads/{done.pk}/history/2/revert/"' not in page  # the current one
    answer = client.post(f"/uploads/{done.pk}/history/1/revert/", {"version": "2"}, follow=True)
    assert "Version 1 is the current text again." in answer.content.decode()
    result = Result.objects.get(upload=done)
    assert result.text == result.engine_text == "Invoce 4711\nTotal 12.50" and result.version == 3
    assert TextVersion.objects.filter(upload=done).count() == 3
