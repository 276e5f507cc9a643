"""Upload domain logic: create (with dedup), process, re-run, pin, delete.

Browser views, the REST API, the ZIP import, the folder watcher and the
worker tasks all call these functions; permission checks live here too, so no
path into the system can skip them.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from recognition import engine_gateway, events, storage
from recognition.models import EventKind, Result, Sighting, Upload, UploadStatus
from teams import audit
from teams.models import Team
from teams.permissions import can, require
from teams.roles import Capability

log = logging.getLogger(__name__)


class UploadRejected(ValueError):
    """The file is not acceptable; the message says why (shown to the user)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class UploadOutcome:
    upload: Upload
    created: bool          # a new upload row
    deduplicated: bool     # the team already had this exact image


# HTTP status for each kind of unreadable image; anything else is a plain 400.
STATUS_FOR_IMAGE_ERROR = {"unsupported_image": 415, "image_too_large": 413}


def _validate(data: bytes, name: str):
    if not data:
        raise UploadRejected(_("The file “%(name)s” is empty.") % {"name": name})
    if len(data) > settings.OCRSPACE_MAX_UPLOAD_BYTES:
        limit = settings.OCRSPACE_MAX_UPLOAD_BYTES // (1024 * 1024)
        raise UploadRejected(_("“%(name)s” is larger than %(limit)s MB.") % {"name": name, "limit": limit}, 413)
    try:
        return engine_gateway.probe(data)
    except engine_gateway.ImageError as error:
        raise UploadRejected(f"“{name}”: {error}", STATUS_FOR_IMAGE_ERROR.get(error.code, 400)) from error


