"""The result page's outputs: layout selector, table view (escaped), and
search hits marked in the text and boxed on the image."""
from __future__ import annotations

import re

import pytest

from recognition import services
from tests.outputs_data import XSS, finish_with_lines
from tests.support import make_png


@pytest.fixture(autouse=True)
def _no_queue(monkeypatch):
    monkeypatch.setattr(services, "enqueue", lambda upload_id: None)


@pytest.fixture
def done(team, member):
    return finish_with_lines(services.create_upload(team, member, make_png(size=(600, 240)), "order.png").upload)


def test_table_view_is_escaped_with_its_files(done, viewer, client_for):
    html = client_for(viewer).get(f"/uploads/{done.pk}/").content.decode()
    table = html[html.index('<table class="ocr-table"'):html.index("</table>")]
    assert "<th scope=\"col\">Item</th>" in table and "<td>Green tea</td>" in table
    assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in table
    assert f"/api/uploads/{done.pk}/tables/file/?format=xlsx" in html
    assert f"/api/uploads/{done.pk}/tables/file/?format=csv&amp;table=0" in html


def test_layout_select_shows_the_text_in_paragraphs(done, member, client_for):
    client = client_for(member)
    html = client.get(f"/uploads/{done.pk}/?layout=paragraphs").content.decode()
    pre = re.search(r'<pre class="layout-text" id="layout-text" data-layout="paragraphs">(.*?)</pre>', html, re.S)
    assert pre and "The goods were shipped on Monday and the invoice follows by mail." in pre.group(1)
    assert f"/uploads/{done.pk}/download/txt/?layout=paragraphs" in html
    download = client.get(f"/uploads/{done.pk}/download/txt/?layout=paragraphs").content.decode()
    assert "invoice follows by mail." in download
    assert client.get(f"/uploads/{done.pk}/download/txt/?layout=nope").status_code == 400
    bad = client.get(f"/uploads/{done.pk}/?layout=nope")
    assert bad.status_code == 400 and "Unknown layout" in bad.content.decode()


def test_a_search_hit_opens_the_result_with_the_words_marked(done, member, client_for, team):
    client = client_for(member)
    search = client.get(f"/t/{team.slug}/search/?q=green+tea").content.decode()
    assert f'href="/uploads/{done.pk}/?q=green%20tea"' in search
    html = client.get(f"/uploads/{done.pk}/?q=green%20tea").content.decode()
    assert '<mark class="hit-mark">Green tea</mark>' in html
    rects = re.findall(r'<rect class="hit-box" x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)" data-hit-line="5">', html)
    assert rects == [("10", "150", "50", "20"), ("70", "150", "30", "20")]  # "Green" and "tea", word by word
    assert "1 match for “green tea”" in html


def test_hits_are_escaped_and_a_bad_query_is_a_400(done, member, client_for):
    client = client_for(member)
    html = client.get(f"/uploads/{done.pk}/?q=<script>").content.decode()
    assert '<mark class="hit-mark">&lt;script&gt;</mark>' in html and XSS not in html
    assert client.get(f"/uploads/{done.pk}/?q=%00").status_code == 400


def test_outputs_speak_chinese(done, member, client_for):
    html = client_for(member).get(f"/uploads/{done.pk}/?q=tea", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "版式" in html and "1 个表格" in html and "“tea”共 1 处匹配" in html
