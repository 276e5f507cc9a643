"""Upload domain logic: create (with dedup), re-run, pin, delete, hide.

Browser views, the REST API, the ZIP import and the folder watcher call these
functions; permission checks live here too, so no path into the system can
skip them. What the worker does to an upload (claim, complete, fail, release)
is in ``recognition.processing``.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ocrspace.errors import DomainError, Forbidden
from recognition import engine_gateway, events, lanes, quotas, storage
from recognition.models import EventKind, Lane, Result, Sighting, Tag, Upload, UploadStatus
from teams import audit
from teams.models import Team
from teams.permissions import can, require
from teams.roles import Capability

log = logging.getLogger(__name__)


class UploadRejected(DomainError):
    """The file is not acceptable; the message says why (shown to the user),
    the code what kind of refusal it is (``ocrspace.errors.codes``)."""


@dataclass(frozen=True)
class UploadOutcome:
    upload: Upload
    created: bool          # a new upload row
    deduplicated: bool     # the team already had this exact image


def _check_size(data: bytes, name: str) -> None:
    """The checks that need no parsing: refused before anything is hashed."""
    if not data:
        raise UploadRejected(_("The file “%(name)s” is empty.") % {"name": name}, "empty_file")
    if len(data) > settings.OCRSPACE_MAX_UPLOAD_BYTES:
        limit = settings.OCRSPACE_MAX_UPLOAD_BYTES // (1024 * 1024)
        raise UploadRejected(_("“%(name)s” is larger than %(limit)s MB.") % {"name": name, "limit": limit}, "file_too_large")


def _probe(data: bytes, name: str):
    """Format, size and structure from the headers (``engine_gateway.probe``)."""
    try:
        return engine_gateway.probe(data)
    except engine_gateway.ImageError as error:
        # The engine's image errors name their kind with codes of the table.
        raise UploadRejected(f"“{name}”: {error}", error.code) from error


def _clean_name(name: str) -> str:
    """Keep only the last path component: names are labels, never paths."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return "".join(ch for ch in base if ch.isprintable())[:255] or "image"


def resolve_profile(team: Team, requested: str | None = None) -> str:
    """The engine profile an upload of ``team`` is read with: the one asked
    for, else the team's, else the server's default."""
    name = (requested or "").strip() or team.ocr_profile or settings.OCRSPACE_DEFAULT_PROFILE
    if name not in settings.OCRSPACE_PROFILES:
        raise UploadRejected(_("Unknown OCR profile “%(name)s”; choose one of %(names)s.")
                             % {"name": name, "names": ", ".join(settings.OCRSPACE_PROFILES)}, "unknown_profile")
    return name


def create_upload(team: Team, user, data: bytes, name: str, profile: str | None = None,
                  lane: str = Lane.INTERACTIVE) -> UploadOutcome:
    """Validate, store and queue one image or PDF document for ``team``, to
    be read with ``profile`` (see ``resolve_profile``).

    Cheapest first: the byte checks, then the digests and the dedup lookup,
    then (for new bytes only) the header probe. The pixels are decoded by
    the worker, which fails the upload with a message when they are damaged.

    The same bytes uploaded again to the same team return the existing upload
    (and its result) at once, whatever profile is asked for: no second file,
    no second inference (re-run it to read it with another profile).
    """
    require(user, team, Capability.UPLOAD)
    profile = resolve_profile(team, profile)
    name = _clean_name(name)
    _check_size(data, name)
    md5 = hashlib.md5(data).hexdigest()
    sha256 = hashlib.sha256(data).hexdigest()

    existing = _existing(team, md5, sha256)
    if existing is not None:
        # Found again: nothing stored, nothing queued, so no quota applies.
        # Not probed either: these exact bytes passed the probe when they
        # were first accepted (a limit lowered since applies to new files).
        return _seen_again(existing, user, name)
    info = _probe(data, name)
    limited = quotas.limited(team)
    if limited:
        # Refused before anything is written; checked again below, locked.
        quotas.check_upload(team, len(data))

    image_type = info.format.lower()
    path = storage.content_path(md5, sha256, image_type)
    storage.store(data, path)
    try:
        with transaction.atomic():
            if limited:
                quotas.lock_team(team)
                quotas.check_upload(team, len(data))
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
                page_count=getattr(info, "pages", 1),
                profile=profile,
                lane=lane,
                # A bulk upload waits in its lane until lanes.dispatch hands it out.
                enqueued_at=timezone.now() if lane == Lane.INTERACTIVE else None,
            )
            _known_untagged(upload)
            events.record(upload, EventKind.CREATED)
            # robust: the upload is stored and committed by now; if the
            # broker is unreachable (Redis restarting) the error is logged,
            # the upload stays queued and the sweeper queues it again, instead
            # of a 500 for an upload that was in fact accepted.
            if lane == Lane.INTERACTIVE:
                transaction.on_commit(lambda: enqueue(upload.pk), robust=True)
            else:
                transaction.on_commit(lanes.dispatch, robust=True)
    except quotas.QuotaExceeded:
        # A concurrent upload took the room after the first check: the file
        # just stored goes again unless another upload uses the same bytes.
        remove_file_if_unused(path)
        raise
    except IntegrityError:
        # A concurrent request stored the same image first: that one wins.
        existing = _existing(team, md5, sha256)
        if existing is None:
            raise
        return _seen_again(existing, user, name)
    return UploadOutcome(upload, created=True, deduplicated=False)


