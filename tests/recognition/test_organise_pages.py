"""The organising pages: filter bar, saved searches, bulk form and its
summary, the result page's tags and notes, the tag list, notifications."""

from __future__ import annotations

import pytest
from django.urls import reverse

from recognition import processing, services
from recognition.models import Note, SavedSearch, Upload, UploadStatus
from recognition.notes import services as note_services
from recognition.tags import services as tag_services

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(autouse=True)
def _no_queue(monkeypatch):
    monkeypatch.setattr(services, "enqueue", lambda upload_id: None)


def finish(upload: Upload, text: str) -> Upload:
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING)
    upload.refresh_from_db()
    processing.complete(upload, text=text, confidence=0.9, lines=[], engine_version="t/1", timings={})
    upload.refresh_from_db()
    return upload


@pytest.fixture
def done(team, member, png):
    return finish(services.create_upload(team, member, png(), "report.png").upload, "Quarterly report")


def test_notes_and_tags_are_escaped_everywhere(team, member, viewer, done, client_for):
    tag_services.set_tags(done, member, [XSS[:40]])
    note_services.add_note(done, member, XSS + " @viewer")
    client = client_for(viewer)
    for url in (reverse("upload-result", args=[done.pk]), reverse("team-space", args=[team.slug]),
                reverse("team-search", args=[team.slug]) + "?q=onerror", reverse("notifications"),
                reverse("team-tags", args=[team.slug])):
        html = client.get(url).content.decode()
        assert "<img src=x" not in html, url
        assert "&lt;img src=x" in html, url


def test_the_result_page_adds_a_note_and_sets_tags(team, member, viewer, done, client_for):
    client = client_for(member)
    answer = client.post(reverse("upload-note-add", args=[done.pk]), {"body": "Checked, @viewer"})
    assert answer.status_code == 302 and answer["Location"].endswith("#notes")
    client.post(reverse("upload-tags", args=[done.pk]), {"tags": "paid, 2026 ,paid"})
    assert sorted(done.tags.values_list("name", flat=True)) == ["2026", "paid"]
    page = client_for(viewer).get(reverse("upload-result", args=[done.pk])).content.decode()
    assert "Checked, @viewer" in page and 'id="note-form"' not in page  # viewers read only
    assert "tag-chip tag-grey" in page
    space = client_for(viewer).get(reverse("team-space", args=[team.slug])).content.decode()
    assert 'id="notifications"' in space and "Checked, @viewer" in space
    refused = client_for(viewer).post(reverse("upload-note-add", args=[done.pk]), {"body": "x"})
    assert refused.status_code == 403 and Note.objects.count() == 1


def test_the_bulk_form_comes_back_with_a_summary(team, member, admin_user, add_member, png, client_for):
    other = add_member(team, "member", "other")
    own = [finish(services.create_upload(team, member, png(), f"own{n}.png").upload, "t") for n in range(2)]
    theirs = finish(services.create_upload(team, other, png(), "theirs.png").upload, "t")
    client = client_for(member)
    back = reverse("team-space", args=[team.slug]) + "?status=done"
    tagged = client.post(reverse("team-bulk", args=[team.slug]),
                         {"action": "tag", "tag": "batch", "ids": [u.pk for u in own] + [theirs.pk], "next": back})
    assert tagged.status_code == 302 and tagged["Location"] == back
    page = client.get(back)
    summary = page.context["bulk_summary"]
    assert (summary["selected"], summary["changed"], summary["tags"]) == (3, 3, ["batch"])
    assert 'id="bulk-summary"' in page.content.decode()
    deleted = client.post(reverse("team-bulk", args=[team.slug]),
                          {"action": "delete", "all_matching": "1", "matching": "tag=batch", "next": back})
    assert deleted.status_code == 302
    summary = client.get(back).context["bulk_summary"]
    assert summary["changed"] == 2 and [r["name"] for r in summary["refused"]] == ["theirs.png"]
    html = client.get(back).content.decode()
    assert "bulk-summary" not in html  # shown once


def test_bulk_export_of_a_selection_is_a_download_in_any_format(team, member, viewer, done, png, client_for):
    other = finish(services.create_upload(team, member, png(), "other.png").upload, "Other text")
    for fmt in ("txt", "csv", "json", "md"):
        answer = client_for(viewer).post(reverse("team-bulk", args=[team.slug]),
                                         {"action": "export", "format": fmt, "ids": [done.pk]})
        body = b"".join(answer.streaming_content).decode("utf-8-sig")
        assert answer.status_code == 200 and "attachment" in answer["Content-Disposition"]
        assert "Quarterly report" in body and "Other text" not in body, fmt
    assert other.pk


def test_a_bad_bulk_request_is_a_message_not_an_error_page(team, member, client_for):
    client = client_for(member)
    answer = client.post(reverse("team-bulk", args=[team.slug]), {"action": "tag", "ids": ["1x"]})
    assert answer.status_code == 302
    page = client.get(reverse("team-space", args=[team.slug]))
    assert "not an upload id" in page.content.decode()


def test_saving_a_search_opens_it_and_lists_it(team, member, client_for):
    client = client_for(member)
    answer = client.post(reverse("saved-search-create", args=[team.slug]),
                         {"name": "Failed ones", "query": "status=failed&q=", "next": "/"})
    saved = SavedSearch.objects.get()
    assert saved.query == "status=failed" and answer["Location"].endswith("/?status=failed")
    page = client.get(answer["Location"]).content.decode()
    assert "Failed ones" in page and 'aria-current="true"' in page
    client.post(reverse("saved-search-delete", args=[team.slug, saved.pk]))
    assert not SavedSearch.objects.exists()


def test_the_tags_page(team, member, viewer, admin_user, client_for):
    assert client_for(member).post(reverse("team-tags", args=[team.slug]), {"name": "ok", "colour": "teal"}).status_code == 302
    again = client_for(member).post(reverse("team-tags", args=[team.slug]), {"name": "OK", "colour": "teal"})
    assert again.status_code == 400 and "already has a tag" in again.content.decode()
    assert client_for(viewer).post(reverse("team-tags", args=[team.slug]), {"name": "v"}).status_code == 403
    tag = team.tags.get()
    client_for(admin_user).post(reverse("tag-update", args=[team.slug, tag.pk]), {"name": "fine", "colour": "red"})
    tag.refresh_from_db()
    assert (tag.name, tag.colour) == ("fine", "red")
