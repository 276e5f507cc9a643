"""Forged, expired, revoked and misused JWTs are refused by the REST API,
POST /ocr/recognize and the websocket feed."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import jwt as pyjwt
import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from ocrspace.routing import websocket_urlpatterns
from tests.support import run_in_new_loop

ws_application = URLRouter(websocket_urlpatterns)


def _b64(data: dict | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _segments(token: str) -> tuple[dict, dict, str]:
    header, payload, signature = token.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    return json.loads(base64.urlsafe_b64decode(pad(header))), json.loads(base64.urlsafe_b64decode(pad(payload))), signature


def expired(user, other) -> str:
    token = AccessToken.for_user(user)
    token.set_exp(from_time=timezone.now() - timedelta(hours=1))
    return str(token)


def tampered(user, other) -> str:
    """A valid token whose payload now names another user; signature kept."""
    header, payload, signature = _segments(str(AccessToken.for_user(user)))
    payload["user_id"] = str(other.pk)
    return f"{_b64(header)}.{_b64(payload)}.{signature}"


def wrong_key(user, other) -> str:
    _, payload, _ = _segments(str(AccessToken.for_user(user)))
    return pyjwt.encode(payload, "not-the-server-key-" * 3, algorithm="HS256")


def alg_none(user, other) -> str:
    _, payload, _ = _segments(str(AccessToken.for_user(user)))
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(payload)}."


def refresh_as_access(user, other) -> str:
    return str(RefreshToken.for_user(user))


def blacklisted_refresh(user, other) -> str:
    refresh = RefreshToken.for_user(user)
    refresh.blacklist()
    return str(refresh)


BAD_TOKENS = [expired, tampered, wrong_key, alg_none, refresh_as_access, blacklisted_refresh]


@pytest.fixture
def pair(member, outsider):
    return member, outsider


@pytest.mark.django_db
@pytest.mark.parametrize("make_token", BAD_TOKENS, ids=lambda f: f.__name__)
def test_rest_api_refuses(make_token, pair, team, png, queued):
    token = make_token(*pair)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    for response in (
        client.get("/api/teams/"),
        client.get(f"/api/teams/{team.slug}/"),
        client.get("/api/uploads/"),
        client.post("/api/uploads/", {"files": [SimpleUploadedFile("a.png", png(), "image/png")]}, format="multipart"),
    ):
        assert response.status_code == 401, (response.request["PATH_INFO"], response.content)
    response = client.post("/ocr/recognize", {"image": SimpleUploadedFile("a.png", png(), "image/png")}, format="multipart")
    assert response.status_code == 401 and response.json()["success"] is False
    assert queued == []


@pytest.mark.django_db
def test_the_good_token_works(pair, team):
    """The control: the same requests with an untouched token succeed."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(pair[0])}")
    assert client.get(f"/api/teams/{team.slug}/").status_code == 200


@pytest.mark.django_db
def test_refresh_token_is_dead_after_logout(member):
    api = APIClient()
    refresh = str(RefreshToken.for_user(member))
    assert api.post("/api/auth/logout/", {"refresh": refresh}, format="json").status_code == 200
    assert api.post("/api/auth/token/refresh/", {"refresh": refresh}, format="json").status_code == 401
    assert api.post("/api/auth/logout/", {"refresh": refresh}, format="json").status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("make_token", [expired, tampered, wrong_key, alg_none], ids=lambda f: f.__name__)
def test_forged_refresh_tokens_are_refused(make_token, pair):
    """The refresh endpoint applies the same checks to refresh tokens."""
    header, payload, signature = _segments(make_token(*pair))
    payload["token_type"] = "refresh"
    forged = pyjwt.encode(payload, "not-the-server-key-" * 3, algorithm="HS256")
    response = APIClient().post("/api/auth/token/refresh/", {"refresh": forged}, format="json")
    assert response.status_code == 401
    response = APIClient().post("/api/auth/token/verify/", {"token": make_token(*pair)}, format="json")
    assert response.status_code == 401


def _ws_outcome(team, token: str) -> dict:
    async def scenario():
        comm = WebsocketCommunicator(ws_application, f"/ws/teams/{team.slug}/feed/")
        comm.scope["user"] = AnonymousUser()
        connected, _ = await comm.connect()
        assert connected
        await comm.send_json_to({"type": "auth", "token": token})
        output = await comm.receive_output(timeout=5)
        await comm.disconnect()
        return output

    return run_in_new_loop(scenario)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("make_token", BAD_TOKENS, ids=lambda f: f.__name__)
def test_websocket_refuses(make_token, pair, team):
    output = _ws_outcome(team, make_token(*pair))
    assert output == {"type": "websocket.close", "code": 4401}


@pytest.mark.django_db(transaction=True)
def test_websocket_accepts_the_good_token(pair, team):
    output = _ws_outcome(team, str(AccessToken.for_user(pair[0])))
    assert output["type"] == "websocket.send" and json.loads(output["text"])["type"] == "ready"


def _logged_out_session(member):
    """Log in with the password, refresh once (rotation), then log out with
    the newest refresh token. Returns the access tokens of that session."""
    from tests.conftest import PASSWORD

    api = APIClient()
    first = api.post("/api/auth/token/", {"username": member.username, "password": PASSWORD}, format="json").json()
    rotated = api.post("/api/auth/token/refresh/", {"refresh": first["refresh"]}, format="json").json()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {rotated['access']}")
    assert api.get("/api/teams/").status_code == 200
    assert api.post("/api/auth/logout/", {"refresh": rotated["refresh"]}, format="json").status_code == 200
    return [first["access"], rotated["access"]]


@pytest.mark.django_db(transaction=True)
def test_logout_ends_the_sessions_access_tokens_everywhere(member, owner, team, png, queued):
    denied = _logged_out_session(member)
    for access in denied:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
        for response in (
            client.get("/api/teams/"),
            client.get(f"/api/teams/{team.slug}/"),
            client.get("/api/uploads/"),
            client.post(f"/api/uploads/", {"files": [SimpleUploadedFile("a.png", png(), "image/png")]}, format="multipart"),
        ):
            assert response.status_code == 401, (response.request["PATH_INFO"], response.content)
            assert "logged out" in response.json()["detail"]
        response = client.post("/ocr/recognize", {"image": SimpleUploadedFile("a.png", png(), "image/png")}, format="multipart")
        assert response.status_code == 401 and response.json()["success"] is False
        assert APIClient().post("/api/auth/token/verify/", {"token": access}, format="json").status_code == 401
        assert _ws_outcome(team, access) == {"type": "websocket.close", "code": 4401}
    assert queued == []
    # Only that session ends: another login of the same user, and other users, go on.
    from tests.conftest import PASSWORD

    for user in (member, owner):
        fresh = APIClient().post("/api/auth/token/", {"username": user.username, "password": PASSWORD}, format="json").json()
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {fresh['access']}")
        assert client.get(f"/api/teams/{team.slug}/").status_code == 200
        assert _ws_outcome(team, fresh["access"])["type"] == "websocket.send"


@pytest.mark.django_db
def test_logout_denies_the_bearer_token_it_is_sent_with(member, team):
    """A token not made by the password login (no session id, e.g. made by
    another tool) is still ended when it is the one the logout is sent with."""
    refresh = RefreshToken.for_user(member)
    access = str(AccessToken.for_user(member))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert api.post("/api/auth/logout/", {"refresh": str(refresh)}, format="json").status_code == 200
    assert api.get(f"/api/teams/{team.slug}/").status_code == 401
