"""Scheduled upkeep: retention, stale-task sweeping and orphan files."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from recognition import events, lanes, processing, purge, services, storage
from recognition.models import Event, EventKind, Upload, UploadStatus
from teams.models import Team

log = logging.getLogger(__name__)


@dataclass
class RetentionReport:
    uploads: int = 0
    files: int = 0
    orphans: list[str] = field(default_factory=list)
    events: int = 0


# Uploads deleted per transaction (and per ``uploads.expired`` event): large
# enough that 100,000 expired uploads are a few hundred commits, small enough
# that a batch's locks and its event's payload stay short.
RETENTION_BATCH = 500


def apply_retention(now=None, batch_size: int = RETENTION_BATCH) -> RetentionReport:
    """Delete unpinned uploads older than their team's retention (rows and
    files), files no upload refers to, and old outbox events."""
    now = now or timezone.now()
    report = RetentionReport()
    for team in Team.objects.all():
        report.uploads += expire_uploads(team, now, batch_size)
    report.orphans = remove_orphan_files()
    report.files = len(report.orphans)
    keep_events_days = max(Team.objects.order_by("-retention_days").values_list("retention_days", flat=True).first() or 0, 1)
    report.events, _ = Event.objects.filter(created_at__lt=now - timezone.timedelta(days=keep_events_days)).delete()
    log.info("Retention: %s upload(s), %s orphan file(s), %s old event(s) removed", report.uploads, report.files, report.events)
    return report


def expire_uploads(team: Team, now, batch_size: int = RETENTION_BATCH) -> int:
    """Delete ``team``'s expired uploads ``batch_size`` at a time; returns how many.

    Each batch is one transaction with one ``uploads.expired`` event naming
    its ids (the live feed drops them all at once); files are removed after
    the commit, and only those no remaining upload refers to. A batch that
    fails rolls back alone: the batches before it stay deleted.
    """
    removed = 0
    while True:
        with transaction.atomic():
            # Oldest first, through the (team, created_at) index, locked as
            # they are read: PostgreSQL checks a row updated meanwhile
            # against the conditions again, so one pinned meanwhile is kept.
            rows = list(Upload.objects.expired_in(team, now).order_by("created_at", "pk").select_for_update()
                        .values_list("pk", "file_path")[:batch_size])
            if not rows:
                return removed
            deleted = [pk for pk, _ in rows]
            purge.delete_uploads(deleted)
            events.record_batch(team.pk, EventKind.EXPIRED,
                                {"ids": deleted, "count": len(deleted), "reason": "retention"})
            paths = sorted({path for _, path in rows})
            transaction.on_commit(lambda paths=paths: remove_unused_files(paths))
        log.info("Retention: deleted %s upload(s) of team %s (ids %s…%s)", len(deleted), team.slug,
                 min(deleted), max(deleted))
        removed += len(deleted)


def remove_unused_files(paths: list[str]) -> int:
    """Remove the files (and thumbnails) of ``paths`` that no upload refers
    to any more: one indexed query for the whole batch."""
    still_used = set(Upload.objects.filter(file_path__in=paths).values_list("file_path", flat=True))
    return sum(services.remove_file(path) for path in paths if path not in still_used)


def remove_orphan_files() -> list[str]:
    """Remove stored files that no upload refers to (and stale temp files)."""
    referenced = set(Upload.objects.values_list("file_path", flat=True))
    removed = []
    for path in storage.all_files():
        if path not in referenced and storage.delete(path):
            log.info("Retention: removed orphan file %s", path)
            removed.append(path)
    from recognition import thumbnails

    wanted = {thumbnails.path_for(path) for path in referenced}
    for path in storage.all_thumbnails():
        if path not in wanted and storage.delete(path):
            log.info("Retention: removed orphan thumbnail %s", path)
            removed.append(path)
    for temp in storage.stale_temporary_files(older_than_seconds=3600):
        temp.unlink(missing_ok=True)
    return removed


def sweep_stale(now=None) -> dict[str, int]:
    """Recover uploads whose task was lost (worker killed, broker restarted).

    A ``processing`` upload older than the task timeout lost its worker;
    a ``queued`` one waiting much longer than the retry interval lost its
    message (the Redis broker has no acknowledgements). Both are queued
    again, up to ``max_attempts``; then they fail with a message. Duplicate
    deliveries are harmless: the task claims an upload atomically.
    """
    now = now or timezone.now()
    cluster = settings.Q_CLUSTER
    stale_processing = now - timezone.timedelta(seconds=cluster["timeout"] + 30)
    stale_queued = now - timezone.timedelta(seconds=cluster["retry"] * 2)
    counts = {"requeued": 0, "failed": 0}
    candidates = Upload.objects.filter(
        status=UploadStatus.PROCESSING, started_at__lt=stale_processing
    ) | Upload.objects.filter(status=UploadStatus.QUEUED, enqueued_at__lt=stale_queued)
    for upload in candidates:
        if upload.attempts >= cluster["max_attempts"]:
            processing.fail(upload.pk, "Recognition did not finish after several attempts; try re-running it.")
            counts["failed"] += 1
        else:
            Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.QUEUED, enqueued_at=now)
            services.enqueue(upload.pk)
            counts["requeued"] += 1
    if any(counts.values()):
        log.warning("Sweeper: %s", counts)
    counts["dispatched"] = lanes.dispatch()  # in case a dispatch was lost with its worker
    return counts


def requeue_waiting() -> int:
    """Queue every waiting upload again; run when a worker cluster starts.

    A cluster that was stopped took the messages it had already fetched with
    it: lost with the Redis broker (no acknowledgements), locked for ``retry``
    seconds with the ORM broker. Their uploads would wait for the sweeper,
    many minutes. Sending them again is safe: a task claims its upload
    atomically, so a second message for the same upload does nothing.
    """
    waiting = list(Upload.objects.filter(status=UploadStatus.QUEUED, hidden=False, enqueued_at__isnull=False)
                   .values_list("pk", flat=True))
    for upload_id in waiting:
        services.enqueue(upload_id)
    if waiting:
        log.info("Cluster start: %s waiting upload(s) queued again", len(waiting))
    return len(waiting) + lanes.dispatch()
