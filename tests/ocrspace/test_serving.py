"""The server process as a deployment starts it (``daphne ocrspace.asgi:application``):
answers to malformed and over-long requests, and the start-up check."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
import requests
from rest_framework_simplejwt.tokens import AccessToken

from tests.live import ROOT, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
EMPTY_MULTIPART = {"data": b"--XX--\r\n", "headers": {"Content-Type": "multipart/form-data; boundary=XX"}}


def test_empty_multipart_body_gets_a_json_message_on_every_route(live_platform, team, admin_user):
    token = str(AccessToken.for_user(admin_user))
    for path in ("/ocr/recognize", "/api/uploads/", "/api/uploads/zip/", "/api/auth/token/refresh/",
                 "/api/auth/token/verify/", "/api/auth/logout/", f"/api/teams/{team.slug}/invitations/",
                 "/api/teams/", "/api/uploads/%0A%C2%AB/"):
        headers = {**EMPTY_MULTIPART["headers"], "Authorization": f"Bearer {token}"}
        response = requests.post(live_platform.url + path, data=EMPTY_MULTIPART["data"], headers=headers, timeout=30)
        # An empty form is a form: the view answers it (an invitation has
        # only defaults, so one is made); never the bare 400 of the server.
        assert response.status_code < 500, (path, response.status_code)
        assert response.headers.get("Content-Type", "").startswith("application/json"), (path, response.headers)
        body = response.json()
        assert response.status_code < 300 or body.get("detail") or body.get("error"), (path, body)
    nl = requests.get(live_platform.url + "/api/uploads/%0A%C2%AB/", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert nl.status_code == 404 and nl.json() == {"detail": "Not found.", "code": "not_found"}


def raw_exchange(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(request)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_oversized_request_line_and_headers_get_a_status_and_a_message(live_platform):
    ids = ",".join(str(n) for n in range(100000, 106000))  # 6,000 ids: about 42 kB
    answer = raw_exchange(live_platform.port, f"GET /api/export/?format=txt&ids={ids} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414 "), head
    assert b"POST body" in body and b"16384" in body

    answer = raw_exchange(live_platform.port, b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 431 ") and b"header" in answer

    many = b"".join(b"X-H%d: %s\r\n" % (n, b"b" * 100) for n in range(200))  # 200 lines of ~110 bytes
    answer = raw_exchange(live_platform.port, b"GET / HTTP/1.1\r\nHost: localhost\r\n" + many + b"\r\n")
    assert answer.startswith(b"HTTP/1.1 431 ") and b"together" in answer


def test_daphne_without_collected_static_files_stops_with_one_line(tmp_path, settings):
    env = {**os.environ, "OCRSPACE_VAR_DIR": str(tmp_path / "var"), "SECRET_KEY": settings.SECRET_KEY,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "DEBUG": "0"}
    env.pop("REDIS_URL", None)
    process = subprocess.run(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(free_port()), "ocrspace.asgi:application"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert process.returncode != 0
    lines = [line for line in process.stderr.splitlines() if line.strip() and "AXES" not in line]
    assert lines == [lines[-1]] and "collectstatic" in lines[-1], process.stderr
    assert "Traceback" not in process.stderr


def test_favicon_is_served(live_platform):
    import io

    from PIL import Image

    response = requests.get(f"{live_platform.url}/favicon.ico", timeout=30)
    assert response.status_code == 200 and response.history[0].status_code == 301
    assert Image.open(io.BytesIO(response.content)).format == "ICO"
    page = requests.get(f"{live_platform.url}/accounts/login/", timeout=30).text
    assert 'rel="icon"' in page
