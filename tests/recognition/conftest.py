"""Fixtures for the platform side of recognition: images and a stand-in engine.

The stand-in is for unit tests only; end-to-end tests run the real engine.
"""

from __future__ import annotations

import io
import itertools

import pytest
from PIL import Image, ImageDraw

_colors = itertools.count(1)


def make_png(size=(120, 40), text: str | None = None, seed: int | None = None) -> bytes:
    """A small, unique PNG (a different colour per call unless ``seed``)."""
    n = next(_colors) if seed is None else seed
    image = Image.new("RGB", size, ((n * 37) % 256, (n * 91) % 256, (n * 53) % 256))
    if text:
        ImageDraw.Draw(image).text((5, 5), text, fill=(0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def png():
    return make_png


class FakeResult:
    def __init__(self, text: str, version: str):
        self.payload = {
            "text": text,
            "confidence": 0.9,
            "lines": [{"text": t, "confidence": 0.9, "box": [[0, 0], [10, 0], [10, 10], [0, 10]]} for t in text.splitlines()],
            "engine_version": version,
            "timings": {"total": 1.0},
        }

    def to_dict(self) -> dict:
        return self.payload


class FakeEngine:
    """Reads the image size into text, and counts its calls."""

    engine_version = "fake-engine/1"

    def __init__(self):
        self.calls = 0
        self.error: Exception | None = None

    def recognize(self, data: bytes) -> FakeResult:
        self.calls += 1
        if self.error is not None:
            raise self.error
        image = Image.open(io.BytesIO(data))
        return FakeResult(f"image {image.width}x{image.height}\nsecond line", self.engine_version)


@pytest.fixture
def fake_engine(monkeypatch):
    from recognition import engine_gateway

    engine = FakeEngine()
    monkeypatch.setattr(engine_gateway, "get_engine", lambda: engine)
    return engine


@pytest.fixture
def sync_queue(monkeypatch):
    """Run queued tasks at once, in this process (django-q2's sync mode,
    which it reads into ``Conf`` at import time)."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)
