"""Reads of uploads, results and the event outbox, written once.

Writes live in ``recognition.services``; everything that shows an upload,
its text or the team's events (pages, API, live feed, webhooks, exports,
bulk import) reads through these functions.
"""

from __future__ import annotations

from collections.abc import Iterable

from recognition.models import FINISHED_STATUSES, Event, Result, Upload, UploadQuerySet, UploadStatus

# Lines of the text the feed and the upload list show.
PREVIEW_LINES = 3


def done_result(upload: Upload) -> Result | None:
    """The upload's result while it is done (a re-queued upload's old result
    is never shown)."""
    return getattr(upload, "result", None) if upload.status == UploadStatus.DONE else None


def preview(upload: Upload) -> str | None:
    """The first lines of the text; None while there is no result."""
    result = done_result(upload)
    return "\n".join(result.text.splitlines()[:PREVIEW_LINES]) if result else None


def visible_uploads(user) -> UploadQuerySet:
    """Uploads of the user's teams (not moderator-hidden), with what every
    page and answer about one shows loaded."""
    return Upload.objects.for_user(user).select_related("team", "uploaded_by", "result").prefetch_related("tags")


def finished_ids(upload_ids: Iterable[int]) -> set[int]:
    """Which of these uploads are done or failed."""
    return set(Upload.objects.filter(pk__in=upload_ids, status__in=FINISHED_STATUSES).values_list("pk", flat=True))


def events_after(after: int, limit: int, team_id: int | None = None) -> list[Event]:
    """Outbox events after id ``after`` (of one team, or of all), oldest first."""
    rows = Event.objects.filter(id__gt=after) if team_id is None else Event.objects.filter(team_id=team_id, id__gt=after)
    return list(rows.order_by("id")[:limit])


def last_event_id(team_id: int | None = None) -> int:
    """The newest outbox id (of one team, or of all); 0 when there is none."""
    rows = Event.objects.all() if team_id is None else Event.objects.filter(team_id=team_id)
    return rows.order_by("-id").values_list("id", flat=True).first() or 0