def _clean_name(name: str) -> str:
    """Keep only the last path component: names are labels, never paths."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return "".join(ch for ch in base if ch.isprintable())[:255] or "image"


def create_upload(team: Team, user, data: bytes, name: str) -> UploadOutcome:
    """Validate, store and queue one image for ``team``.

    The same bytes uploaded again to the same team return the existing upload
    (and its result) at once; no second file, no second inference.
    """
    require(user, team, Capability.UPLOAD)
    name = _clean_name(name)
    info = _validate(data, name)
    md5 = hashlib.md5(data).hexdigest()
    sha256 = hashlib.sha256(data).hexdigest()

    existing = _existing(team, md5, sha256)
    if existing is not None:
        return _seen_again(existing, user, name)

    image_type = info.format.lower()
    path = storage.content_path(md5, sha256, image_type)
    storage.store(data, path)
    try:
        with transaction.atomic():
            upload = Upload.objects.create(
                team=team,
                uploaded_by=user,
                file_path=path,
                md5=md5,
                sha256=sha256,
                original_name=name,
                byte_size=len(data),
                width=info.width,
                height=info.height,
                image_type=image_type,
                enqueued_at=timezone.now(),
            )
            events.record(upload, EventKind.CREATED)
            # robust: the upload is stored and committed by now; if the
            # broker is unreachable (Redis restarting) the error is logged,
            # the upload stays queued and the sweeper queues it again, instead
            # of a 500 for an upload that was in fact accepted.
            transaction.on_commit(lambda: enqueue(upload.pk), robust=True)
    except IntegrityError:
        # A concurrent request stored the same image first: that one wins.
        existing = _existing(team, md5, sha256)
        if existing is None:
            raise
        return _seen_again(existing, user, name)
    return UploadOutcome(upload, created=True, deduplicated=False)


def _existing(team: Team, md5: str, sha256: str) -> Upload | None:
    return Upload.objects.filter(team=team).same_image(md5, sha256).select_related("result").first()


def _seen_again(upload: Upload, user, name: str) -> UploadOutcome:
    if upload.hidden:
        raise UploadRejected(_("This image was removed by a moderator."), 409)
    Sighting.objects.create(upload=upload, user=user, original_name=name)
    return UploadOutcome(upload, created=False, deduplicated=True)


def enqueue(upload_id: int) -> None:
    """Hand the upload to the worker cluster (called after commit)."""
    from django_q.tasks import async_task

    if "orm" not in settings.Q_CLUSTER:
        async_task("recognition.tasks.run_ocr", upload_id, task_name=f"ocr-upload-{upload_id}", group="ocr")
        return
    # django-q2's ORM broker calls close_old_connections() whenever it is
    # used outside a transaction, which (with CONN_MAX_AGE=0) closes this
    # request's database connection in the middle of the request; the insert
    # then opens a new one. On SQLite, closing the last connection to the
    # file also checkpoints the WAL, so every upload paid for a close, a
    # checkpoint and a reconnect. Inside a transaction the broker leaves the
    # connection alone, and its single INSERT is committed the same as before.
    with transaction.atomic():
        async_task("recognition.tasks.run_ocr", upload_id, task_name=f"ocr-upload-{upload_id}", group="ocr")


# --- Worker side -------------------------------------------------------------

def claim(upload_id: int, stale_after_seconds: float) -> Upload | None:
    """Mark the upload as processing if nobody else is on it.

    A compare-and-set in one UPDATE: a re-delivered or duplicated task finds
    the upload done (or freshly claimed) and does nothing, so an image is
    never recognised twice at the same time and never gets two results.
    """
    now = timezone.now()
    stale = now - timezone.timedelta(seconds=stale_after_seconds)
    from django.db.models import F, Q

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
        transaction.on_commit(lambda: enqueue(upload_id), robust=True)  # else the cluster start or sweeper does
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


def complete(upload: Upload, *, text: str, confidence: float, lines: list, engine_version: str,
             timings: dict, reused: bool = False) -> bool:
    """Store the result and mark the upload done, in one transaction.

    Returns False when the upload vanished or was re-queued meanwhile.
    """
    with transaction.atomic():
        current = Upload.objects.select_for_update().filter(pk=upload.pk).first()
        if current is None or current.status != UploadStatus.PROCESSING:
            return False
        Result.objects.update_or_create(
            upload=current,
            defaults={
                "text": text,
                "confidence": confidence,
                "lines": lines,
                "engine_version": engine_version,
                "timings": timings,
                "reused": reused,
                "created_at": timezone.now(),
            },
        )
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


# --- Actions on existing uploads ----------------------------------------------

def rerun(upload: Upload, user) -> Upload:
    """Run OCR again (e.g. after an engine upgrade or a failure)."""
    require(user, upload.team, Capability.UPLOAD)
    return requeue(upload)


def requeue(upload: Upload) -> Upload:
    """Drop the result and queue the upload again (no permission check)."""
    with transaction.atomic():
        current = Upload.objects.select_for_update().get(pk=upload.pk)
        if current.status in (UploadStatus.QUEUED, UploadStatus.PROCESSING):
            return current
        Result.objects.filter(upload=current).delete()
        current.status = UploadStatus.QUEUED
        current.error = ""
        current.attempts = 0
        current.enqueued_at = timezone.now()
        current.started_at = current.finished_at = None
        current.save()
        events.record(current, EventKind.UPDATED)
        transaction.on_commit(lambda: enqueue(current.pk), robust=True)  # as in create_upload
    return current


def set_pinned(upload: Upload, user, pinned: bool) -> Upload:
    require(user, upload.team, Capability.UPLOAD)
    if upload.pinned != pinned:
        with transaction.atomic():
            upload.pinned = pinned
            upload.save(update_fields=["pinned"])
            events.record(upload, EventKind.UPDATED)
    return upload


def can_delete(user, upload: Upload) -> bool:
    """Members delete their own uploads; admins and owners anyone's."""
    if can(user, upload.team, Capability.MODERATE):
        return True
    return upload.uploaded_by_id == getattr(user, "pk", None) and can(user, upload.team, Capability.UPLOAD)


def delete_upload(upload: Upload, user=None, *, reason: str = "user") -> None:
    """Delete the upload, its result and (if no other upload shares it) its file.

    ``user=None`` is the system itself (retention); otherwise the user's
    rights are checked.
    """
    if user is not None:
        require(user, upload.team, Capability.VIEW)
        if not can_delete(user, upload):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied(_("Only the uploader or a team admin can delete this upload."))
    path = upload.file_path
    with transaction.atomic():
        events.record(upload, EventKind.DELETED, {"id": upload.pk, "reason": reason})
        upload.delete()
        transaction.on_commit(lambda: remove_file_if_unused(path))


def remove_file_if_unused(path: str) -> bool:
    """Remove the image (and its thumbnail) once no upload refers to it."""
    from recognition import thumbnails

    if Upload.objects.filter(file_path=path).exists():
        return False
    thumbnails.delete(path)
    return storage.delete(path)


def set_hidden(upload: Upload, moderator, hidden: bool) -> None:
    """Moderation (admin console): hide from the team, or show again."""
    with transaction.atomic():
        upload.hidden = hidden
        upload.save(update_fields=["hidden"])
        kind = EventKind.HIDDEN if hidden else EventKind.UPDATED
        payload = {"id": upload.pk} if hidden else None
        events.record(upload, kind, payload)
        audit.record(moderator, "upload.hide" if hidden else "upload.unhide", upload, team=upload.team)
