"""Correcting recognised text through the API: versions, conflicts, revert,
roles, other teams, and every reader seeing the corrected text."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from rest_framework_simplejwt.tokens import RefreshToken

from recognition import search, services, tasks
from recognition.models import Event, EventKind, Result, TextVersion, Upload
from teams.models import AuditEntry
from teams.roles import Role
from tests.support import make_png

pytestmark = pytest.mark.django_db

ENGINE = "Invoce 4711\nTotal 12.50"


def detail(client, upload):
    response = client.get(f"/api/uploads/{upload.pk}/")
    assert response.status_code == 200, response.content
    return response


def patch(client, upload, body, **headers):
    return client.patch(f"/api/uploads/{upload.pk}/", body, format="json", **headers)


def test_detail_carries_current_text_version_engine_text_and_an_etag(api_for, member, done_upload):
    upload = done_upload(ENGINE)
    response = detail(api_for(member), upload)
    result = response.json()["result"]
    assert result["text"] == ENGINE and result["engine_text"] == ENGINE
    assert result["version"] == 1 and result["corrected"] is False
    assert response["ETag"] == '"v1"'


def test_concurrent_edits_conflict_and_nothing_is_lost(api_for, member, add_member, team, done_upload):
    upload = done_upload(ENGINE)
    alice, bob = api_for(member), api_for(add_member(team, Role.MEMBER, "bob"))
    seen_by_alice = detail(alice, upload).json()["result"]["version"]
    seen_by_bob = detail(bob, upload).json()["result"]["version"]

    first = patch(alice, upload, {"text": "Invoice 4711\nTotal 12.50", "version": seen_by_alice})
    assert first.status_code == 200, first.content
    assert first.json()["version"] == 2 and first.json()["text"] == "Invoice 4711\nTotal 12.50"

    late = patch(bob, upload, {"lines": [{"index": 1, "text": "Total 12,50"}], "version": seen_by_bob})
    assert late.status_code == 409, late.content
    body = late.json()
    assert body["version"] == 2 and body["text"] == "Invoice 4711\nTotal 12.50" and body["detail"]
    assert Result.objects.get(upload=upload).text == "Invoice 4711\nTotal 12.50"  # Bob's edit did not overwrite

    retried = patch(bob, upload, {"lines": [{"index": 1, "text": "Total 12,50"}], "version": body["version"]})
    assert retried.status_code == 200 and retried.json()["version"] == 3
    assert retried.json()["text"] == "Invoice 4711\nTotal 12,50"  # both corrections are in
    assert retried.json()["engine_text"] == ENGINE
    texts = [v.text for v in TextVersion.objects.filter(upload=upload).order_by("number")]
    assert texts == [ENGINE, "Invoice 4711\nTotal 12.50", "Invoice 4711\nTotal 12,50"]


def test_if_match_with_the_etag(api_for, member, done_upload):
    upload = done_upload(ENGINE)
    client = api_for(member)
    tag = detail(client, upload)["ETag"]
    ok = patch(client, upload, {"text": "one"}, HTTP_IF_MATCH=tag)
    assert ok.status_code == 200 and ok["ETag"] == '"v2"'
    stale = patch(client, upload, {"text": "two"}, HTTP_IF_MATCH=tag)
    assert stale.status_code == 412 and stale.json()["version"] == 2 and stale.json()["text"] == "one"
    assert patch(client, upload, {"text": "three"}).status_code == 428
    assert patch(client, upload, {"text": "three"}, HTTP_IF_MATCH="v2").status_code == 400
    assert patch(client, upload, {"text": "three", "version": 1}, HTTP_IF_MATCH='"v2"').status_code == 400
    assert Result.objects.get(upload=upload).text == "one"


@pytest.mark.parametrize("body", [
    {"text": "a\x00b", "version": 1},
    {"text": "x", "lines": [{"index": 0, "text": "y"}], "version": 1},
    {"lines": [{"index": 5, "text": "y"}], "version": 1},
    {"lines": [{"index": 0, "text": "y\nz"}], "version": 1},
    {"lines": [{"index": 0, "text": "y"}, {"index": 0, "text": "z"}], "version": 1},
    {"lines": [], "version": 1},
    {"text": 5, "version": 1},
    {"text": "x", "version": "1"},
    {"version": 1},
])
def test_bad_corrections_are_a_clear_400(api_for, member, done_upload, body):
    upload = done_upload(ENGINE)
    response = patch(api_for(member), upload, body)
    assert response.status_code == 400, response.content
    assert response.json()["detail"]
    assert Result.objects.get(upload=upload).version == 1


def test_an_upload_without_text_cannot_be_corrected(api_for, member, team, queued):
    upload = services.create_upload(team, member, make_png(), "waiting.png").upload
    response = patch(api_for(member), upload, {"text": "x", "version": 1})
    assert response.status_code == 409 and "no finished text" in response.json()["detail"]


def test_viewer_may_read_but_not_correct_or_revert(api_for, viewer, done_upload):
    upload = done_upload(ENGINE)
    client = api_for(viewer)
    assert detail(client, upload).json()["result"]["version"] == 1
    assert patch(client, upload, {"text": "x", "version": 1}).status_code == 403
    assert client.post(f"/api/uploads/{upload.pk}/versions/1/revert/", {}, format="json").status_code == 403
    assert client.get(f"/api/uploads/{upload.pk}/versions/").status_code == 200
    assert Result.objects.get(upload=upload).text == ENGINE and TextVersion.objects.filter(upload=upload).count() == 1


def test_another_teams_result_is_unreachable(api_for, outsider, done_upload):
    upload = done_upload(ENGINE)
    client = api_for(outsider)
    base = f"/api/uploads/{upload.pk}"
    assert patch(client, upload, {"text": "x", "version": 1}).status_code == 404
    assert client.get(f"{base}/versions/").status_code == 404
    assert client.get(f"{base}/versions/1/").status_code == 404
    assert client.post(f"{base}/versions/1/revert/", {}, format="json").status_code == 404
    assert Result.objects.get(upload=upload).text == ENGINE


def test_history_newest_first_with_who_and_diff_and_revert(api_for, member, add_member, team, done_upload):
    upload = done_upload(ENGINE)
    carol = add_member(team, Role.ADMIN, "carol")
    first = patch(api_for(member), upload, {"lines": [{"index": 0, "text": "Invoice 4711"}], "version": 1})
    assert first.status_code == 200
    assert patch(api_for(carol), upload, {"text": "Invoice 4711\nTotal 12.50\nPaid", "version": 2}).status_code == 200

    history = api_for(member).get(f"/api/uploads/{upload.pk}/versions/").json()
    assert history["current"] == 3
    assert [(v["number"], v["kind"], v["author"]) for v in history["versions"]] == [
        (3, "edit", "carol"), (2, "edit", "member"), (1, "read", None)]

    one = api_for(member).get(f"/api/uploads/{upload.pk}/versions/2/").json()
    assert one["parent"] == 1
    assert one["diff"][0]["op"] == "replace" and one["diff"][0]["old"] == "Invoce 4711"
    assert ["insert", "i"] in one["diff"][0]["pieces"]
    assert one["diff"][1] == {"op": "equal", "old": "Total 12.50", "new": "Total 12.50", "old_number": 2,
                              "new_number": 2, "pieces": []}
    assert api_for(member).get(f"/api/uploads/{upload.pk}/versions/9/").status_code == 404

    stale = api_for(member).post(f"/api/uploads/{upload.pk}/versions/1/revert/", {"version": 2}, format="json")
    assert stale.status_code == 409 and stale.json()["version"] == 3
    reverted = api_for(member).post(f"/api/uploads/{upload.pk}/versions/1/revert/", {"version": 3}, format="json")
    assert reverted.status_code == 200, reverted.content
    body = reverted.json()
    assert body["version"] == 4 and body["text"] == ENGINE and body["corrected"] is False
    newest = api_for(member).get(f"/api/uploads/{upload.pk}/versions/").json()["versions"][0]
    assert newest["kind"] == "revert" and newest["reverted_to"] == 1 and newest["parent"] == 3
    assert api_for(member).post(f"/api/uploads/{upload.pk}/versions/77/revert/", {}, format="json").status_code == 404
    # Nothing was removed: every version is still there.
    assert TextVersion.objects.filter(upload=upload).count() == 4


def test_corrections_and_reverts_are_audited_and_announced(api_for, member, done_upload):
    upload = done_upload(ENGINE)
    patch(api_for(member), upload, {"text": "fixed", "version": 1})
    api_for(member).post(f"/api/uploads/{upload.pk}/versions/1/revert/", {}, format="json")
    entries = list(AuditEntry.objects.filter(target_type="recognition.upload", target_id=str(upload.pk))
                   .order_by("created_at", "pk"))
    assert [(e.action, e.actor_name, e.details.get("version")) for e in entries] == [
        ("upload.correct", "member", 2), ("upload.revert", "member", 3)]
    assert entries[1].details["reverted_to"] == 1 and entries[0].team_id == upload.team_id
    events = list(Event.objects.filter(upload_id=upload.pk, kind=EventKind.CORRECTED).order_by("id"))
    assert [(e.payload["text"], e.payload["version"]) for e in events] == [("fixed", 2), (ENGINE, 3)]


def test_search_export_and_webhook_payload_use_the_corrected_text(api_for, member, team, done_upload):
    from recognition.representation import WEBHOOK, represent

    upload = done_upload("Invoce 4711")
    patch(api_for(member), upload, {"text": "Invoice 4711 zebra", "version": 1})
    hits = api_for(member).get("/api/search/", {"team": team.slug, "q": "zebra"}).json()["results"]
    assert [h["upload"]["id"] for h in hits] == [upload.pk]
    assert api_for(member).get("/api/search/", {"team": team.slug, "q": "Invoce"}).json()["results"] == []
    assert list(search.search_uploads(team, "zebra")) == [upload]
    exported = b"".join(api_for(member).get("/api/export/", {"team": team.slug, "format": "txt"}).streaming_content)
    assert b"Invoice 4711 zebra" in exported and b"Invoce" not in exported
    upload.refresh_from_db()
    assert represent(upload, WEBHOOK)["text"] == "Invoice 4711 zebra"
    preview = api_for(member).get("/api/uploads/", {"team": team.slug}).json()["results"][0]["preview"]
    assert preview == "Invoice 4711 zebra"


@pytest.mark.django_db(transaction=True)
def test_recognize_dedup_hit_answers_the_corrected_text(api_for, member, team, fake_engine, sync_queue, settings):
    fake_engine.text = "Invoce 4711"
    data = make_png()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {RefreshToken.for_user(member).access_token}"}
    first = Client().post("/ocr/recognize", {"image": SimpleUploadedFile("a.png", data, "image/png")}, **bearer).json()
    assert first["text"] == "Invoce 4711"
    upload = team.uploads.get(pk=first["id"])
    assert patch(api_for(member), upload, {"text": "Invoice 4711", "version": 1}).status_code == 200
    settings.OCRSPACE_RECOGNIZE_WAIT_SECONDS = 0
    again = Client().post("/ocr/recognize", {"image": SimpleUploadedFile("b.png", data, "image/png")}, **bearer).json()
    assert again["deduplicated"] and again["text"] == "Invoice 4711"


def test_a_rerun_keeps_the_correction_until_someone_reverts(api_for, member, done_upload, fake_engine):
    upload = done_upload(ENGINE)
    assert patch(api_for(member), upload, {"text": "Invoice 4711\nTotal 12.50", "version": 1}).status_code == 200
    fake_engine.text = "Invoice 4711\nTota1 12.50"
    services.rerun(upload, member, "fast")
    tasks.run_ocr(upload.pk)
    result = detail(api_for(member), upload).json()["result"]
    assert result["text"] == "Invoice 4711\nTotal 12.50" and result["corrected"] is True
    assert result["engine_text"] == "Invoice 4711\nTota1 12.50" and result["version"] == 2
    newest = api_for(member).get(f"/api/uploads/{upload.pk}/versions/").json()["versions"][0]
    assert (newest["number"], newest["kind"], newest["became_current"], newest["profile"]) == (3, "read", False, "fast")
    # The person chooses the new reading.
    chosen = api_for(member).post(f"/api/uploads/{upload.pk}/versions/3/revert/", {"version": 2}, format="json")
    assert chosen.status_code == 200 and chosen.json()["text"] == "Invoice 4711\nTota1 12.50"
    assert chosen.json()["corrected"] is False and chosen.json()["version"] == 4


def test_a_rerun_of_uncorrected_text_takes_the_new_reading(api_for, member, done_upload, fake_engine):
    upload = done_upload(ENGINE)
    fake_engine.text = "Invoice 4711\nTotal 12.50"
    services.rerun(upload, member)
    tasks.run_ocr(upload.pk)
    result = detail(api_for(member), upload).json()["result"]
    assert result["text"] == result["engine_text"] == "Invoice 4711\nTotal 12.50" and result["version"] == 2


def test_another_team_reusing_the_reading_never_gets_this_teams_correction(
        api_for, member, team, other_team, outsider, fake_engine, queued):
    data = make_png()
    fake_engine.text = "Invoce 4711"
    mine = services.create_upload(team, member, data, "a.png").upload
    tasks.run_ocr(mine.pk)
    assert patch(api_for(member), mine, {"text": "team secret fix", "version": 1}).status_code == 200
    theirs = services.create_upload(other_team, outsider, data, "a.png").upload
    tasks.run_ocr(theirs.pk)
    assert fake_engine.calls == 1  # reused, not read again
    assert detail(api_for(outsider), theirs).json()["result"]["text"] == "Invoce 4711"


@pytest.mark.django_db(transaction=True)
def test_simultaneous_edits_of_one_version_save_one_and_refuse_the_other(member, add_member, team, fake_engine, queued):
    """Two writers at the same moment on the same version: one is saved, the
    other gets StaleVersion with the winner's text; no version is lost."""
    import threading

    from django.db import connection

    from recognition import corrections

    fake_engine.text = ENGINE
    upload = services.create_upload(team, member, make_png(), "a.png").upload
    tasks.run_ocr(upload.pk)
    writers = [member, add_member(team, Role.MEMBER, "bob")]
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def write(user, text):
        try:
            start.wait()
            corrections.correct_text(Upload.objects.select_related("team").get(pk=upload.pk), user, text, 1)
            outcomes[text] = "saved"
        except corrections.StaleVersion as stale:
            outcomes[text] = f"stale:{stale.result.version}:{stale.result.text}"
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(user, f"text by {user.username}")) for user in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saved = [text for text, outcome in outcomes.items() if outcome == "saved"]
    assert len(saved) == 1, outcomes
    loser = next(text for text in outcomes if text not in saved)
    assert outcomes[loser] == f"stale:2:{saved[0]}"
    result = Result.objects.get(upload=upload)
    assert (result.text, result.version) == (saved[0], 2)
    assert TextVersion.objects.filter(upload=upload).count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram index is PostgreSQL-only")
