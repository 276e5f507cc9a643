import pytest
from django.db import connection
from django.utils import timezone

from recognition.models import Event, Sighting, Upload

pytestmark = pytest.mark.django_db

ROLES_WRITE = [("owner", True), ("admin_user", True), ("member", True), ("viewer", False)]


@pytest.fixture
def users(owner, admin_user, member, viewer, outsider):
    return {"owner": owner, "admin_user": admin_user, "member": member, "viewer": viewer, "outsider": outsider}


def post_files(client, files, **data):
    return client.post("/api/uploads/", {"files": files, **data}, format="multipart")


def test_upload_several_files_in_one_request(api_for, member, team, png, file_of, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_files(api_for(member), [file_of(png(), "a.png"), file_of(png(), "b.png")], team=team.slug)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["team"], body["created"], body["failed"]) == (team.slug, 2, 0)
    assert [r["name"] for r in body["results"]] == ["a.png", "b.png"]
    ids = [r["upload"]["id"] for r in body["results"]]
    assert sorted(queued) == sorted(ids)
    assert Upload.objects.filter(team=team, uploaded_by=member).count() == 2


def test_one_new_upload_costs_a_fixed_number_of_queries(api_for, member, team, png, file_of, queued,
                                                         django_assert_num_queries):
    """A regression here is a cost paid by every upload (the web tier's CPU
    per upload is a target): the user of the token, the membership with its
    team, the dedup lookup, the queue quota before the file is stored and
    again inside the transaction, the team's row lock (PostgreSQL only:
    SQLite's write transactions are one at a time), the upload, its event,
    and the savepoint around them. No tag query: a new upload has none."""
    client = api_for(member)
    post_files(client, [file_of(png(), "first.png")], team=team.slug)
    expected = 9 + connection.features.has_select_for_update
    with django_assert_num_queries(expected):
        response = post_files(client, [file_of(png(), "second.png")], team=team.slug)
    assert response.status_code == 201
    upload = response.json()["results"][0]["upload"]
    assert upload["tags"] == [] and upload["status"] == "queued"
    assert Event.objects.get(upload_id=upload["id"]).payload["tags"] == []  # the feed event too


def test_default_team_is_used_without_team_field(api_for, member, team, png, file_of, queued):
    response = post_files(api_for(member), [file_of(png())])
    assert response.status_code == 201 and response.json()["team"] == team.slug


def test_token_team_claim_chooses_the_default(api_for, member, team, add_member, make_user, png, file_of, queued):
    from teams import services as team_services
    from teams.models import Membership

    second = team_services.create_team(make_user(), "Second")
    Membership.objects.create(user=member, team=second, role="member", last_used_at=timezone.now())
    response = post_files(api_for(member, team=team.slug), [file_of(png())])
    assert response.json()["team"] == team.slug


def test_same_image_again_is_deduplicated(api_for, member, owner, team, png, file_of, queued):
    data = png()
    post_files(api_for(member), [file_of(data, "first.png")])
    response = post_files(api_for(owner), [file_of(data, "again.png")])
    assert response.status_code == 200
    body = response.json()
    assert body["results"][0]["deduplicated"] and body["created"] == 0
    assert Upload.objects.count() == 1 and Sighting.objects.get().original_name == "again.png"
    detail = api_for(member).get(body["results"][0]["upload"]["url"]).json()
    assert detail["dedup"]["sightings"] == 1


@pytest.mark.parametrize("role,allowed", ROLES_WRITE)
def test_upload_matrix(api_for, users, team, png, file_of, queued, role, allowed):
    response = post_files(api_for(users[role]), [file_of(png())], team=team.slug)
    assert response.status_code == (201 if allowed else 403)
    assert Upload.objects.count() == (1 if allowed else 0)


def test_upload_to_foreign_or_unknown_team_is_404(api_for, outsider, member, team, png, file_of, queued):
    assert post_files(api_for(outsider), [file_of(png())], team=team.slug).status_code == 404
    assert post_files(api_for(member), [file_of(png())], team="no-such-team").status_code == 404
    assert post_files(api_for(member), []).status_code == 400
    assert not Upload.objects.exists()


def test_anonymous_cannot_upload(api, team, png, file_of):
    assert post_files(api, [file_of(png())], team=team.slug).status_code == 401


def test_detail_with_result(api_for, viewer, done_upload):
    upload = done_upload("三月销售报表\nline two")
    body = api_for(viewer).get(f"/api/uploads/{upload.pk}/").json()
    assert body["status"] == "done" and body["team"] == upload.team.slug
    result = body["result"]
    assert result["text"] == "三月销售报表\nline two"
    assert result["confidence"] == pytest.approx(0.93)
    assert result["lines"][0]["box"] == [[0, 0], [10, 0], [10, 10], [0, 10]]
    assert result["engine_version"] == "fake-engine/1" and result["timings"] == {"total": 1.0}
    assert body["dedup"] == {"sightings": 0, "last_seen_at": None, "reused_result": False}


