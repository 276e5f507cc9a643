"""The live feed as an outside API client sees it: a real websockets client
against the real daphne of the live platform, sending no Origin header."""

from __future__ import annotations

import json

import pytest
from rest_framework_simplejwt.tokens import AccessToken
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def open_feed(platform, team, **kwargs):
    # websockets sends an Origin header only when given one.
    return connect(f"{platform.ws_url}/ws/teams/{team.slug}/feed/", open_timeout=10, **kwargs)


def closed_code(socket) -> int:
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            socket.recv(timeout=10)
    return closed.value.rcvd.code


def test_api_client_without_origin_joins_with_a_token(live_platform, team, member, outsider):
    with open_feed(live_platform, team) as socket:
        assert "Origin" not in socket.request.headers
        socket.send(json.dumps({"type": "auth", "token": str(AccessToken.for_user(member))}))
        ready = json.loads(socket.recv(timeout=10))
        assert ready["type"] == "ready" and ready["team"] == team.slug
        socket.send(json.dumps({"type": "ping"}))
        assert json.loads(socket.recv(timeout=10)) == {"type": "pong"}

    with open_feed(live_platform, team) as socket:
        socket.send(json.dumps({"type": "auth", "token": str(AccessToken.for_user(outsider))}))
        assert closed_code(socket) == 4404


def test_foreign_origin_is_still_refused(live_platform, team):
    with pytest.raises(InvalidStatus) as refused:
        with open_feed(live_platform, team, origin="https://evil.example.com"):
            pass
    assert refused.value.response.status_code == 403


def test_malformed_frames_never_leave_a_traceback(live_platform, team, member):
    web_log = live_platform.dir / "web.log"
    before = web_log.stat().st_size
    with open_feed(live_platform, team) as socket:
        socket.send("not json at all")  # as the first, unauthenticated frame
        assert json.loads(socket.recv(timeout=10))["type"] == "error"
        socket.send(json.dumps({"type": "auth", "token": str(AccessToken.for_user(member))}))
        assert json.loads(socket.recv(timeout=10))["type"] == "ready"
        socket.send("not json at all")
        assert json.loads(socket.recv(timeout=10))["type"] == "error"
        socket.send(json.dumps({"type": "no-such-type"}))
        assert json.loads(socket.recv(timeout=10))["type"] == "error"
        socket.send(b"\x00binary")
        assert closed_code(socket) == 4415
    with open_feed(live_platform, team) as socket:
        socket.send(json.dumps({"type": "ping", "pad": "x" * 100_000}))
        assert closed_code(socket) == 4413
    with open_feed(live_platform, team, max_size=None) as socket:
        # Over daphne's own 1 MiB limit it drops the connection, possibly
        # while the frame is still being sent.
        with pytest.raises(ConnectionClosed):
            socket.send("x" * (2 * 1024 * 1024))
            while True:
                socket.recv(timeout=10)
    with web_log.open("rb") as f:
        f.seek(before)
        log = f.read().decode(errors="replace")
    assert "Traceback" not in log and "JSONDecodeError" not in log, log
    assert "Feed frame refused (not a JSON object)" in log


def test_logged_out_access_token_no_longer_opens_the_feed(live_platform, team, member):
    import requests

    from tests.conftest import PASSWORD

    pair = requests.post(f"{live_platform.url}/api/auth/token/", json={"username": member.username, "password": PASSWORD},
                         timeout=30).json()
    headers = {"Authorization": f"Bearer {pair['access']}"}
    with open_feed(live_platform, team) as socket:
        socket.send(json.dumps({"type": "auth", "token": pair["access"]}))
        assert json.loads(socket.recv(timeout=10))["type"] == "ready"
    logout = requests.post(f"{live_platform.url}/api/auth/logout/", json={"refresh": pair["refresh"]}, timeout=30)
    assert logout.status_code == 200
    assert requests.get(f"{live_platform.url}/api/teams/", headers=headers, timeout=30).status_code == 401
    with open_feed(live_platform, team) as socket:
        socket.send(json.dumps({"type": "auth", "token": pair["access"]}))
        assert closed_code(socket) == 4401
