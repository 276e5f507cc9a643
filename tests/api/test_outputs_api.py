"""Outputs through the API: tables (JSON, CSV, XLSX), ``layout`` on the
result, the export and ``/ocr/recognize``, words in the lines."""
from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from recognition import corrections, services
from tests.outputs_data import XSS, finish_with_lines
from tests.support import make_png


@pytest.fixture
def done(team, member, queued):
    return finish_with_lines(services.create_upload(team, member, make_png(size=(600, 240)), "order.png").upload)


def test_tables_as_cells(done, viewer, api_for):
    response = api_for(viewer).get(f"/api/uploads/{done.pk}/tables/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["upload"] == done.pk and body["version"] == 1
    (table,) = body["tables"]
    assert (table["rows"], table["columns"], table["lines"]) == (3, 3, [3, 5])
    cells = {(c["row"], c["column"]): c["text"] for c in table["cells"]}
    assert cells[(1, 0)] == "Green tea" and cells[(2, 0)] == XSS and cells[(2, 2)] == "3.50"
    assert table["cells"][0] == {"row": 0, "column": 0, "row_span": 1, "column_span": 1, "text": "Item",
                                 "box": [10, 120, 50, 140]}


def test_table_files(done, member, api_for):
    client = api_for(member)
    csv = client.get(f"/api/uploads/{done.pk}/tables/file/?format=csv&table=0")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode("utf-8") == "\ufeffItem,Qty,Price\r\nGreen tea,2,'=1+1\r\n" + XSS + ",1,3.50\r\n"
    xlsx = client.get(f"/api/uploads/{done.pk}/tables/file/?format=xlsx")
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content))["Table 1"]
    assert sheet["C2"].value == "=1+1" and sheet["C2"].data_type == "s"
    missing = client.get(f"/api/uploads/{done.pk}/tables/file/?format=csv&table=3")
    assert missing.status_code == 404 and missing.json()["code"] == "unknown_table"
    bad = client.get(f"/api/uploads/{done.pk}/tables/file/?format=pdf")
    assert bad.status_code == 400 and "format" in bad.json()["errors"]


def test_tables_of_an_unfinished_upload_are_409(team, member, api_for, queued):
    upload = services.create_upload(team, member, make_png(), "queued.png").upload
    response = api_for(member).get(f"/api/uploads/{upload.pk}/tables/")
    assert response.status_code == 409 and response.json()["code"] == "no_text_yet"


def test_layout_on_the_result_and_words_in_its_lines(done, member, api_for):
    client = api_for(member)
    plain = client.get(f"/api/uploads/{done.pk}/").json()["result"]
    assert plain["layout"] is None
    assert plain["lines"][0]["words"][1]["text"] == "summary"
    assert plain["lines"][0]["words"][1]["chars"][0] == [70.0, 10.0, 80.0, 30.0]
    assert plain["lines"][3]["cells"][1]["text"] == "Qty"
    body = client.get(f"/api/uploads/{done.pk}/?layout=paragraphs").json()["result"]
    assert body["text"] == done.result.text  # the signed text stays as it is
    assert body["layout"]["layout"] == "paragraphs"
    assert body["layout"]["text"].split("\n")[:2] == [
        "Order summary", "The goods were shipped on Monday and the invoice follows by mail."]
    refused = client.get(f"/api/uploads/{done.pk}/?layout=columns")
    assert refused.status_code == 400 and "layout" in refused.json()["errors"]


def test_layout_follows_a_correction(done, member, api_for):
    corrections.correct_lines(done, member, [corrections.LineChange(2, "follows by post.")], 1)
    body = api_for(member).get(f"/api/uploads/{done.pk}/?layout=paragraphs").json()["result"]
    assert "the invoice follows by post." in body["layout"]["text"]


def test_export_in_a_layout(done, member, api_for, team):
    client = api_for(member)
    txt = client.get(f"/api/export/?team={team.slug}&format=txt&layout=paragraphs")
    assert txt.status_code == 200
    text = b"".join(txt.streaming_content).decode()
    assert "The goods were shipped on Monday and the invoice follows by mail." in text
    body = client.post("/api/export/", {"team": team.slug, "format": "json", "layout": "paragraphs"}, format="json")
    row = json.loads(b"".join(body.streaming_content))["uploads"][0]
    assert row["text"] == done.result.text and row["layout"] == "paragraphs"
    assert "invoice follows by mail." in row["layout_text"]
    assert client.get(f"/api/export/?team={team.slug}&format=txt&layout=x").status_code == 400


@pytest.mark.django_db(transaction=True)
def test_recognize_answers_in_a_layout(member, png, fake_engine, sync_queue):
    from tests.api.test_recognize import post

    fake_engine.text = "first wrapped\nline of text"
    response = post(member, png(), layout="paragraphs")
    assert response.status_code == 200, response.content
    assert response.json()["layout"] == "paragraphs"
    refused = post(member, png(), layout="columns")
    assert refused.status_code == 400 and "columns" in refused.json()["error"]
