import csv
import io
import json

import pytest
from django.db import connection

from ocrspace.spreadsheets import csv_safe
from recognition import export, search
from recognition.models import Event

pytestmark = pytest.mark.django_db


# --- plain functions ---------------------------------------------------------

def test_snippet_offsets_point_at_matches():
    text = "x" * 200 + " 三月销售报表 total and 销售报表 again " + "y" * 200
    snippet = search.make_snippet(text, "销售报表")
    assert snippet.total_matches == 2 and snippet.truncated_start and snippet.truncated_end
    assert [snippet.text[s:e] for s, e in snippet.matches] == ["销售报表", "销售报表"]


def test_snippet_is_case_insensitive_and_plain_text():
    snippet = search.make_snippet("<b>Invoice</b> INVOICE", "invoice")
    assert snippet.text == "<b>Invoice</b> INVOICE"  # not escaped: JSON carries text
    assert [snippet.text[s:e] for s, e in snippet.matches] == ["Invoice", "INVOICE"]


def test_empty_and_long_queries_refused():
    with pytest.raises(search.SearchError):
        search.normalise_query("   ")
    with pytest.raises(search.SearchError):
        search.normalise_query("x" * 201)


def test_csv_cells_are_safe_against_formulas():
    for dangerous in ("=SUM(A1)", "+1", "-1+2", "@cmd", "\t=1"):
        assert csv_safe(dangerous).startswith("'")
    assert csv_safe("safe = fine") == "safe = fine"


# --- search endpoint -----------------------------------------------------------

def test_search_chinese_and_english(api_for, viewer, done_upload, team, other_team, outsider):
    report = done_upload("第一行\n三月销售报表 合计 1200")
    invoice = done_upload("Invoice number 42")
    done_upload("销售报表 of another team", user=outsider, target_team=other_team)
    client = api_for(viewer)
    body = client.get("/api/search/", {"team": team.slug, "q": "销售报表"}).json()
    assert [hit["upload"]["id"] for hit in body["results"]] == [report.pk]
    hit = body["results"][0]
    assert [hit["snippet"][s:e] for s, e in hit["matches"]] == ["销售报表"]
    body = client.get("/api/search/", {"q": "INVOICE number"}).json()
    assert [hit["upload"]["id"] for hit in body["results"]] == [invoice.pk]


def test_search_matrix_and_errors(api_for, api, outsider, member, team):
    assert api_for(outsider).get("/api/search/", {"team": team.slug, "q": "x"}).status_code == 404
    assert api.get("/api/search/", {"team": team.slug, "q": "x"}).status_code == 401
    assert api_for(member).get("/api/search/", {"team": team.slug}).status_code == 400
    assert api_for(member).get("/api/search/", {"team": team.slug, "q": " "}).status_code == 400


def test_search_treats_like_wildcards_literally(api_for, member, done_upload):
    done_upload("100% done")
    done_upload("nothing here")
    assert len(api_for(member).get("/api/search/", {"q": "%"}).json()["results"]) == 1
    assert len(api_for(member).get("/api/search/", {"q": "_"}).json()["results"]) == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram index is PostgreSQL-only")
def test_icontains_uses_the_trigram_index(team):
    from recognition.models import Result

    with connection.cursor() as cursor:
        # An empty table is cheapest to scan; forbid that to see the index.
        cursor.execute("SET LOCAL enable_seqscan = off")
    for q in ("销售报表", "Invoice"):
        plan = Result.objects.filter(text__icontains=q).explain()
        assert "recognition_result_text_trgm" in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN and trigram indexes are PostgreSQL-only")
def test_every_text_filter_is_an_index_lookup(team):
    """Each part of the filter's UNION has an index the planner can use (on
    an empty table the rest of the plan says little; with data see bench.scale)."""
    from recognition import search
    from recognition.models import Upload

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    for q in ("发票", "会"):
        plan = search.results_containing(q).explain()
        assert "recognition_result_terms_gin" in plan, plan
    plan = search.matching_ids(Upload.objects.of_team(team), "editing").explain()
    for index in ("recognition_result_text_trgm", "recognition_note_body_trgm"):
        assert index in plan, plan
    # A team's names: its own index for a small team, the trigram one for names of all.
    assert "recognition_upload_name_trgm" in Upload.objects.filter(original_name__icontains="editing").explain()
    assert "recognition_result_terms_gin" in search.matching_ids(Upload.objects.of_team(team), "会议").explain()
    assert "recognition_upload_name_terms_gin" in search.matching_ids(Upload.objects.all(), "会议").explain()


# --- export endpoint -----------------------------------------------------------

def body(response) -> bytes:
    assert response.streaming, "exports are streamed"
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("fmt", ["txt", "json", "csv", "md", "markdown"])
def test_export_formats(api_for, viewer, done_upload, team, fmt):
    upload = done_upload("=HYPERLINK(\"http://evil\")\n销售报表", name="a_b.png")
    response = api_for(viewer).get("/api/export/", {"team": team.slug, "format": fmt, "ids": str(upload.pk)})
    assert response.status_code == 200, response.content
    text = body(response).decode("utf-8-sig")
    assert "销售报表" in text
    assert response["Content-Disposition"].startswith("attachment;")
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][0] == "id" and rows[1][-1].startswith("'=HYPERLINK")
    if fmt == "json":
        assert json.loads(text)["uploads"][0]["id"] == upload.pk
    if fmt in ("md", "markdown"):
        assert "a\\_b\\.png" in text and "```" in text


