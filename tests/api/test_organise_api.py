"""The organising endpoints: tags, notes, notifications, saved searches and
bulk actions, with the same rules as the pages."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from recognition.models import Note, Tag, Upload
from teams import access_tokens
from teams.models import AuditEntry
from teams.roles import Role


@pytest.fixture
def uploads(done_upload, member):
    return [done_upload("first text", name="a.png"), done_upload("second <b>text</b>", name="b.png")]


def test_tags_of_the_team_and_of_an_upload(team, member, viewer, admin_user, uploads, api_for):
    client = api_for(member)
    made = client.post(reverse("api-tag-list", args=[team.slug]), {"name": "Invoice", "colour": "blue"}, format="json")
    assert made.status_code == 201 and made.json()["colour"] == "blue"
    again = client.post(reverse("api-tag-list", args=[team.slug]), {"name": "invoice"}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "tag_refused"
    target = reverse("api-upload-tags", args=[uploads[0].pk])
    assert client.put(target, {"tags": ["invoice", "paid"]}, format="json").json() == [
        {"id": made.json()["id"], "name": "Invoice", "colour": "blue"},
        {"id": Tag.objects.get(name="paid").pk, "name": "paid", "colour": "grey"}]
    assert [t["name"] for t in client.post(target, {"tags": ["late"]}, format="json").json()] == ["Invoice", "late", "paid"]
    assert api_for(viewer).put(target, {"tags": []}, format="json").status_code == 403
    listed = api_for(viewer).get(reverse("api-tag-list", args=[team.slug])).json()
    assert {t["name"]: t["upload_count"] for t in listed} == {"Invoice": 1, "late": 1, "paid": 1}
    detail = reverse("api-tag-detail", args=[team.slug, made.json()["id"]])
    assert client.patch(detail, {"name": "Bill"}, format="json").status_code == 403
    assert api_for(admin_user).patch(detail, {"name": "Bill"}, format="json").json()["name"] == "Bill"
    assert api_for(admin_user).patch(detail, {}, format="json").status_code == 400
    assert api_for(admin_user).delete(detail).status_code == 204


def test_uploads_and_zips_carry_tags_given_with_them(team, member, api_for, file_of, png, zip_of, queued):
    client = api_for(member)
    answer = client.post(reverse("api-upload-list"), {"files": [file_of(png())], "team": team.slug,
                                                      "tags": '["scan", "2026"]'}, format="multipart")
    assert answer.status_code == 201, answer.json()
    assert [t["name"] for t in answer.json()["results"][0]["upload"]["tags"]] == ["2026", "scan"]
    archive = file_of(zip_of({"x.png": png(), "y.png": png()}), "a.zip", "application/zip")
    zipped = client.post(reverse("api-upload-zip"), {"archive": archive, "team": team.slug, "tags": '["zipped"]'},
                         format="multipart")
    assert zipped.status_code == 201
    assert Upload.objects.filter(tags__name="zipped").count() == 2
    for bad in (f'["{"x" * 41}"]', '[""]', "invoice", '{"a": 1}', "[1]"):
        refused = client.post(reverse("api-upload-list"), {"files": [file_of(png())], "team": team.slug,
                                                           "tags": bad}, format="multipart")
        assert refused.status_code == 400, bad
        assert "tags" in refused.json()["errors"] or refused.json()["code"] == "tag_refused", bad
    assert Upload.objects.count() == 3  # nothing stored


def test_notes_with_a_mention_reach_the_member(team, member, viewer, uploads, api_for):
    notes = reverse("api-upload-notes", args=[uploads[0].pk])
    written = api_for(member).post(notes, {"body": "<script>x</script> @viewer see this"}, format="json")
    assert written.status_code == 201 and written.json()["mentioned"] == ["viewer"]
    assert api_for(viewer).post(notes, {"body": "me too"}, format="json").status_code == 403
    assert api_for(viewer).get(notes).json()[0]["body"] == "<script>x</script> @viewer see this"
    inbox = api_for(viewer).get(reverse("api-notifications") + "?unread=true").json()["results"]
    assert [(n["upload_id"], n["note"]["author"], n["read"]) for n in inbox] == [(uploads[0].pk, "member", False)]
    marked = api_for(viewer).post(reverse("api-notifications-read"), {}, format="json").json()
    assert marked == {"marked": 1, "unread": 0}
    assert api_for(member).get(reverse("api-notifications")).json()["results"] == []
    note = reverse("api-upload-note", args=[uploads[0].pk, written.json()["id"]])
    assert api_for(viewer).delete(note).status_code == 403
    assert api_for(member).delete(note).status_code == 204 and not Note.objects.exists()
    assert api_for(member).post(notes, {"body": "  "}, format="json").json()["code"] in ("invalid", "note_refused")


def test_notes_filter_the_list_and_are_found_by_text(team, member, uploads, api_for):
    client = api_for(member)
    client.post(reverse("api-upload-notes", args=[uploads[1].pk]), {"body": "zebra crossing"}, format="json")
    base = reverse("api-upload-list") + f"?team={team.slug}"
    assert [u["id"] for u in client.get(base + "&has_notes=true").json()["results"]] == [uploads[1].pk]
    assert [u["id"] for u in client.get(base + "&q=zebra").json()["results"]] == [uploads[1].pk]
    assert [u["id"] for u in client.get(base + "&has_notes=false").json()["results"]] == [uploads[0].pk]


def test_saved_searches(team, member, admin_user, api_for):
    url = reverse("api-saved-search-list", args=[team.slug])
    mine = api_for(member).post(url, {"name": "Done", "query": "status=done&tag=a"}, format="json")
    assert mine.status_code == 201 and mine.json()["query"] == "status=done&tag=a"
    assert api_for(member).post(url, {"name": "All", "query": "status=done", "shared": True},
                                format="json").status_code == 403
    shared = api_for(admin_user).post(url, {"name": "Team", "query": "pinned=true", "shared": True}, format="json")
    assert shared.status_code == 201
    bad = api_for(member).post(url, {"name": "Bad", "query": "pinned=maybe"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "saved_search_refused" and "pinned" in bad.json()["errors"]
    assert [s["name"] for s in api_for(member).get(url).json()] == ["Team", "Done"]
    assert [s["name"] for s in api_for(admin_user).get(url).json()] == ["Team"]
    detail = reverse("api-saved-search-detail", args=[team.slug, shared.json()["id"]])
    assert api_for(member).delete(detail).status_code == 403
    assert api_for(admin_user).delete(detail).status_code == 204


def test_bulk_actions_answer_with_a_summary(team, member, viewer, admin_user, add_member, uploads, done_upload, api_for):
    other = add_member(team, Role.MEMBER, "other")
    theirs = done_upload("other text", user=other, name="c.png")
    url = reverse("api-bulk", args=[team.slug])
    ids = [u.pk for u in uploads] + [theirs.pk]
    tagged = api_for(member).post(url, {"action": "tag", "ids": ids, "tags": ["review"]}, format="json")
    assert tagged.json() == {"action": "tag", "selected": 3, "changed": 3, "unchanged": 0, "refused": []}
    assert api_for(viewer).post(url, {"action": "pin", "ids": ids}, format="json").status_code == 403
    deleted = api_for(member).post(url, {"action": "delete", "matching": "tag=review"}, format="json").json()
    assert deleted["changed"] == 2 and [r["id"] for r in deleted["refused"]] == [theirs.pk]
    assert list(Upload.objects.values_list("pk", flat=True)) == [theirs.pk]
    assert AuditEntry.objects.filter(action="upload.delete", actor=member).count() == 2
    both = api_for(member).post(url, {"action": "pin", "ids": ids, "matching": ""}, format="json")
    assert both.status_code == 400 and both.json()["code"] == "bulk_refused"
    unknown = api_for(member).post(url, {"action": "pin", "ids": [uploads[0].pk]}, format="json")
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_uploads"
    bad_filter = api_for(member).post(url, {"action": "pin", "matching": "status=lost"}, format="json")
    assert bad_filter.status_code == 400 and bad_filter.json()["code"] == "bad_filter"


def test_a_read_only_access_token_reads_but_does_not_organise(team, member, uploads):
    _, secret = access_tokens.create_token(member, name="reader", scopes=["read"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.get(reverse("api-tag-list", args=[team.slug])).status_code == 200
    assert client.post(reverse("api-tag-list", args=[team.slug]), {"name": "x"}, format="json").status_code == 403
    assert client.post(reverse("api-upload-notes", args=[uploads[0].pk]), {"body": "x"},
                       format="json").status_code == 403
    assert client.post(reverse("api-bulk", args=[team.slug]), {"action": "pin", "matching": ""},
                       format="json").status_code == 403
    assert not Tag.objects.exists() and not Note.objects.exists()


def test_search_and_export_take_the_tag_filter_too(team, member, uploads, api_for):
    client = api_for(member)
    client.put(reverse("api-upload-tags", args=[uploads[1].pk]), {"tags": ["keep"]}, format="json")
    hits = client.get(reverse("api-search"), {"team": team.slug, "q": "text", "tag": "keep"}).json()["results"]
    assert [h["upload"]["id"] for h in hits] == [uploads[1].pk]
    exported = client.get(reverse("api-export"), {"team": team.slug, "format": "json", "tag": "keep"})
    body = b"".join(exported.streaming_content).decode()
    assert "second" in body and "first text" not in body and '"keep"' in body
    posted = client.post(reverse("api-export"), {"team": team.slug, "format": "txt", "tag": ["keep"],
                                                 "has_notes": False}, format="json")
    assert "second" in b"".join(posted.streaming_content).decode()
