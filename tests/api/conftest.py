"""Fixtures for the REST API tests: token clients and finished uploads (the
shared images, stand-in engine and queue fixtures are in tests/conftest.py)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from tests.support import make_png


def upload_file(data: bytes, name: str = "shot.png", content_type: str = "image/png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


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
def fake_engine_text() -> str:
    return "三月销售报表 Sales report\nTotal =SUM(A1:A3)"


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