def test_export_by_search(api_for, member, done_upload):
    a = done_upload("invoice one")
    done_upload("something else")
    response = api_for(member).get("/api/export/", {"format": "json", "q": "invoice"})
    assert [u["id"] for u in json.loads(body(response))["uploads"]] == [a.pk]


def test_export_foreign_ids_are_404(api_for, member, done_upload, other_team, outsider, team):
    mine = done_upload("mine")
    theirs = done_upload("theirs", user=outsider, target_team=other_team)
    client = api_for(member)
    response = client.get("/api/export/", {"team": team.slug, "format": "csv", "ids": f"{mine.pk},{theirs.pk}"})
    assert response.status_code == 404 and "theirs" not in response.content.decode()
    assert client.get("/api/export/", {"team": other_team.slug, "format": "csv", "ids": str(theirs.pk)}).status_code == 404
    assert api_for(outsider).get("/api/export/", {"team": team.slug, "ids": str(mine.pk)}).status_code == 404


def test_export_bad_parameters(api_for, member):
    client = api_for(member)
    assert client.get("/api/export/", {"format": "docx", "ids": "1"}).status_code == 400  # pdf is a format now
    assert client.get("/api/export/", {"format": "csv", "ids": "1;2"}).status_code == 400
    assert client.get("/api/export/", {"format": "csv", "status": "nope"}).status_code == 400
    assert client.get("/api/export/", {"format": "csv", "created_after": "yesterday"}).status_code == 400
    assert client.get("/api/export/?format=csv&format=json").status_code == 400  # given twice
    refused = client.get("/api/export/", {"format": "csv", "q": "a\x00b"})
    assert refused.status_code == 400 and refused.json()["detail"]