def _known_untagged(upload: Upload) -> None:
    """A row just inserted has no tags: fill the tags relation's prefetch
    cache with nothing, so the feed event and the API answer do not each
    ask the database (two queries per upload). Putting tags on it
    (``tags.services.change_tags``) drops the cache again."""
    upload._prefetched_objects_cache = {"tags": Tag.objects.none()}


def _existing(team: Team, md5: str, sha256: str) -> Upload | None:
    return Upload.objects.filter(team=team).same_image(md5, sha256).select_related("result").first()


def _seen_again(upload: Upload, user, name: str) -> UploadOutcome:
    if upload.hidden:
        raise UploadRejected(_("This image was removed by a moderator."), "image_removed")
    Sighting.objects.create(upload=upload, user=user, original_name=name)
    return UploadOutcome(upload, created=False, deduplicated=True)


def enqueue(upload_id: int) -> None:
    """Hand the upload to the worker cluster (called after commit)."""
    queue_task("recognition.tasks.run_ocr", upload_id, task_name=f"ocr-upload-{upload_id}", group="ocr")


def queue_task(func: str, *args, **options) -> str:
    """``django_q.tasks.async_task``, keeping the request's connection; returns the task id.

    django-q2's ORM broker calls close_old_connections() whenever it is
    used outside a transaction, which (with CONN_MAX_AGE=0) closes this
    request's database connection in the middle of the request; the insert
    then opens a new one. On SQLite, closing the last connection to the
    file also checkpoints the WAL, so every upload paid for a close, a
    checkpoint and a reconnect. Inside a transaction the broker leaves the
    connection alone, and its single INSERT is committed the same as before.
    """
    from django_q.tasks import async_task

    if "orm" not in settings.Q_CLUSTER:
        return async_task(func, *args, **options)
    with transaction.atomic():
        return async_task(func, *args, **options)


# --- Actions on existing uploads ----------------------------------------------

def rerun(upload: Upload, user, profile: str | None = None) -> Upload:
    """Run OCR again (e.g. after an engine upgrade or a failure), with
    ``profile`` when given, else with the profile it was read with."""
    require(user, upload.team, Capability.UPLOAD)
    if profile is not None:
        profile = resolve_profile(upload.team, profile)
    if upload.status not in quotas.IN_QUEUE:
        # A reading asked for again takes a place in the queue like a new
        # upload (the moderators' and the sweeper's requeue do not).
        quotas.check_queue(upload.team)
    return requeue(upload, profile)


def requeue(upload: Upload, profile: str | None = None) -> Upload:
    """Drop the result and queue the upload again (no permission check)."""
    with transaction.atomic():
        current = Upload.objects.select_for_update().get(pk=upload.pk)
        if current.status in (UploadStatus.QUEUED, UploadStatus.PROCESSING):
            return current
        if profile:
            current.profile = profile
        current.lane = Lane.INTERACTIVE  # somebody asked for it now
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
            raise Forbidden(_("Only the uploader or a team admin can delete this upload."))
    path = upload.file_path
    with transaction.atomic():
        events.record(upload, EventKind.DELETED, {"id": upload.pk, "reason": reason})
        if user is not None:
            audit.record(user, "upload.delete", upload, team=upload.team, md5=upload.md5, name=upload.original_name,
                         uploader=upload.uploaded_by.get_username() if upload.uploaded_by else None, reason=reason)
        upload.delete()
        transaction.on_commit(lambda: remove_file_if_unused(path))


def remove_file_if_unused(path: str) -> bool:
    """Remove the image (and its thumbnail) once no upload refers to it."""
    if Upload.objects.filter(file_path=path).exists():
        return False
    return remove_file(path)


def remove_file(path: str) -> bool:
    """Remove the image and its thumbnail; the caller knows no upload refers
    to it (retention asks for a whole batch's paths in one query)."""
    from recognition import thumbnails

    try:
        thumbnails.delete(path)
        return storage.delete(path)
    except storage.StorageUnavailable as error:  # the row is gone; retention removes the orphan later
        log.warning("Could not remove %s from the storage now: %s", path, error.__cause__ or error)
        return False


def set_hidden(upload: Upload, moderator, hidden: bool) -> None:
    """Moderation (admin console): hide from the team, or show again."""
    with transaction.atomic():
        upload.hidden = hidden
        upload.save(update_fields=["hidden"])
        kind = EventKind.HIDDEN if hidden else EventKind.UPDATED
        payload = {"id": upload.pk} if hidden else None
        events.record(upload, kind, payload)
        audit.record(moderator, "upload.hide" if hidden else "upload.unhide", upload, team=upload.team)
