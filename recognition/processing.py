"""An upload's way through the worker: claim it, store its result or its
failure, or give it back to the queue when the worker is stopped.

Called by the OCR task (``recognition.tasks``) and the sweeper
(``recognition.maintenance``); no permission checks, the worker is the system.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from recognition import corrections, events, services, signatures
from recognition.models import EventKind, Result, Upload, UploadStatus
from recognition.representation import feed_summary


def claim(upload_id: int, stale_after_seconds: float) -> Upload | None:
    """Mark the upload as processing if nobody else is on it.

    A compare-and-set in one UPDATE: a re-delivered or duplicated task finds
    the upload done (or freshly claimed) and does nothing, so an image is
    never recognised twice at the same time and never gets two results.
    """
    now = timezone.now()
    stale = now - timezone.timedelta(seconds=stale_after_seconds)
    claimed = Upload.objects.filter(
        Q(status=UploadStatus.QUEUED) | Q(status=UploadStatus.PROCESSING, started_at__lt=stale),
        pk=upload_id,
        hidden=False,
    ).update(status=UploadStatus.PROCESSING, started_at=now, attempts=F("attempts") + 1, error="")
    if not claimed:
        return None
    upload = Upload.objects.select_related("team", "uploaded_by").get(pk=upload_id)
    with transaction.atomic():
        events.record(upload, EventKind.PROCESSING)
    return upload


def release(upload_id: int) -> str:
    """Give a claimed upload back to the queue: its worker is being stopped
    (SIGTERM) before it could finish. Without this the upload would stay
    ``processing`` until the sweeper finds it stale, minutes later.

    The attempt still counts, so an upload whose worker is stopped again and
    again (django-q2 also ends a worker that overran its timeout with
    SIGTERM) fails after ``max_attempts`` instead of going round forever.
    Returns "requeued", "failed" or "" (no longer processing: nothing to do).
    """
    upload = Upload.objects.filter(pk=upload_id, status=UploadStatus.PROCESSING).only("attempts").first()
    if upload is None:
        return ""
    if upload.attempts >= settings.Q_CLUSTER["max_attempts"]:
        fail(upload_id, "Recognition was interrupted several times; try re-running it.")
        return "failed"
    with transaction.atomic():
        released = Upload.objects.filter(pk=upload_id, status=UploadStatus.PROCESSING).update(
            status=UploadStatus.QUEUED, started_at=None, enqueued_at=timezone.now()
        )
        if not released:
            return ""
        events.record(Upload.objects.select_related("uploaded_by").get(pk=upload_id), EventKind.UPDATED)
        transaction.on_commit(lambda: services.enqueue(upload_id), robust=True)  # else the cluster start or sweeper does
    return "requeued"


def reusable_result(upload: Upload, engine_version: str) -> Result | None:
    """A result another upload of exactly these bytes already has, from the
    same engine version (MD5 *and* SHA-256 must match)."""
    return (
        Result.objects.filter(
            upload__md5=upload.md5, upload__sha256=upload.sha256, engine_version=engine_version
        )
        .exclude(upload=upload)
        .order_by("-created_at")
        .first()
    )


def progress(upload: Upload, page: dict, done: int) -> bool:
    """Announce on the feed that page ``page["page"]`` of a document was
    read (``done`` of ``upload.page_count``); False once the upload is no
    longer being processed (re-queued, deleted), so the reading can stop."""
    with transaction.atomic():
        if not Upload.objects.filter(pk=upload.pk, status=UploadStatus.PROCESSING).exists():
            return False
        payload = {**feed_summary(upload), "progress": {"page": page["page"], "pages": upload.page_count,
                                                        "done": done, "source": page["source"]}}
        events.record(upload, EventKind.PROGRESS, payload)
    return True


def complete(upload: Upload, *, text: str, confidence: float, lines: list, engine_version: str,
             timings: dict, reused: bool = False, profile: str = "", pages: list | None = None) -> bool:
    """Store the result and mark the upload done, in one transaction.

    Returns False when the upload vanished or was re-queued meanwhile.
    """
    with transaction.atomic():
        current = Upload.objects.select_for_update().filter(pk=upload.pk).first()
        if current is None or current.status != UploadStatus.PROCESSING:
            return False
        # A person's correction stays current over a new reading (see corrections).
        current_text, version = corrections.record_reading(
            current, text=text, profile=profile, engine_version=engine_version
        )
        result, _ = Result.objects.update_or_create(
            upload=current,
            defaults={
                "text": current_text,
                "engine_text": text,
                "version": version,
                "confidence": confidence,
                "lines": lines,
                "pages": pages or [],
                "engine_version": engine_version,
                "profile": profile,
                "timings": timings,
                "reused": reused,
                "created_at": timezone.now(),
            },
        )
        signatures.sign_result(result, current)
        result.save(update_fields=["signature", "signature_key", "signed_at"])
        current.status = UploadStatus.DONE
        current.finished_at = timezone.now()
        current.save(update_fields=["status", "finished_at"])
        current = Upload.objects.select_related("result", "uploaded_by").get(pk=current.pk)
        events.record(current, EventKind.DONE)
    return True


def fail(upload_id: int, message: str) -> bool:
    """Mark the upload failed with a message a person can act on."""
    with transaction.atomic():
        current = Upload.objects.select_for_update(of=("self",)).select_related("uploaded_by").filter(pk=upload_id).first()
        if current is None or current.status == UploadStatus.DONE:
            return False
        current.status = UploadStatus.FAILED
        current.error = message[:2000]
        current.finished_at = timezone.now()
        current.save(update_fields=["status", "error", "finished_at"])
        events.record(current, EventKind.FAILED)
    return True