def ids_of(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [u["id"] for u in json.loads(body(response))["uploads"]]


def test_export_whole_team_and_filters(api_for, member, admin_user, done_upload, other_team, outsider, team):
    from datetime import timedelta

    from recognition.models import Upload, UploadStatus

    a = done_upload("invoice alpha")
    b = done_upload("invoice beta", user=admin_user)
    c = done_upload("note gamma")
    Upload.objects.filter(pk=c.pk).update(status=UploadStatus.FAILED, created_at=c.created_at + timedelta(days=2))
    done_upload("invoice of another team", user=outsider, target_team=other_team)
    client = api_for(member)
    url = "/api/export/"
    assert ids_of(client.get(url, {"team": team.slug})) == [c.pk, b.pk, a.pk]  # the whole team, newest first
    assert ids_of(client.get(url, {"uploader": admin_user.username})) == [b.pk]
    assert ids_of(client.get(url, {"status": "failed"})) == [c.pk]
    after = (c.created_at + timedelta(days=1)).isoformat()
    assert ids_of(client.get(url, {"created_after": after})) == [c.pk]
    assert ids_of(client.get(url, {"created_before": after})) == [b.pk, a.pk]
    assert ids_of(client.get(url, {"q": "invoice", "uploader": member.username})) == [a.pk]
    # ids and q together: the given ids that match the search.
    assert ids_of(client.get(url, {"ids": f"{a.pk},{c.pk}", "q": "alpha"})) == [a.pk]


def test_export_post_body_takes_long_id_lists(api_for, member, done_upload, team):
    from recognition import export as export_module

    uploads = [done_upload(f"page {n}") for n in range(3)]
    ids = ",".join(str(u.pk) for u in uploads)
    client = api_for(member)
    response = client.post("/api/export/", {"team": team.slug, "format": "json", "ids": ids}, format="json")
    assert ids_of(response) == sorted((u.pk for u in uploads), reverse=True)
    too_many = ",".join(str(n) for n in range(1, export_module.MAX_IDS + 2))
    refused = client.post("/api/export/", {"format": "txt", "ids": too_many}, format="json")
    assert refused.status_code == 400 and "At most" in refused.json()["detail"]


def test_export_is_read_page_by_page(api_for, member, done_upload, monkeypatch):
    """The rows are fetched while the answer is sent, a page per query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from recognition import export as export_module

    for n in range(7):
        done_upload(f"line {n}")
    monkeypatch.setattr(export_module, "PAGE", 3)
    response = api_for(member).get("/api/export/", {"format": "txt"})
    with CaptureQueriesContext(connection) as queries:
        text = b"".join(response.streaming_content).decode()
    pages = [q for q in queries.captured_queries if 'FROM "recognition_upload"' in q["sql"]]
    assert len(pages) == 3  # 3 + 3 + 1 rows
    assert all(f"line {n}" in text for n in range(7))
    assert text.index("line 6") < text.index("line 3") < text.index("line 0")  # newest first across pages


@pytest.mark.parametrize("fmt", ["txt", "csv", "json", "md"])
def test_text_exports_leave_boxes_and_timings_in_the_database(api_for, member, done_upload, fmt):
    """Lines, timings and page tables are most of a result's bytes and no
    text format reads them; nor does any row load them afterwards."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(4):
        done_upload(f"row {n}")
    response = api_for(member).get("/api/export/", {"format": fmt})
    with CaptureQueriesContext(connection) as queries:
        body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert all(f"row {n}" in body for n in range(4))
    rows = [q["sql"] for q in queries.captured_queries if 'FROM "recognition_upload"' in q["sql"]]
    assert len(rows) == 1
    for column in ("lines", "timings", "pages", "engine_text"):
        assert f'"recognition_result"."{column}"' not in rows[0]
    assert not [q for q in queries.captured_queries if 'FROM "recognition_result"' in q["sql"]
                or 'FROM "auth_user"' in q["sql"]]


def test_each_row_gets_its_own_tags_and_notes_across_pages(api_for, member, done_upload, monkeypatch):
    from recognition import export as export_module
    from recognition.notes import services as note_services
    from recognition.tags import services as tag_services

    first, second, bare = done_upload("first"), done_upload("second"), done_upload("bare")
    tag_services.set_tags(first, member, ["alpha"])
    tag_services.set_tags(second, member, ["beta", "gamma"])
    note_services.add_note(second, member, "checked twice")
    monkeypatch.setattr(export_module, "PAGE", 2)
    rows = json.loads(body(api_for(member).get("/api/export/", {"format": "json"})))["uploads"]
    by_id = {row["id"]: row for row in rows}
    assert [t["name"] for t in by_id[first.pk]["tags"]] == ["alpha"] and by_id[first.pk]["notes"] == []
    assert [t["name"] for t in by_id[second.pk]["tags"]] == ["beta", "gamma"]
    assert [n["body"] for n in by_id[second.pk]["notes"]] == ["checked twice"]
    assert by_id[bare.pk]["tags"] == [] and by_id[bare.pk]["notes"] == []


def test_a_layout_export_still_reads_the_lines(api_for, member, done_upload):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    done_upload("first line\nsecond line")
    response = api_for(member).get("/api/export/", {"format": "txt", "layout": "paragraphs"})
    with CaptureQueriesContext(connection) as queries:
        body = b"".join(response.streaming_content).decode()
    assert "first line" in body
    rows = [q["sql"] for q in queries.captured_queries if 'FROM "recognition_upload"' in q["sql"]]
    assert '"recognition_result"."lines"' in rows[0] and '"recognition_result"."timings"' not in rows[0]


@pytest.mark.parametrize("count", [0, 1, 3])
def test_streamed_json_is_the_json_document(done_upload, count):
    from recognition import export as export_module
    from recognition.models import Upload

    for n in range(count):
        done_upload(f"text {n}")
    uploads = list(Upload.objects.select_related("result", "uploaded_by", "team").order_by("-created_at", "-id"))
    expected = json.dumps({"uploads": [export_module._row(u) for u in uploads]}, ensure_ascii=False, indent=2) + "\n"
    assert export_module.to_json(uploads) == expected


# --- events catch-up -------------------------------------------------------------

def test_events_after_id(api_for, viewer, done_upload, team, other_team, outsider):
    upload = done_upload("hello")
    done_upload("theirs", user=outsider, target_team=other_team)
    client = api_for(viewer)
    body = client.get(f"/api/teams/{team.slug}/events/", {"after": 0}).json()
    assert [e["kind"] for e in body["events"]] == ["upload.created", "upload.processing", "upload.done"]
    assert all(e["upload_id"] == upload.pk for e in body["events"])
    assert body["events"][-1]["upload"]["text"] == "hello"
    last = body["last_id"]
    assert client.get(f"/api/teams/{team.slug}/events/", {"after": last}).json() == {"events": [], "last_id": last, "more": False}
    page = client.get(f"/api/teams/{team.slug}/events/", {"after": 0, "limit": 2}).json()
    assert len(page["events"]) == 2 and page["more"]
    assert Event.objects.filter(team=other_team).exists()


def test_events_of_foreign_team_are_404(api_for, api, outsider, team):
    assert api_for(outsider).get(f"/api/teams/{team.slug}/events/").status_code == 404
    assert api.get(f"/api/teams/{team.slug}/events/").status_code == 401


def test_out_of_range_ids_are_client_errors(api_for, owner, team):
    client = api_for(owner)
    big = 10**30
    assert client.get("/api/export/", {"ids": str(big), "format": "csv"}).status_code == 400
    assert client.get(f"/api/teams/{team.slug}/events/", {"after": big}).status_code == 400
    assert client.get(f"/api/teams/{team.slug}/members/{big}/").status_code == 404
    assert client.delete(f"/api/teams/{team.slug}/members/{big}/").status_code == 404
    assert client.delete(f"/api/teams/{team.slug}/invitations/{big}/").status_code == 404
    assert client.get(f"/api/uploads/{big}/").status_code == 404
    assert client.get("/api/uploads/not-a-number/").json() == {"detail": "Not found.", "code": "not_found"}
