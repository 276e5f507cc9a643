"""``/healthz`` and ``/readyz``: real checks of the database, the broker and
the image storage, answered to anonymous callers without any detail."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ocrspace.stack import ROOT, free_port

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_anything(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert client.post("/healthz").status_code == 405


@pytest.mark.usefixtures("media_backend")
def test_readyz_is_ready_when_everything_answers(client, media_backend):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "broker": "ok", "storage": "ok"}}


def test_readyz_names_an_unreachable_object_store(client, settings, s3_server):
    settings.STORAGES = {**settings.STORAGES, "default": s3_server.storage_setting("no-such-bucket")}
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"] == {"database": "ok", "broker": "ok", "storage": "failed"}
    assert "storage" in body["detail"]
    assert s3_server.endpoint not in response.content.decode() and "bucket" not in response.content.decode()


def test_readyz_names_an_unwritable_media_directory(client, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"")
    settings.MEDIA_ROOT = blocker / "media"  # cannot be made: its parent is a file
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["storage"] == "failed"
    assert str(tmp_path) not in response.content.decode()


def test_readyz_names_an_unreachable_broker(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "failed", "storage": "ok"}
    assert settings.REDIS_URL not in response.content.decode()


def test_readyz_names_an_unreachable_database(tmp_path):
    """A process configured with a PostgreSQL server that is not there."""
    port = free_port()
    script = (
        "from django.test.utils import setup_test_environment; setup_test_environment()\n"
        "from django.test import Client\n"
        "import json; r = Client().get('/readyz'); print(json.dumps([r.status_code, r.json()]))\n"
    )
    env = {**os.environ, "DATABASE_URL": f"postgres://nobody:secret@127.0.0.1:{port}/nothing",
           "OCRSPACE_VAR_DIR": str(tmp_path), "MEDIA_ROOT": str(tmp_path / "media")}
    env.pop("REDIS_URL", None)
    done = subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    status, body = json.loads(done.stdout.strip().splitlines()[-1])
    # Without Redis the broker is the database: both fail, the storage does not.
    assert status == 503 and body["checks"] == {"database": "failed", "broker": "failed", "storage": "ok"}
    assert "secret" not in done.stdout and str(port) not in json.dumps(body)
