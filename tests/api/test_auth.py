import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def obtain(api, username):
    return api.post("/api/auth/token/", {"username": username, "password": PASSWORD}, format="json")


def test_token_pair_works_and_wrong_password_does_not(api, member):
    response = obtain(api, "member")
    assert response.status_code == 200
    access = response.json()["access"]
    assert api.post("/api/auth/token/", {"username": "member", "password": "nope"}, format="json").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert api.get("/api/teams/").status_code == 200


def test_refresh_verify_and_logout_blacklists(api, member):
    pair = obtain(api, "member").json()
    assert api.post("/api/auth/token/verify/", {"token": pair["access"]}, format="json").status_code == 200
    assert api.post("/api/auth/token/verify/", {"token": "garbage"}, format="json").status_code == 401
    refreshed = api.post("/api/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json")
    assert refreshed.status_code == 200
    new_refresh = refreshed.json()["refresh"]
    # Rotation blacklists the old refresh token.
    assert api.post("/api/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json").status_code == 401
    assert api.post("/api/auth/logout/", {"refresh": new_refresh}, format="json").status_code == 200
    assert api.post("/api/auth/token/refresh/", {"refresh": new_refresh}, format="json").status_code == 401


def test_anonymous_and_bad_tokens_get_401(api):
    assert api.get("/api/uploads/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert api.get("/api/uploads/").status_code == 401


def test_session_auth_needs_csrf(member, team):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.get("/api/teams/").status_code == 200
    # A logged-in browser without the CSRF token cannot write.
    response = client.post(f"/api/teams/{team.slug}/invitations/", {"role": "member"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_token_endpoint_is_throttled_with_retry_after(api, member, settings):
    codes = [obtain(api, "member").status_code for _ in range(12)]
    assert codes[:10] == [200] * 10
    assert codes[10] == 429
    response = obtain(api, "member")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0


def test_user_throttle(api_for, member, monkeypatch):
    from rest_framework.throttling import UserRateThrottle

    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {**UserRateThrottle.THROTTLE_RATES, "user": "3/min"})
    client = api_for(member)
    codes = [client.get("/api/teams/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_anon_throttle(api, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {**AnonRateThrottle.THROTTLE_RATES, "anon": "2/min"})
    codes = [api.get("/api/schema/").status_code for _ in range(3)]
    assert codes[-1] == 429


def test_issue_token_command(member, team, capsys, api):
    call_command("issue_token", "member", "--team", team.slug)
    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.split())
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {lines['access']}")
    assert api.get(f"/api/teams/{team.slug}/").status_code == 200
    refreshed = api.post("/api/auth/token/refresh/", {"refresh": lines["refresh"]}, format="json")
    assert refreshed.status_code == 200


def test_issue_token_refuses_unknown_user_and_foreign_team(member, other_team):
    with pytest.raises(CommandError, match="No user"):
        call_command("issue_token", "ghost")
    with pytest.raises(CommandError, match="not a member"):
        call_command("issue_token", "member", "--team", other_team.slug)
