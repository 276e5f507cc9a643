"""Team quotas: how many uploads a team may have waiting or being read at
once, and how many bytes of uploads it may keep.

The limits are the team's own (``Team.max_queued_uploads``,
``Team.max_stored_bytes``) or the deployment's (``OCRSPACE_TEAM_MAX_QUEUED``,
``OCRSPACE_TEAM_MAX_STORED_BYTES``); 0 is unlimited. ``services.create_upload``
is the one place uploads enter, so it is the one place they are checked:
after deduplication (an image the team already has adds nothing and is
always answered), before anything is stored, and again under the team's
row lock in the transaction that writes the upload, so concurrent uploads
cannot together pass a limit each of them respects alone.

A full queue drains on its own (429 with Retry-After); full storage does not
(413: delete uploads, or ask the server's administrators for more).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from ocrspace.errors import DomainError
from recognition.models import Upload, UploadStatus
from teams.models import Team

# What a refused client is told to wait: a worker reads an image in a few
# seconds, so half a minute frees room for some uploads in most queues.
QUEUE_RETRY_SECONDS = 30
IN_QUEUE = (UploadStatus.QUEUED, UploadStatus.PROCESSING)


class QuotaExceeded(DomainError):
    """A team quota refuses the upload; ``extra["quota"]`` says which limit
    and the numbers."""


@dataclass(frozen=True)
class Usage:
    queued: int        # uploads waiting or being read
    stored_bytes: int  # the sum of the team's upload file sizes


def usage(team: Team) -> Usage:
    """What ``team`` uses now (hidden uploads included: they are stored and
    read all the same)."""
    row = Upload.objects.filter(team=team).aggregate(
        queued=Count("pk", filter=Q(status__in=IN_QUEUE)), stored=Sum("byte_size"))
    return Usage(queued=row["queued"], stored_bytes=row["stored"] or 0)


def usage_by_team() -> dict[int, Usage]:
    """Every team's usage at once (the admin's queue view), by team id."""
    rows = Upload.objects.values("team_id").annotate(
        queued=Count("pk", filter=Q(status__in=IN_QUEUE)), stored=Sum("byte_size")).order_by()
    return {row["team_id"]: Usage(row["queued"], row["stored"] or 0) for row in rows}


def _queued(team: Team) -> int:
    return Upload.objects.filter(team=team, status__in=IN_QUEUE).count()


def _stored_bytes(team: Team) -> int:
    return Upload.objects.filter(team=team).aggregate(total=Sum("byte_size"))["total"] or 0


def check_upload(team: Team, size: int) -> None:
    """Refuse a new upload of ``size`` bytes that would take ``team`` past
    one of its quotas. Storage is checked first: waiting does not help there.

    Counts only what the limits set ask for (an unlimited team costs no
    query). Inside a transaction that holds the team's row lock (see
    ``lock_team``) the answer stays true until the transaction commits."""
    check_storage(team, size)
    check_queue(team)


def check_storage(team: Team, size: int) -> None:
    limit = team.stored_bytes_limit
    if not limit:
        return
    stored = _stored_bytes(team)
    if stored + size <= limit:
        return
    raise QuotaExceeded(
        _("Team “%(team)s” stores %(stored)s of its %(limit)s storage quota; this file of %(size)s does not fit. "
          "Delete uploads, or ask the server's administrators for a larger quota.")
        % {"team": team.name, "stored": size_label(stored), "limit": size_label(limit), "size": size_label(size)},
        "storage_quota_exceeded",
        extra={"quota": {"limit": "stored_bytes", "max": limit, "current": stored, "requested": size}},
    )


def check_queue(team: Team) -> None:
    limit = team.queued_limit
    if not limit:
        return
    queued = _queued(team)
    if queued < limit:
        return
    error = QuotaExceeded(
        _("Team “%(team)s” has %(queued)s uploads waiting or being read, as many as its quota of %(limit)s allows; "
          "try again when some are done.") % {"team": team.name, "queued": queued, "limit": limit},
        "queue_quota_exceeded",
        extra={"quota": {"limit": "queued_uploads", "max": limit, "current": queued}},
    )
    error.retry_after = QUEUE_RETRY_SECONDS
    raise error


def lock_team(team: Team) -> None:
    """Take ``team``'s row lock for the rest of the transaction, so quota
    checks of concurrent uploads to it run one after the other (PostgreSQL;
    SQLite's write transactions, begun IMMEDIATE, are one at a time anyway,
    and Django drops FOR UPDATE there: the query would lock nothing, so it
    is not sent)."""
    if connection.features.has_select_for_update:
        Team.objects.select_for_update().filter(pk=team.pk).values_list("pk", flat=True).first()


def limited(team: Team) -> bool:
    return bool(team.queued_limit or team.stored_bytes_limit)


def size_label(n: int) -> str:
    """Bytes for people (the refusals, the admin's queue view)."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= factor:
            return f"{n / factor:.1f} {unit}"
    return f"{n} B"


@dataclass(frozen=True)
class QueueRow:
    """One team in the admin's queue view."""

    team: Team
    lanes: dict[str, tuple[int, int]]  # lane -> (waiting, being read)
    usage: Usage

    @property
    def queue_full(self) -> bool:
        return bool(self.team.queued_limit) and self.usage.queued >= self.team.queued_limit

    @property
    def storage_full(self) -> bool:
        return bool(self.team.stored_bytes_limit) and self.usage.stored_bytes >= self.team.stored_bytes_limit


def queue_report() -> list[QueueRow]:
    """Every team with uploads: its queue per lane, its usage and its
    limits, the fullest queues first (the admin's queue depth view)."""
    from recognition.models import Lane

    depth: dict[int, dict[str, tuple[int, int]]] = {}
    rows = (
        Upload.objects.filter(status__in=IN_QUEUE).values("team_id", "lane")
        .annotate(waiting=Count("pk", filter=Q(status=UploadStatus.QUEUED)),
                  processing=Count("pk", filter=Q(status=UploadStatus.PROCESSING)))
        .order_by()
    )
    for row in rows:
        depth.setdefault(row["team_id"], {})[row["lane"]] = (row["waiting"], row["processing"])
    used = usage_by_team()
    teams = Team.objects.filter(pk__in=used).order_by("name", "pk")
    report = [
        QueueRow(team, {lane: depth.get(team.pk, {}).get(lane, (0, 0)) for lane in Lane.values}, used[team.pk])
        for team in teams
    ]
    return sorted(report, key=lambda row: -row.usage.queued)
