"""The platform's one door to the OCR engine.

The web process only *probes* images (format and size, no torch). Inference
runs in django-q2 worker processes, which fork from the cluster's parent:
torch must not be imported before the fork (its thread pools and OpenMP state
do not survive it) and the web process must stay small, so the engine is
imported and loaded lazily, once per worker process, on its first task, and
kept for the life of that worker.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from django.conf import settings

from recognition.engine import ImageError, decode_image  # no torch behind these

if TYPE_CHECKING:
    from recognition.engine import OcrEngine, OcrResult

__all__ = ["ImageError", "probe", "get_engine", "recognize"]

_engine: "OcrEngine | None" = None
_lock = threading.Lock()


def probe(data: bytes):
    """Format and pixel size of an image, validated against the limits.

    The image is decoded in full (Pillow and numpy, no torch): a file whose
    header is fine but whose pixel data is truncated must be refused at
    upload, not discovered later by the worker. Raises ``ImageError`` (with a
    message for the user) for anything that is not a supported, sane image.
    """
    return decode_image(data, max_bytes=settings.OCRSPACE_MAX_UPLOAD_BYTES, max_pixels=settings.OCRSPACE_MAX_IMAGE_PIXELS)


def engine_config(**overrides):
    """The engine settings of this deployment (limits as for uploads)."""
    from recognition.engine import EngineConfig

    options = {
        "threads": settings.OCRSPACE_TORCH_THREADS,
        "max_bytes": settings.OCRSPACE_MAX_UPLOAD_BYTES,
        "max_pixels": settings.OCRSPACE_MAX_IMAGE_PIXELS,
    }
    return EngineConfig(**{**options, **overrides})


def get_engine() -> "OcrEngine":
    global _engine
    with _lock:
        if _engine is None:
            from recognition.engine import OcrEngine

            _engine = OcrEngine(engine_config())
        return _engine


def recognize(data: bytes) -> "OcrResult":
    return get_engine().recognize(data)
