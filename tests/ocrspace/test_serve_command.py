"""``manage.py serve`` (``make run``): what it hands its web and worker processes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ocrspace import serving
from ocrspace.management.commands.serve import Command
from tests.live import ROOT

LINK = "from integrations.delivery import absolute; print(absolute('/uploads/41/'))"


def link_in_child(env: dict) -> str:
    """The webhook link a process started with ``env`` writes."""
    env = {**env, "DJANGO_SETTINGS_MODULE": "ocrspace.settings"}
    code = f"import django; django.setup(); {LINK}"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_webhook_links_use_the_port_served(tmp_path):
    base = {k: v for k, v in os.environ.items() if k != "OCRSPACE_BASE_URL"}
    base["OCRSPACE_VAR_DIR"] = str(tmp_path)
    env = Command.child_environment("127.0.0.1", 8765, base)
    assert link_in_child(env) == "http://localhost:8765/uploads/41/"
    assert Command.child_environment("0.0.0.0", 9000, base)["OCRSPACE_BASE_URL"] == "http://localhost:9000"
    assert Command.child_environment("ocr.lan", 80, base)["OCRSPACE_BASE_URL"] == "http://ocr.lan:80"
    # An explicit address wins.
    chosen = Command.child_environment("127.0.0.1", 8765, {**base, "OCRSPACE_BASE_URL": "https://ocr.example.com"})
    assert link_in_child(chosen) == "https://ocr.example.com/uploads/41/"


def test_production_without_a_base_url_is_warned_about():
    message = serving.base_url_warning(True, {})
    assert message and "OCRSPACE_BASE_URL" in message
    assert serving.base_url_warning(True, {"OCRSPACE_BASE_URL": "https://ocr.example.com"}) is None
    assert serving.base_url_warning(False, {}) is None


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_ctrl_c_stops_web_and_cluster_together_and_hands_the_upload_back(team, owner, tmp_path, settings):
    """Ctrl+C in a terminal is SIGINT to the foreground process group. The
    cluster's workers ignore SIGINT, so before, the cluster finished the
    upload it was reading while serve waited for it; now serve stops both
    children with SIGTERM at once and the worker hands the upload back."""
    import signal
    import time

    import psutil
    import requests
    from rest_framework_simplejwt.tokens import AccessToken

    from recognition.models import Upload, UploadStatus
    from tests.browser.conftest import text_png
    from ocrspace.stack import Stack
    from tests.live import database_url, free_port

    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url(), "SECRET_KEY": settings.SECRET_KEY,
           "MEDIA_ROOT": str(tmp_path / "media"), "OCRSPACE_VAR_DIR": str(tmp_path / "var"),
           "OCRSPACE_TORCH_THREADS": "1"}
    env.pop("REDIS_URL", None)
    paused = [p for p in Stack.running if p.worker_running()]  # they would take the upload
    for platform in paused:
        platform.stop_worker()
    log = open(tmp_path / "serve.log", "wb")
    serve = subprocess.Popen([sys.executable, "manage.py", "serve", "--port", str(port)], cwd=ROOT, env=env,
                             stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while True:
            assert serve.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            try:
                requests.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.3)
        children = psutil.Process(serve.pid).children(recursive=True)
        data = text_png([f"Line {n} of a long capture to keep the worker busy" for n in range(40)])
        answer = requests.post(f"http://127.0.0.1:{port}/api/uploads/", files={"files": ("long.png", data, "image/png")},
                               headers={"Authorization": f"Bearer {AccessToken.for_user(owner)}"}, timeout=60)
        assert answer.status_code == 201, answer.text
        upload_id = answer.json()["results"][0]["upload"]["id"]
        while Upload.objects.get(pk=upload_id).status != UploadStatus.PROCESSING:
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.05)
        os.killpg(serve.pid, signal.SIGINT)  # what the terminal does on Ctrl+C
        serve.wait(timeout=120)
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait()
        for platform in paused:
            platform.start_worker()
    output = (tmp_path / "serve.log").read_text()
    assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE], output
    upload = Upload.objects.get(pk=upload_id)
    assert (upload.status, upload.attempts) == (UploadStatus.QUEUED, 1), output
    assert f"Worker stopped during upload {upload_id}: requeued" in output


def test_a_worker_machine_never_migrates_and_waits_for_the_web_machine(tmp_path):
    """``serve --role worker`` on a database the web machine has not
    migrated yet: it says what it waits for and creates no table."""
    import signal
    import sqlite3
    import time

    database = tmp_path / "db.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "OCRSPACE_VAR_DIR": str(tmp_path / "var"),
           "OCRSPACE_PRODUCTION": "1", "SECRET_KEY": "k" * 50, "ALLOWED_HOSTS": "ocr.example.com"}
    for name in ("REDIS_URL", "OCRSPACE_BASE_URL"):
        env.pop(name, None)
    log_path = tmp_path / "worker.log"
    with open(log_path, "wb") as log:
        worker = subprocess.Popen([sys.executable, "manage.py", "serve", "--role", "worker"], cwd=ROOT, env=env,
                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        while "Waiting for the web machine" not in log_path.read_text():
            assert worker.poll() is None, log_path.read_text()
            time.sleep(0.2)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(60)
    output = log_path.read_text()
    assert "migration(s) not applied yet" in output and "Traceback" not in output
    # On one machine's disk and without Redis: a note that other machines cannot join.
    assert "OCRSPACE_STORAGE=s3" in output and "REDIS_URL" in output
    assert "OCRSPACE_BASE_URL is not set" in output  # workers write the links in webhook payloads
    with sqlite3.connect(database) as conn:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert "recognition_upload" not in tables


def test_role_defaults_to_all_and_s3_with_redis_needs_no_note():
    from ocrspace.management.commands.serve import worker_storage_warning

    assert worker_storage_warning("storages.backends.s3.S3Storage", has_redis=True) is None
    parser = Command().create_parser("manage.py", "serve")
    assert parser.parse_args([]).role == "all"
    assert parser.parse_args(["--role", "web"]).role == "web"
