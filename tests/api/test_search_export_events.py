import csv
import io
import json

import pytest
from django.db import connection

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
        assert export.csv_safe(dangerous).startswith("'")
    assert export.csv_safe("safe = fine") == "safe = fine"


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


# --- export endpoint -----------------------------------------------------------

@pytest.mark.parametrize("fmt", ["txt", "json", "csv", "md", "markdown"])
def test_export_formats(api_for, viewer, done_upload, team, fmt):
    upload = done_upload("=HYPERLINK(\"http://evil\")\n销售报表", name="a_b.png")
    response = api_for(viewer).get("/api/export/", {"team": team.slug, "format": fmt, "ids": str(upload.pk)})
    assert response.status_code == 200, response.content
    body = response.content.decode("utf-8-sig")
    assert "销售报表" in body
    assert response["Content-Disposition"].startswith("attachment;")
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(body)))
        assert rows[0][0] == "id" and rows[1][-1].startswith("'=HYPERLINK")
    if fmt == "json":
        assert json.loads(body)["uploads"][0]["id"] == upload.pk
    if fmt in ("md", "markdown"):
        assert "a\\_b\\.png" in body and "```" in body


def test_export_by_search(api_for, member, done_upload):
    a = done_upload("invoice one")
    done_upload("something else")
    response = api_for(member).get("/api/export/", {"format": "json", "q": "invoice"})
    assert [u["id"] for u in json.loads(response.content)["uploads"]] == [a.pk]


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
    assert client.get("/api/export/", {"format": "csv"}).status_code == 400
    assert client.get("/api/export/", {"format": "pdf", "ids": "1"}).status_code == 400
    assert client.get("/api/export/", {"format": "csv", "ids": "1;2"}).status_code == 400


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
    assert client.get("/api/uploads/not-a-number/").json() == {"detail": "Not found."}
