"""End to end: real django-q2 worker with the real engine, real daphne, real
websockets (channels-redis when REDIS_URL is set, the outbox relay otherwise)."""

from __future__ import annotations

import io
import json
import signal
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont
from rest_framework_simplejwt.tokens import AccessToken
from websockets.sync.client import connect

from recognition import maintenance, services, storage
from recognition.models import Upload, UploadStatus

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def text_image(lines: list[str], scale: int = 1) -> bytes:
    font = ImageFont.truetype(FONT, 22 * scale)
    image = Image.new("RGB", (900 * scale, (40 * len(lines) + 40) * scale), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((30 * scale, (20 + 40 * i) * scale), line, font=font, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@contextmanager
def feed(platform, team, user):
    """A team feed socket authenticated with the user's JWT."""
    with connect(f"{platform.ws_url}/ws/teams/{team.slug}/feed/", open_timeout=10, origin=platform.url) as socket:
        socket.send(json.dumps({"type": "auth", "token": str(AccessToken.for_user(user))}))
        ready = json.loads(socket.recv(timeout=10))
        assert ready["type"] == "ready", ready
        yield socket


def events_until(socket, upload_id: int, final=("upload.done", "upload.failed"), timeout: float = 180) -> list[dict]:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = json.loads(socket.recv(timeout=max(1, deadline - time.monotonic())))
        if message.get("type") == "event" and message["event"]["upload_id"] == upload_id:
            seen.append(message["event"])
            if message["event"]["kind"] in final:
                return seen
    raise AssertionError(f"no final event for upload {upload_id}: {seen}")


def wait_for_status(upload_id: int, statuses, timeout: float = 180) -> Upload:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        upload = Upload.objects.get(pk=upload_id)
        if upload.status in statuses:
            return upload
        time.sleep(0.2)
    raise AssertionError(f"upload {upload_id} stayed {Upload.objects.get(pk=upload_id).status}")


def test_result_reaches_team_members_live_and_nobody_else(live_platform, live_media, team, member, viewer, outsider, other_team):
    data = text_image(["Quarterly report 2024", "Total amount 1234.50 EUR"])
    with feed(live_platform, team, viewer) as mine, feed(live_platform, other_team, outsider) as theirs:
        upload = services.create_upload(team, member, data, "report.png").upload
        events = events_until(mine, upload.pk)
        # The other team's socket hears nothing about it.
        with pytest.raises(TimeoutError):
            while True:
                message = json.loads(theirs.recv(timeout=2))
                assert message.get("type") != "event", message

    kinds = [e["kind"] for e in events]
    assert kinds[0] == "upload.created" and kinds[-1] == "upload.done", kinds
    text = events[-1]["upload"]["text"]
    assert "Quarterly report 2024" in text and "1234.50" in text
    assert events[-1]["upload"]["confidence"] > 0.8


def test_worker_killed_mid_task_recovers_and_finishes(live_platform, live_media, team, member):
    data = text_image(["Line %d of a long document with numbers %d" % (i, i * 7919) for i in range(28)], scale=2)
    upload = services.create_upload(team, member, data, "long.png").upload
    wait_for_status(upload.pk, {UploadStatus.PROCESSING})
    live_platform.busiest_worker_process().send_signal(signal.SIGKILL)

    # The lost task is found by the sweeper (scheduled every minute); run it
    # as if its staleness limit had passed instead of waiting.
    time.sleep(1)
    later = timezone.now() + timedelta(seconds=live_platform_timeout() + 31)
    assert maintenance.sweep_stale(now=later)["requeued"] == 1

    done = wait_for_status(upload.pk, {UploadStatus.DONE, UploadStatus.FAILED})
    assert done.status == UploadStatus.DONE, done.error
    assert done.attempts == 2
    assert "Line 3 of a long document" in done.result.text


def test_unreadable_stored_image_fails_clearly_and_worker_keeps_serving(live_platform, live_media, team, member, monkeypatch):
    monkeypatch.setattr(services, "enqueue", lambda upload_id: None)
    broken = services.create_upload(team, member, text_image(["broken"]), "broken.png").upload
    storage.store(b"\x89PNG\r\n\x1a\n garbage", broken.file_path)
    monkeypatch.undo()
    services.enqueue(broken.pk)
    failed = wait_for_status(broken.pk, {UploadStatus.DONE, UploadStatus.FAILED})
    assert failed.status == UploadStatus.FAILED
    assert failed.error.startswith("The image could not be read")

    ok = services.create_upload(team, member, text_image(["Still working fine"]), "ok.png").upload
    assert wait_for_status(ok.pk, {UploadStatus.DONE, UploadStatus.FAILED}).status == UploadStatus.DONE


def live_platform_timeout() -> int:
    from django.conf import settings

    return settings.Q_CLUSTER["timeout"]
