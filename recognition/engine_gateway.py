"""The platform's one door to the OCR engine.

The web process only *probes* images (format and size, no torch). Inference
runs in django-q2 worker processes, which fork from the cluster's parent:
torch must not be imported before the fork (its thread pools and OpenMP state
do not survive it) and the web process must stay small, so the engine is
imported and loaded lazily in each worker process (one engine per profile
used, kept within a memory budget by ``recognition.engine.pool``).
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from django.conf import settings

from recognition.engine import ImageError, decode_image  # no torch behind these

if TYPE_CHECKING:
    from recognition.engine import EngineConfig, OcrEngine
    from recognition.engine.pool import EnginePool

__all__ = ["ImageError", "probe", "engine_config", "get_engine", "after_task", "warm_up"]

log = logging.getLogger(__name__)
_engines: "EnginePool | None" = None
_lock = threading.Lock()


def probe(data: bytes):
    """Format and pixel size of an image, validated against the limits.

    The image is decoded in full (Pillow and numpy, no torch): a file whose
    header is fine but whose pixel data is truncated must be refused at
    upload, not discovered later by the worker. Raises ``ImageError`` (with a
    message for the user) for anything that is not a supported, sane image.
    """
    return decode_image(data, max_bytes=settings.OCRSPACE_MAX_UPLOAD_BYTES, max_pixels=settings.OCRSPACE_MAX_IMAGE_PIXELS)


def engine_config(profile: str | None = None, **runtime) -> "EngineConfig":
    """The settings of ``profile`` (default: the deployment's) with this
    deployment's limits, threads and device."""
    from recognition.engine import EngineConfig
    from recognition.engine.pool import for_device, resolve_device

    options = {
        "threads": settings.OCRSPACE_TORCH_THREADS,
        "max_bytes": settings.OCRSPACE_MAX_UPLOAD_BYTES,
        "max_pixels": settings.OCRSPACE_MAX_IMAGE_PIXELS,
        "device": resolve_device(settings.OCRSPACE_DEVICE, _worker_index()),
    }
    return for_device(EngineConfig.for_profile(profile or settings.OCRSPACE_DEFAULT_PROFILE, **{**options, **runtime}))


def _worker_index() -> int:
    """This cluster worker's ordinal (``Process-1:3`` -> 2), to spread workers over GPUs."""
    import multiprocessing

    tail = multiprocessing.current_process().name.rsplit(":", 1)[-1]
    return int(tail) - 1 if tail.isdigit() else 0


def _pool() -> "EnginePool":
    global _engines
    with _lock:
        if _engines is None:
            from recognition.engine.pool import EnginePool

            _engines = EnginePool(engine_config, settings.OCRSPACE_ENGINE_MEMORY_MB)
        return _engines


def get_engine(profile: str | None = None) -> "OcrEngine":
    """This worker's engine for ``profile`` (default: the deployment's), loaded on first use."""
    return _pool().get(profile or settings.OCRSPACE_DEFAULT_PROFILE)


def after_task() -> None:
    """Keep the worker within its memory budget (see recognition.engine.pool)."""
    if _engines is not None:
        for name in _engines.trim():
            log.info("Dropped the %s engine to stay within OCRSPACE_ENGINE_MEMORY_MB", name)


def warm_up() -> None:
    """Load the default profile and read one synthetic page, before the
    worker takes its first task."""
    get_engine().warm_up()
