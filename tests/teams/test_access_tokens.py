"""Personal access tokens: the scope matrix, team limits, revocation and
expiry, the CLI, the websocket feed and what is stored."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from ocrspace.routing import websocket_urlpatterns
from recognition import services as upload_services
from teams import access_tokens
from teams import services as team_services
from teams.models import AccessToken
from tests.support import make_png, run_in_new_loop

pytestmark = pytest.mark.django_db


def client_with(raw: str, keyword: str = "Token") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {raw}")
    return client


def token_for(user, scopes, teams=None, days=None) -> str:
    return access_tokens.create_token(user, name="script", scopes=scopes, teams=teams, days=days)[1]


def upload_to(client: APIClient, team):
    return client.post("/api/uploads/", {"team": team.slug, "files": [SimpleUploadedFile("a.png", make_png(), "image/png")]},
                       format="multipart")


@pytest.mark.parametrize("keyword", ["Token", "Bearer"])
def test_a_token_reads_as_its_user_with_either_header(team, member, keyword):
    upload = upload_services.create_upload(team, member, make_png(), "mine.png").upload
    response = client_with(token_for(member, ["read"]), keyword).get(f"/api/uploads/?team={team.slug}")
    assert response.status_code == 200, response.content
    assert [u["id"] for u in response.json()["results"]] == [upload.pk]


def test_scopes_decide_what_a_token_may_do(team, owner, member, queued):
    reader, uploader = client_with(token_for(member, ["read"])), client_with(token_for(member, ["upload"]))
    refused = upload_to(reader, team)
    assert refused.status_code == 403 and "'upload' scope" in refused.json()["detail"]
    assert upload_to(uploader, team).status_code == 201
    read_refused = uploader.get(f"/api/uploads/?team={team.slug}")
    assert read_refused.status_code == 403 and "'read' scope" in read_refused.json()["detail"]
    # The owner's upload-and-read token cannot change the team; an admin one can.
    owner_upload = client_with(token_for(owner, ["read", "upload"]))
    answer = owner_upload.patch(f"/api/teams/{team.slug}/", {"name": "Renamed"}, format="json")
    assert answer.status_code == 403 and "'admin' scope" in answer.json()["detail"]
    owner_admin = client_with(token_for(owner, ["read", "admin"]))
    assert owner_admin.patch(f"/api/teams/{team.slug}/", {"name": "Renamed"}, format="json").status_code == 200
    # Never more than the user's role: a member's admin token changes nothing.
    member_admin = client_with(token_for(member, ["read", "admin"]))
    assert member_admin.patch(f"/api/teams/{team.slug}/", {"name": "Again"}, format="json").status_code == 403


def test_a_token_limited_to_one_team_cannot_reach_another(team, member, owner):
    second = team_services.create_team(owner, "Second")
    second.memberships.create(user=member, role="member")
    limited = client_with(token_for(member, ["read"], teams=[team]))
    assert limited.get(f"/api/teams/{team.slug}/").status_code == 200
    assert limited.get(f"/api/teams/{second.slug}/").status_code == 404
    assert limited.get(f"/api/uploads/?team={second.slug}").status_code == 404
    assert [t["slug"] for t in limited.get("/api/teams/").json()] == [team.slug]
    everywhere = client_with(token_for(member, ["read"]))
    assert everywhere.get(f"/api/teams/{second.slug}/").status_code == 200


def test_unknown_revoked_and_expired_tokens_get_401_saying_which(member):
    raw = token_for(member, ["read"])
    expired = token_for(member, ["read"], days=1)
    AccessToken.objects.filter(digest=access_tokens.digest_of(expired)).update(expires_at=timezone.now() - timedelta(seconds=1))
    access_tokens.revoke_token(member, AccessToken.objects.get(digest=access_tokens.digest_of(raw)))
    for value, words in ((raw, "revoked"), (expired, "expired"), ("ocs_" + "x" * 43, "Unknown")):
        response = client_with(value).get("/api/teams/")
        assert response.status_code == 401 and words in response.json()["detail"], (words, response.content)


def test_tokens_cannot_manage_tokens(member):
    client = client_with(token_for(member, ["read", "upload", "admin"]))
    assert client.get("/api/tokens/").status_code == 403
    assert client.post("/api/tokens/", {"name": "more", "scopes": ["read"]}, format="json").status_code == 403


def test_creating_over_the_api_shows_the_secret_once_and_stores_only_its_digest(member, team):
    client = APIClient()
    client.force_authenticate(member)
    created = client.post("/api/tokens/", {"name": "ci", "scopes": ["read"], "teams": [team.slug], "days": 30}, format="json")
    assert created.status_code == 201, created.content
    raw = created.json()["token"]
    row = AccessToken.objects.get(pk=created.json()["id"])
    assert raw.startswith("ocs_") and len(raw) > 40 and row.digest == access_tokens.digest_of(raw)
    assert raw not in str(list(AccessToken.objects.values_list()))
    listed = client.get("/api/tokens/").json()
    assert listed[0]["prefix"] == raw[:12] and "token" not in listed[0] and listed[0]["teams"] == [team.slug]
    bad = client.post("/api/tokens/", {"name": "x", "scopes": ["write"]}, format="json")
    assert bad.status_code == 400 and "scopes" in bad.json()["errors"]
    elsewhere = client.post("/api/tokens/", {"name": "x", "scopes": ["read"], "teams": ["not-mine"]}, format="json")
    assert elsewhere.status_code == 400 and "not-mine" in elsewhere.json()["detail"]


def test_last_use_is_recorded(member):
    raw = token_for(member, ["read"])
    client_with(raw).get("/api/teams/", REMOTE_ADDR="203.0.113.7")
    token = AccessToken.objects.get(digest=access_tokens.digest_of(raw))
    assert token.last_used_at is not None and token.last_used_ip == "203.0.113.7"


def test_leaving_a_team_takes_it_from_the_users_tokens(team, owner, member):
    second = team_services.create_team(owner, "Second")
    second.memberships.create(user=member, role="member")
    only_here = AccessToken.objects.get(digest=access_tokens.digest_of(token_for(member, ["read"], teams=[team])))
    both = AccessToken.objects.get(digest=access_tokens.digest_of(token_for(member, ["read"], teams=[team, second])))
    team_services.remove_member(team, owner, member)
    only_here.refresh_from_db()
    assert only_here.revoked_at is not None  # with no team left it would have reached every team
    assert list(both.teams.values_list("slug", flat=True)) == [second.slug] and both.revoked_at is None


def test_team_admins_see_and_revoke_the_tokens_that_reach_their_team(team, owner, member, outsider):
    raw = token_for(member, ["read"])
    token_for(outsider, ["read"])
    admin = APIClient()
    admin.force_authenticate(owner)
    listed = admin.get(f"/api/teams/{team.slug}/tokens/").json()
    assert [(t["user"], t["prefix"]) for t in listed] == [(member.username, raw[:12])]
    assert admin.delete(f"/api/teams/{team.slug}/tokens/{listed[0]['id']}/").status_code == 204
    assert client_with(raw).get("/api/teams/").status_code == 401


def test_a_token_has_its_own_rate_limit(member, monkeypatch):
    cache.clear()  # ids repeat between tests, and so would the counters' keys
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "access_token", "2/min")
    client = client_with(token_for(member, ["read"]))
    assert [client.get("/api/teams/").status_code for _ in range(3)] == [200, 200, 429]


def test_create_token_command_prints_only_the_token(member, team):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_token", member.username, "--name", "ci", "--scope", "upload", "--team", team.slug,
                 "--days", "7", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    token = AccessToken.objects.get(digest=access_tokens.digest_of(raw))
    assert "\n" not in raw and token.scopes == ["upload"] and list(token.teams.all()) == [team]
    assert raw not in err.getvalue() and team.slug in err.getvalue()
    with pytest.raises(CommandError, match="No team"):
        call_command("create_token", member.username, "--name", "ci", "--scope", "read", "--team", "nope")
    with pytest.raises(CommandError, match="No user"):
        call_command("create_token", "ghost", "--name", "ci", "--scope", "read")


@pytest.mark.django_db(transaction=True)
def test_the_live_feed_accepts_a_read_token_and_refuses_others(team, member):
    application = URLRouter(websocket_urlpatterns)

    async def first_answer(raw: str):
        comm = WebsocketCommunicator(application, f"/ws/teams/{team.slug}/feed/")
        comm.scope["user"] = AnonymousUser()
        await comm.connect()
        await comm.send_json_to({"type": "auth", "token": raw})
        answer = await comm.receive_output(timeout=5)
        await comm.disconnect()
        return answer

    reader, uploader = token_for(member, ["read"]), token_for(member, ["upload"])

    async def both():
        return await first_answer(reader), await first_answer(uploader)

    ready, refused = run_in_new_loop(both)
    assert ready["type"] == "websocket.send" and '"ready"' in ready["text"]
    assert refused == {"type": "websocket.close", "code": 4401}


def test_recognize_takes_a_token_with_the_upload_scope(team, member, queued, settings):
    settings.OCRSPACE_RECOGNIZE_WAIT_SECONDS = 0

    def recognize(raw: str):
        image = SimpleUploadedFile("r.png", make_png(), "image/png")
        return client_with(raw).post("/ocr/recognize", {"image": image, "team": team.slug}, format="multipart")

    refused = recognize(token_for(member, ["read"]))
    assert refused.status_code == 403 and "upload" in refused.content.decode()
    assert recognize(token_for(member, ["upload"])).status_code == 202


def test_the_tokens_page_shows_a_new_secret_once_and_revokes(client, member, team):
    client.force_login(member)
    page = client.post("/accounts/tokens/", {"name": "<b>laptop</b>", "scopes": ["read"], "teams": [team.slug], "days": "30"})
    assert page.status_code == 200
    token = AccessToken.objects.get(user=member)
    secret = page.context["created"]
    assert access_tokens.digest_of(secret) == token.digest and secret in page.content.decode()
    assert "<b>laptop</b>" not in page.content.decode() and "&lt;b&gt;laptop&lt;/b&gt;" in page.content.decode()
    again = client.get("/accounts/tokens/").content.decode()
    assert secret not in again and token.prefix in again
    bad = client.post("/accounts/tokens/", {"name": "x", "scopes": ["everything"]})
    assert bad.status_code == 400
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_every_capability_names_the_scope_a_token_needs_for_it():
    from teams.roles import SCOPE_OF, Capability

    assert set(SCOPE_OF) == set(Capability)


def test_token_requests_are_taken_as_the_schema_states_them(member, team):
    client = APIClient()
    client.force_authenticate(member)
    numbers = client.post("/api/tokens/", {"name": "x", "scopes": ["read"], "teams": [0]}, format="json")
    assert numbers.status_code == 400 and "teams" in numbers.json()["errors"]
    form = client.post("/api/tokens/", {"name": "x", "scopes": "read", "teams": team.slug}, format="multipart")
    assert form.status_code == 415


def test_a_form_boolean_is_true_or_false(owner, team):
    client = APIClient()
    client.force_authenticate(owner)
    refused = client.patch(f"/api/teams/{team.slug}/", {"require_two_factor": "0"}, format="multipart")
    assert refused.status_code == 400 and "require_two_factor" in refused.json()["errors"]
    assert client.patch(f"/api/teams/{team.slug}/", {"require_two_factor": "false"}, format="multipart").status_code == 200
