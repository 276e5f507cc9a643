"""Queue entry points run by django-q2 workers.

This module must not import torch at import time: the cluster's parent
imports task modules before forking its workers (see engine_gateway).
"""

from __future__ import annotations

import logging

from django.conf import settings

from recognition import engine_gateway, maintenance, services, storage

log = logging.getLogger(__name__)


def run_ocr(upload_id: int) -> str:
    """Recognise one upload and store its result."""
    upload = services.claim(upload_id, stale_after_seconds=settings.Q_CLUSTER["timeout"])
    if upload is None:
        return "skipped: already handled"
    try:
        data = storage.read(upload.file_path)
    except FileNotFoundError:
        services.fail(upload_id, "The stored image is missing; upload it again.")
        return "failed: file missing"

    try:
        engine = engine_gateway.get_engine()
        previous = services.reusable_result(upload, engine.engine_version)
        if previous is not None:
            services.complete(
                upload, text=previous.text, confidence=previous.confidence, lines=previous.lines,
                engine_version=previous.engine_version, timings={}, reused=True,
            )
            return "done: reused"
        result = engine.recognize(data)
    except engine_gateway.ImageError as error:
        services.fail(upload_id, f"The image could not be read: {error}")
        return "failed: bad image"
    except Exception as error:  # noqa: BLE001 - a failed task must never leave the upload in "processing"
        log.exception("OCR of upload %s failed", upload_id)
        services.fail(upload_id, f"Recognition failed ({type(error).__name__}); try re-running it.")
        return "failed: error"

    payload = result.to_dict()
    services.complete(
        upload,
        text=payload["text"],
        confidence=payload["confidence"],
        lines=payload["lines"],
        engine_version=payload["engine_version"],
        timings=payload["timings"],
    )
    return "done"


def apply_retention() -> str:
    report = maintenance.apply_retention()
    return f"removed {report.uploads} upload(s), {report.files} orphan file(s)"


def sweep_stale() -> str:
    return str(maintenance.sweep_stale())
