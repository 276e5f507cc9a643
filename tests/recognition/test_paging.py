"""Keyset pages of the browser lists (recognition.paging) and the pages that use them."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from recognition import filters, paging
from recognition.models import Upload, UploadStatus


def seed(team, user, count: int, *, status=UploadStatus.DONE, ties: int = 3, name: str = "shot") -> list[Upload]:
    """``count`` uploads without files or OCR, groups of ``ties`` sharing
    one created_at (the id then decides their order)."""
    start = timezone.now() - timedelta(days=1)
    rows = []
    for n in range(count):
        digest = hashlib.sha256(f"{team.pk}-{name}-{n}".encode()).hexdigest()
        rows.append(Upload(team=team, uploaded_by=user, file_path=f"{digest[:2]}/{digest}.png", md5=digest[:32],
                           sha256=digest, original_name=f"{name}-{n}.png", byte_size=1, width=1, height=1,
                           image_type="png", status=status, created_at=start + timedelta(seconds=n // ties)))
    return Upload.objects.bulk_create(rows)


def newest_first(team) -> list[int]:
    return list(Upload.objects.filter(team=team).order_by("-created_at", "-id").values_list("pk", flat=True))


@pytest.mark.django_db
def test_walking_older_then_newer_visits_every_upload_once(team, member):
    seed(team, member, 47)
    uploads = Upload.objects.filter(team=team)
    pages, page = [], paging.page_of(uploads, size=20)
    assert page.first and page.newer is None
    while True:
        pages.append([u.pk for u in page])
        if page.older is None:
            break
        page = paging.page_of(uploads, older=page.older, size=20)
        assert not page.first and page.newer is not None
    assert [len(p) for p in pages] == [20, 20, 7]
    assert [pk for p in pages for pk in p] == newest_first(team)

    back = paging.page_of(uploads, newer=page.newer, size=20)
    assert [u.pk for u in back] == pages[1] and not back.first
    first = paging.page_of(uploads, newer=back.newer, size=20)
    assert [u.pk for u in first] == pages[0] and first.first and first.newer is None


@pytest.mark.django_db
def test_a_malformed_cursor_starts_at_the_newest(team, member):
    seed(team, member, 5)
    uploads = Upload.objects.filter(team=team)
    for token in ("", "x", "1.2.3", "99999999999999999999.1", "-5", "<script>"):
        page = paging.page_of(uploads, older=token, size=2)
        assert [u.pk for u in page] == newest_first(team)[:2] and page.first


def test_cursors_round_trip_to_the_microsecond():
    moment = timezone.now().replace(microsecond=123457)
    cursor = paging.Cursor(moment, 42)
    assert paging.Cursor.parse(cursor.token()) == cursor


@pytest.mark.django_db
def test_counts_stop_at_the_limit(team, member):
    seed(team, member, 7)
    uploads = Upload.objects.filter(team=team)
    assert paging.bounded_count(uploads, limit=5) == (5, True)
    assert paging.bounded_count(uploads, limit=7) == (7, False)
    assert paging.bounded_count(uploads.none(), limit=5) == (0, False)


@pytest.mark.django_db
def test_team_space_pages_by_cursor_keeping_the_filter(team, member, client_for):
    seed(team, member, 23)
    seed(team, member, 2, status=UploadStatus.FAILED, name="broken")
    client = client_for(member)
    url = reverse("team-space", args=[team.slug])
    first = client.get(url, {"status": "done"})
    assert len(first.context["uploads_page"]) == 20 and first.context["feed_config"]["prependNew"] is False
    html = first.content.decode()
    older = re.search(r'href="\?status=done&amp;older=([\d.]+)" rel="next"', html)
    assert older, html
    second = client.get(url, {"status": "done", "older": older[1]})
    shown = [u.pk for u in first.context["uploads_page"]] + [u.pk for u in second.context["uploads_page"]]
    done = Upload.objects.filter(team=team, status=UploadStatus.DONE).order_by("-created_at", "-id")
    assert shown == list(done.values_list("pk", flat=True))
    assert 'rel="prev"' in second.content.decode() and 'rel="next"' not in second.content.decode()


@pytest.mark.django_db
def test_a_cursor_never_reaches_another_teams_uploads(team, member, other_team, outsider, client_for):
    mine = seed(team, member, 3)
    theirs = seed(other_team, outsider, 30, name="theirs")
    foreign = paging.Cursor.of(max(theirs, key=lambda u: (u.created_at, u.pk)))
    page = client_for(member).get(reverse("team-space", args=[team.slug]), {"older": foreign.token()})
    assert {u.pk for u in page.context["uploads_page"]} <= {u.pk for u in mine}


@pytest.mark.django_db
def test_deep_pages_read_no_offset_and_no_full_count(team, member, client_for):
    seed(team, member, 45)
    client = client_for(member)
    last = Upload.objects.filter(team=team).order_by("created_at", "id")[5]
    for url in (reverse("team-space", args=[team.slug]), reverse("team-search", args=[team.slug]) + "?status=done"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url + ("&" if "?" in url else "?") + "older=" + paging.Cursor.of(last).token())
        assert response.status_code == 200 and len(response.context["page" if "search" in url else "uploads_page"]) == 5
        upload_queries = [q["sql"] for q in queries.captured_queries if 'FROM "recognition_upload"' in q["sql"]]
        assert not [sql for sql in upload_queries if " OFFSET " in sql.upper()]
        for sql in upload_queries:
            if "COUNT(" in sql.upper():
                assert re.search(r"LIMIT \d+", sql.upper()), sql


@pytest.mark.django_db
def test_more_than_the_limit_is_said_so(team, member, client_for, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_LIMIT", 4)
    seed(team, member, 6)
    html = client_for(member).get(reverse("team-search", args=[team.slug]), {"status": "done"}).content.decode()
    assert "More than 4 uploads match the filter." in html
    space = client_for(member).get(reverse("team-space", args=[team.slug]), {"status": "done"}).content.decode()
    assert "More than 4 uploads match" in space and 'data-matching-shown="4+"' in space
    assert filters.team_uploads(team, filters.UploadFilter()).count() == 6