def test_the_trigram_index_serves_searches_of_corrected_text(api_for, member, team, done_upload):
    upload = done_upload("Invoce 4711")
    patch(api_for(member), upload, {"text": "销售报表 corrected", "version": 1})
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    rows = Result.objects.filter(text__icontains="销售报表")
    assert "recognition_result_text_trgm" in rows.explain()
    assert [r.upload_id for r in rows] == [upload.pk]


def test_options_describes_the_new_routes(api_for, member, done_upload):
    upload = done_upload(ENGINE)
    client = api_for(member)
    for path in ("versions/", "versions/1/", "versions/1/revert/", ""):
        response = client.options(f"/api/uploads/{upload.pk}/{path}")
        assert response.status_code == 200, (path, response.content)
    revert = client.options(f"/api/uploads/{upload.pk}/versions/1/revert/").json()
    assert "version" in revert["actions"]["POST"]


def test_corrections_are_json_only(api_for, member, done_upload):
    upload = done_upload(ENGINE)
    client = api_for(member)
    form = client.patch(f"/api/uploads/{upload.pk}/", {"text": "x", "version": 1}, format="multipart")
    assert form.status_code == 415 and form.json()["detail"]
    revert = client.post(f"/api/uploads/{upload.pk}/versions/1/revert/", {"version": 1}, format="multipart")
    assert revert.status_code == 415
    assert Result.objects.get(upload=upload).version == 1
