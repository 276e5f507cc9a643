"""Fixtures for the REST API tests: token clients, images, archives, a
stand-in engine and an inline queue (the real engine runs in the e2e tests)."""

from __future__ import annotations

import io
import itertools
import zipfile

import pytest
from django.core.cache import cache
from PIL import Image, ImageDraw
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

_colors = itertools.count(1)


def make_png(size=(120, 40), text: str | None = None) -> bytes:
    """A small PNG, different on every call (its colour changes)."""
    n = next(_colors)
    image = Image.new("RGB", size, ((n * 37) % 256, (n * 91) % 256, (n * 53) % 256))
    if text:
        ImageDraw.Draw(image).text((5, 5), text, fill=(0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def make_zip(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = compression
            archive.writestr(info, data)
    return buffer.getvalue()


def upload_file(data: bytes, name: str = "shot.png", content_type: str = "image/png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def png():
    return make_png


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The suite creates many users; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in the cache; each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    """An anonymous API client."""
    return APIClient()


@pytest.fixture
def api_for():
    """An API client sending a real Bearer access token for ``user``."""

    def make(user, **claims) -> APIClient:
        refresh = RefreshToken.for_user(user)
        for key, value in claims.items():
            refresh[key] = value
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {refresh.access_token}")
        return client

    return make


@pytest.fixture
def queued(monkeypatch):
    """Record enqueued upload ids instead of sending them to a worker."""
    from recognition import services

    ids: list[int] = []
    monkeypatch.setattr(services, "enqueue", ids.append)
    return ids


class FakeResult:
    def __init__(self, text: str, version: str):
        self.payload = {
            "text": text,
            "confidence": 0.93,
            "lines": [
                {"text": t, "confidence": 0.93, "box": [[0, 0], [10, 0], [10, 10], [0, 10]]} for t in text.splitlines()
            ],
            "engine_version": version,
            "timings": {"total": 1.0},
        }

    def to_dict(self) -> dict:
        return self.payload


class FakeEngine:
    """Answers a fixed text (settable per test) and counts its calls."""

    engine_version = "fake-engine/1"

    def __init__(self):
        self.calls = 0
        self.text = "三月销售报表 Sales report\nTotal =SUM(A1:A3)"

    def recognize(self, data: bytes) -> FakeResult:
        self.calls += 1
        return FakeResult(self.text, self.engine_version)


@pytest.fixture
def fake_engine(monkeypatch):
    from recognition import engine_gateway

    engine = FakeEngine()
    monkeypatch.setattr(engine_gateway, "get_engine", lambda: engine)
    return engine


@pytest.fixture
def sync_queue(monkeypatch):
    """Run queued tasks at once in this process (django-q2 sync mode)."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture
def zip_of():
    return make_zip


@pytest.fixture
def file_of():
    return upload_file


@pytest.fixture
def done_upload(team, member, fake_engine, queued):
    """Make a finished upload in ``team`` (the task runs here, inline)."""
    from recognition import services, tasks

    def make(text: str = "hello world", user=None, target_team=None, name: str = "shot.png"):
        fake_engine.text = text
        outcome = services.create_upload(target_team or team, user or member, make_png(), name)
        tasks.run_ocr(outcome.upload.pk)
        upload = outcome.upload
        upload.refresh_from_db()
        return upload

    return make
