"""The one filter (recognition.filters): parsing a query string, applying it,
writing it back; the team space, search page and API list agree on it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from recognition import filters, processing, services
from recognition.models import Upload, UploadStatus
from recognition.notes import services as note_services
from recognition.tags import services as tag_services


@pytest.fixture(autouse=True)
def _no_queue(monkeypatch):
    monkeypatch.setattr(services, "enqueue", lambda upload_id: None)


def finish(upload: Upload, text: str) -> Upload:
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING)
    upload.refresh_from_db()
    assert processing.complete(upload, text=text, confidence=0.9, lines=[], engine_version="t/1", timings={})
    upload.refresh_from_db()
    return upload


@pytest.fixture
def world(team, member, admin_user, png):
    invoice = finish(services.create_upload(team, member, png(), "invoice.png").upload, "Invoice 4711 total 99")
    receipt = finish(services.create_upload(team, admin_user, png(), "receipt.png").upload, "Receipt coffee")
    queued = services.create_upload(team, member, png(), "queued.png").upload
    tag_services.set_tags(invoice, member, ["finance", "2026"])
    tag_services.set_tags(receipt, member, ["finance"])
    services.set_pinned(receipt, admin_user, True)
    note_services.add_note(queued, member, "Ask accounting about this one")
    old = timezone.now() - dt.timedelta(days=10)
    Upload.objects.filter(pk=queued.pk).update(created_at=old, profile="fast")
    return {"invoice": invoice, "receipt": receipt, "queued": queued}


def names(team, query: str) -> list[str]:
    return [u.original_name for u in filters.team_uploads(team, filters.parse(query))]


def test_each_condition_and_their_combination(team, world, member):
    assert names(team, "") == ["receipt.png", "invoice.png", "queued.png"]
    assert names(team, "tag=finance") == ["receipt.png", "invoice.png"]
    assert names(team, "tag=finance&tag=2026") == ["invoice.png"]
    assert names(team, "tag=finance&pinned=true") == ["receipt.png"]
    assert names(team, "pinned=false") == ["invoice.png", "queued.png"]
    assert names(team, "uploader=member") == ["invoice.png", "queued.png"]
    assert names(team, "status=done&uploader=member") == ["invoice.png"]
    assert names(team, "has_notes=true") == ["queued.png"]
    assert names(team, "has_notes=false&tag=finance") == ["receipt.png", "invoice.png"]
    assert names(team, "profile=fast") == ["queued.png"]
    # Text, file name and notes are all searched.
    assert names(team, "q=4711") == ["invoice.png"]
    assert names(team, "q=RECEIPT") == ["receipt.png"]
    assert names(team, "q=accounting") == ["queued.png"]


def test_date_range_counts_whole_days_in_the_server_time_zone(team, world):
    today = timezone.localdate()
    ten_days_ago = today - dt.timedelta(days=10)
    assert names(team, f"date_from={today.isoformat()}") == ["receipt.png", "invoice.png"]
    assert names(team, f"date_to={ten_days_ago.isoformat()}") == ["queued.png"]
    assert names(team, f"date_from={ten_days_ago.isoformat()}&date_to={ten_days_ago.isoformat()}") == ["queued.png"]


def test_the_canonical_query_string_reads_back_to_the_same_filter():
    parsed = filters.parse("has_notes=false&tag=b&tag=a&q=  two   words &pinned=true&date_to=2026-03-01")
    assert parsed.q == "two words" and parsed.tag == ("b", "a")
    again = filters.parse(parsed.to_query())
    assert again == parsed
    assert parsed.to_query() == "q=two+words&tag=b&tag=a&pinned=true&has_notes=false&date_to=2026-03-01"


@pytest.mark.parametrize("query,name", [
    ("pinned=yes", "pinned"), ("status=lost", "status"), ("date_from=yesterday", "date_from"),
    ("q=%00", "q"), ("profile=nope", "profile"), ("uploader=a&uploader=b", "uploader"),
    ("tag=" + "x" * 41, "tag"),
])
def test_malformed_parameters_are_refused_by_name(query, name):
    with pytest.raises(filters.FilterError) as refused:
        filters.parse(query)
    assert name in refused.value.errors and refused.value.code == "bad_filter"


def test_a_pages_empty_form_fields_mean_no_condition_but_a_script_must_not_send_them():
    assert not filters.parse("q=&tag=&status=&pinned=", form=True).active
    with pytest.raises(filters.FilterError):
        filters.parse("status=")


def test_the_team_space_the_search_page_and_the_api_list_agree(team, world, member, client_for):
    query = "tag=finance&status=done&uploader=member"
    expected = [u.pk for u in filters.team_uploads(team, filters.parse(query))]
    assert expected == [world["invoice"].pk]
    client = client_for(member)
    space = client.get(reverse("team-space", args=[team.slug]) + "?" + query)
    assert [u.pk for u in space.context["uploads_page"]] == expected
    found = client.get(reverse("team-search", args=[team.slug]) + "?" + query)
    assert [hit["upload"].pk for hit in found.context["hits"]] == expected
    api = APIClient()
    api.force_authenticate(member)
    listed = api.get(reverse("api-upload-list") + f"?team={team.slug}&" + query)
    assert [row["id"] for row in listed.json()["results"]] == expected
    assert listed.json()["results"][0]["tags"] == [{"name": "2026", "colour": "grey"}, {"name": "finance", "colour": "grey"}]


def test_a_malformed_filter_on_the_pages_is_a_400_with_the_reason(team, world, member, client_for):
    page = client_for(member).get(reverse("team-space", args=[team.slug]) + "?pinned=maybe")
    assert page.status_code == 400
    assert "pinned" in page.context["filter_error"] and list(page.context["uploads_page"]) == []
    api = APIClient()
    api.force_authenticate(member)
    assert api.get(reverse("api-upload-list") + "?has_notes=1").status_code == 400


def test_filters_never_reach_another_teams_uploads(team, world, other_team, outsider, png):
    theirs = finish(services.create_upload(other_team, outsider, png(), "invoice.png").upload, "Invoice 4711")
    tag_services.set_tags(theirs, outsider, ["finance"])
    assert theirs.pk not in [u.pk for u in filters.team_uploads(team, filters.parse("tag=finance&q=4711"))]