@pytest.mark.parametrize("role,expected", [
    ("owner", 200), ("admin_user", 200), ("member", 200), ("viewer", 200), ("outsider", 404),
])
def test_read_matrix(api_for, users, done_upload, role, expected):
    upload = done_upload()
    client = api_for(users[role])
    assert client.get(f"/api/uploads/{upload.pk}/").status_code == expected
    image = client.get(f"/api/uploads/{upload.pk}/image/", HTTP_ACCEPT="image/png")
    assert image.status_code == expected
    if expected == 200:
        assert image["Content-Type"] == "image/png" and image["X-Content-Type-Options"] == "nosniff"
        assert b"".join(image.streaming_content).startswith(b"\x89PNG")
    ids = [u["id"] for u in client.get("/api/uploads/").json()["results"]]
    assert ids == ([upload.pk] if expected == 200 else [])


def test_anonymous_cannot_read(api, done_upload):
    upload = done_upload()
    assert api.get(f"/api/uploads/{upload.pk}/").status_code == 401
    assert api.get(f"/api/uploads/{upload.pk}/image/").status_code == 401


@pytest.mark.parametrize("role,expected", [
    ("owner", 204), ("admin_user", 204), ("member", 403), ("viewer", 403), ("outsider", 404),
])
def test_delete_matrix_for_someone_elses_upload(api_for, users, add_member, team, done_upload, role, expected):
    upload = done_upload(user=add_member(team, "member"))
    assert api_for(users[role]).delete(f"/api/uploads/{upload.pk}/").status_code == expected
    assert Upload.objects.filter(pk=upload.pk).exists() == (expected != 204)


def test_member_deletes_own_upload(api_for, member, done_upload):
    upload = done_upload(user=member)
    assert api_for(member).delete(f"/api/uploads/{upload.pk}/").status_code == 204
    assert not Upload.objects.exists()


@pytest.mark.parametrize("role,expected", [
    ("owner", 202), ("admin_user", 202), ("member", 202), ("viewer", 403), ("outsider", 404),
])
def test_rerun_matrix(api_for, users, done_upload, queued, role, expected, django_capture_on_commit_callbacks):
    upload = done_upload()
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(users[role]).post(f"/api/uploads/{upload.pk}/rerun/")
    assert response.status_code == expected
    upload.refresh_from_db()
    assert (upload.status == "queued") == (expected == 202)
    assert queued == ([upload.pk] if expected == 202 else [])


@pytest.mark.parametrize("role,expected", [
    ("owner", 200), ("admin_user", 200), ("member", 200), ("viewer", 403), ("outsider", 404),
])
def test_pin_matrix(api_for, users, done_upload, role, expected):
    upload = done_upload()
    client = api_for(users[role])
    assert client.post(f"/api/uploads/{upload.pk}/pin/").status_code == expected
    upload.refresh_from_db()
    assert upload.pinned == (expected == 200)
    if expected == 200:
        assert client.delete(f"/api/uploads/{upload.pk}/pin/").json()["pinned"] is False


def test_list_filters(api_for, owner, member, team, other_team, outsider, done_upload):
    a = done_upload("invoice 2024", user=member, name="a.png")
    b = done_upload("销售报表", user=owner, name="b.png")
    done_upload("invoice elsewhere", user=outsider, target_team=other_team)
    Upload.objects.filter(pk=a.pk).update(created_at=timezone.now() - timezone.timedelta(days=3))
    client = api_for(member)

    def ids(**params):
        response = client.get("/api/uploads/", params)
        assert response.status_code == 200, response.json()
        return [u["id"] for u in response.json()["results"]]

    assert ids() == [b.pk, a.pk]
    assert ids(team=team.slug) == [b.pk, a.pk]
    assert ids(uploader="owner") == [b.pk]
    assert ids(q="INVOICE") == [a.pk]
    assert ids(q="销售") == [b.pk]
    assert ids(q="b.png") == [b.pk]
    assert ids(status="done") == [b.pk, a.pk]
    assert ids(status="queued") == []
    assert ids(created_after=(timezone.now() - timezone.timedelta(days=1)).isoformat()) == [b.pk]
    assert ids(created_before=(timezone.now() - timezone.timedelta(days=1)).isoformat()) == [a.pk]
    assert client.get("/api/uploads/", {"team": other_team.slug}).status_code == 404
    assert client.get("/api/uploads/", {"status": "bogus"}).status_code == 400
    assert client.get("/api/uploads/", {"created_after": "yesterday"}).status_code == 400


def test_cursor_pagination(api_for, member, done_upload):
    made = [done_upload(f"text {i}").pk for i in range(5)]
    client = api_for(member)
    page = client.get("/api/uploads/", {"page_size": 2}).json()
    seen = [u["id"] for u in page["results"]]
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [u["id"] for u in page["results"]]
    assert seen == list(reversed(made))
