"""Test helpers shared by every test directory: images, archives and a
stand-in OCR engine (for unit tests only; end-to-end tests run the real one)."""

from __future__ import annotations

import io
import itertools
import zipfile
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
# Public test vectors from the product side live beside the repository.
SHARED_TESTDATA = ROOT.parent / "shared" / "testdata"

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


def make_zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = compression
            archive.writestr(info, data)
    return buffer.getvalue()


class FakeResult:
    def __init__(self, text: str, version: str, confidence: float):
        self.payload = {
            "text": text,
            "confidence": confidence,
            "lines": [
                {"text": t, "confidence": confidence, "box": [[0, 0], [10, 0], [10, 10], [0, 10]]}
                for t in text.splitlines()
            ],
            "engine_version": version,
            "timings": {"total": 1.0},
        }

    def to_dict(self) -> dict:
        return self.payload


class FakeEngine:
    """Answers ``text`` (``{width}``/``{height}`` filled from the image),
    raises ``error`` when set, and counts its calls."""

    engine_version = "fake-engine/1"
    confidence = 0.93

    def __init__(self, text: str):
        self.text = text
        self.calls = 0
        self.error: Exception | None = None

    def recognize(self, data: bytes) -> FakeResult:
        self.calls += 1
        if self.error is not None:
            raise self.error
        image = Image.open(io.BytesIO(data))
        return FakeResult(self.text.format(width=image.width, height=image.height), self.engine_version, self.confidence)
