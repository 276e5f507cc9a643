"""The one ingest path and the one representation of an upload."""

import pytest

from ocrspace.errors import Forbidden
from recognition import ingest, representation, storage
from recognition.ingest import Incoming, Source
from recognition.models import Upload
from recognition.zip_import import EntryRejected

pytestmark = pytest.mark.django_db


def test_a_batch_reports_every_item_in_order(team, member, png, queued):
    image = png((30, 30))
    items = [
        Incoming(Source.API, team, member, "a.png", image),
        Incoming(Source.ZIP, team, member, "../evil.png", refused=EntryRejected("unsafe", "unsafe_entry")),
        Incoming(Source.API, team, member, "empty.png", b""),
        Incoming(Source.API, team, member, "again.png", image),
    ]
    results = ingest.ingest_each(items)
    assert [r.name for r in results] == ["a.png", "../evil.png", "empty.png", "again.png"]
    assert [r.ok for r in results] == [True, False, False, True]
    assert results[0].created and not results[3].created and results[3].deduplicated
    assert [r.error.code for r in results if r.error] == ["unsafe_entry", "empty_file"]
    assert results[1].message == "unsafe"
    assert Upload.objects.count() == 1


def test_after_a_storage_failure_the_rest_is_not_tried(team, member, png, monkeypatch):
    calls = []

    def broken(data, path):
        calls.append(path)
        raise storage.StorageUnavailable("The server's storage is full.", full=True)

    monkeypatch.setattr(storage, "store", broken)
    results = ingest.ingest_each(
        Incoming(Source.BULK, team, member, f"{n}.png", png((20 + n, 20))) for n in range(3)
    )
    assert len(calls) == 1
    assert [r.error.code for r in results] == ["storage_full"] * 3
    assert Upload.objects.count() == 0


def test_a_requester_who_may_not_upload_stops_the_batch(team, viewer, png):
    with pytest.raises(Forbidden):
        ingest.ingest_each([Incoming(Source.HOT_FOLDER, team, viewer, "a.png", png())])
    assert Upload.objects.count() == 0


def test_every_use_of_an_upload_shares_the_values_of_its_fields(team, member, png, queued):
    upload = ingest.ingest(Incoming(Source.BROWSER, team, member, "a.png", png())).upload
    upload = Upload.objects.select_related("team", "uploaded_by").get(pk=upload.pk)
    uses = {name: representation.represent(upload, fields) for name, fields in [
        ("feed", representation.FEED), ("export", representation.EXPORT), ("webhook", representation.WEBHOOK),
    ]}
    for name, fields in uses.items():
        for field, shown in fields.items():
            for other, other_fields in uses.items():
                if field in other_fields:
                    assert other_fields[field] == shown, (name, other, field)
    assert uses["export"]["text"] == "" and uses["webhook"]["confidence"] is None
    assert uses["webhook"]["api_url"].endswith(f"/api/uploads/{upload.pk}/")
    assert "text" not in representation.feed_summary(upload)
    with pytest.raises(KeyError):
        representation.represent(upload, ["no_such_field"])
