"""Fair lanes: what a person waits for goes before batches, and batches of
different teams take turns.

Uploads from the browser, the API, ``/ocr/recognize``, the share target and
region saves are *interactive*: they go to the task queue at once. Uploads
from ZIP archives, the hot folder and the bulk import are *bulk*: they wait
in the database (``lane="bulk"``, no ``enqueued_at``) and ``dispatch`` hands
them to the queue a few at a time, never more than
``OCRSPACE_BULK_IN_FLIGHT`` (default: the workers of a cluster) at once, the
next one from the team whose bulk work was handed out longest ago.

So a 20,000-image import by one team puts at most that many images ahead of
another team's single upload (which goes straight to the queue), and another
team's bulk job waits at most one image per turn. The queue itself stays
plain django-q2; ``dispatch`` runs after a bulk upload is stored, after every
task a worker finishes, when a cluster starts and from the sweeper's
schedule, and is safe to run anywhere at any time.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from recognition.models import Lane, Upload, UploadStatus

log = logging.getLogger(__name__)
# Any fixed number: PostgreSQL's advisory lock that makes dispatchers take turns.
DISPATCH_LOCK = 7_360_418


def lane_for(source: str) -> str:
    """The lane of uploads from ``source`` (a ``recognition.ingest.Source`` value)."""
    return Lane.BULK if source in settings.OCRSPACE_BULK_SOURCES else Lane.INTERACTIVE


def waiting() -> "models.QuerySet[Upload]":  # noqa: F821 - for the reader
    """Bulk uploads not yet handed to the queue."""
    return Upload.objects.filter(lane=Lane.BULK, status=UploadStatus.QUEUED, enqueued_at__isnull=True, hidden=False)


def in_flight() -> int:
    """Bulk uploads in the queue or being read."""
    return Upload.objects.filter(
        lane=Lane.BULK, status__in=(UploadStatus.QUEUED, UploadStatus.PROCESSING), enqueued_at__isnull=False,
    ).count()


def _next_team() -> int | None:
    """The waiting team whose bulk work was handed out longest ago; teams
    never served yet come first, the one waiting longest before the others."""
    oldest = dict(waiting().values_list("team_id").annotate(first=Min("created_at")).values_list("team_id", "first"))
    if not oldest:
        return None
    last = dict(
        Upload.objects.filter(lane=Lane.BULK, team_id__in=oldest, enqueued_at__isnull=False)
        .values_list("team_id").annotate(last=Max("enqueued_at")).values_list("team_id", "last")
    )
    return min(oldest, key=lambda team: (team in last, last.get(team) or oldest[team], oldest[team], team))


def dispatch() -> int:
    """Hand waiting bulk uploads to the queue while there is room; returns
    how many were handed out."""
    from recognition import services

    sent: list[int] = []
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DISPATCH_LOCK])
        room = settings.OCRSPACE_BULK_IN_FLIGHT - in_flight()
        while room > 0:
            team = _next_team()
            if team is None:
                break
            upload_id = waiting().filter(team_id=team).order_by("created_at", "pk").values_list("pk", flat=True).first()
            # Distinct microseconds keep the turn order exact within one call.
            if Upload.objects.filter(pk=upload_id, enqueued_at__isnull=True).update(enqueued_at=timezone.now()):
                sent.append(upload_id)
                room -= 1
        for upload_id in sent:
            transaction.on_commit(lambda upload_id=upload_id: services.enqueue(upload_id), robust=True)
    if sent:
        log.debug("Bulk lane: %s handed to the queue", sent)
    return len(sent)


def depth() -> list[dict]:
    """Uploads waiting per team and lane (the admin's queue view)."""
    from django.db.models import Count, Q

    rows = (
        Upload.objects.filter(status__in=(UploadStatus.QUEUED, UploadStatus.PROCESSING))
        .values("team__slug", "lane")
        .annotate(waiting=Count("pk", filter=Q(status=UploadStatus.QUEUED)),
                  processing=Count("pk", filter=Q(status=UploadStatus.PROCESSING)))
        .order_by("team__slug", "lane")
    )
    return list(rows)
