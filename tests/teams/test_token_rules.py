"""The remaining rules of personal access tokens: a team can refuse tokens
without expiry (at creation, and for tokens that already exist), and a
token's own rate limit covers ``POST /ocr/recognize`` as it does the API."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from teams import access_tokens
from teams import services as team_services
from teams.models import AuditEntry, Team
from tests.support import make_png

pytestmark = pytest.mark.django_db


def client_with(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def strict(team: Team) -> Team:
    Team.objects.filter(pk=team.pk).update(allow_tokens_without_expiry=False)
    team.refresh_from_db()
    return team


def test_a_token_without_expiry_that_would_reach_a_strict_team_is_refused(member, team, make_user):
    strict(team)
    with pytest.raises(access_tokens.TokenExpiryRequired, match="sales-team requires access tokens to expire"):
        access_tokens.create_token(member, name="ci", scopes=["read"])
    with pytest.raises(access_tokens.TokenExpiryRequired):
        access_tokens.create_token(member, name="ci", scopes=["read"], teams=[team])
    token, _ = access_tokens.create_token(member, name="ci", scopes=["read"], teams=[team], days=30)
    assert token.expires_at is not None
    # Limited to another team that allows it: no expiry needed.
    other = team_services.create_team(member, "Lab")
    access_tokens.create_token(member, name="lab", scopes=["read"], teams=[other])
    assert not AuditEntry.objects.filter(action="token.create", details__name="ci").exclude(target_id=str(token.pk)).exists()


def test_the_api_refuses_it_with_its_code_and_the_page_with_a_message(member, team):
    strict(team)
    api = APIClient()
    api.force_authenticate(member)
    response = api.post("/api/tokens/", {"name": "ci", "scopes": ["read"]}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "token_expiry_required" and "sales-team" in response.json()["detail"]
    assert api.post("/api/tokens/", {"name": "ci", "scopes": ["read"], "days": 7}, format="json").status_code == 201
    browser = Client()
    browser.force_login(member)
    page = browser.post("/accounts/tokens/", {"name": "ci", "scopes": ["read"], "days": ""})
    assert page.status_code == 400 and "requires access tokens to expire" in page.content.decode()


def test_a_team_switching_it_off_stops_existing_tokens_without_expiry(member, team):
    forever = client_with(access_tokens.create_token(member, name="forever", scopes=["read"])[1])
    dated = client_with(access_tokens.create_token(member, name="dated", scopes=["read"], days=5)[1])
    assert forever.get(f"/api/teams/{team.slug}/").status_code == 200
    strict(team)
    assert forever.get(f"/api/teams/{team.slug}/").status_code == 404
    assert team.slug not in [t["slug"] for t in forever.get("/api/teams/").json()]
    assert dated.get(f"/api/teams/{team.slug}/").status_code == 200


def test_admins_set_it_and_viewers_cannot(team, admin_user, viewer):
    admin = APIClient()
    admin.force_authenticate(admin_user)
    response = admin.patch(f"/api/teams/{team.slug}/", {"allow_tokens_without_expiry": False}, format="json")
    assert response.status_code == 200 and response.json()["allow_tokens_without_expiry"] is False
    assert AuditEntry.objects.get(action="team.update").details["allow_tokens_without_expiry"] == [True, False]
    reader = APIClient()
    reader.force_authenticate(viewer)
    assert reader.patch(f"/api/teams/{team.slug}/", {"allow_tokens_without_expiry": True}, format="json").status_code == 403
    team.refresh_from_db()
    assert team.allow_tokens_without_expiry is False


def test_the_settings_page_sets_it(team, owner):
    browser = Client()
    browser.force_login(owner)
    response = browser.post(f"/t/{team.slug}/settings/", {"name": team.name, "retention_days": 7, "ocr_profile": ""})
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.allow_tokens_without_expiry is False
    browser.post(f"/t/{team.slug}/settings/", {"name": team.name, "retention_days": 7, "ocr_profile": "",
                                               "allow_tokens_without_expiry": "on"})
    team.refresh_from_db()
    assert team.allow_tokens_without_expiry is True


def recognize(raw: str):
    image = SimpleUploadedFile("r.png", make_png(), "image/png")
    return Client().post("/ocr/recognize", {"image": image}, HTTP_AUTHORIZATION=f"Token {raw}")


def test_a_tokens_own_rate_limit_covers_recognize(member, team, queued, settings, monkeypatch):
    cache.clear()
    settings.OCRSPACE_RECOGNIZE_WAIT_SECONDS = 0
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "access_token", "2/min")
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "recognize", "100/min")
    first = access_tokens.create_token(member, name="one", scopes=["upload"], days=1)[1]
    second = access_tokens.create_token(member, name="two", scopes=["upload"], days=1)[1]
    answers = [recognize(first) for _ in range(3)]
    assert [a.status_code for a in answers] == [202, 202, 429]
    assert answers[2].json() == {"success": False, "error": "Too many requests; try again later."}
    assert int(answers[2]["Retry-After"]) >= 1
    assert recognize(second).status_code == 202  # its own counter
