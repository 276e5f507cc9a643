"""Reads of a team's tags."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from recognition.models import Tag
from teams.models import Team


def tags_of(team: Team) -> QuerySet[Tag]:
    """The team's tags by name, each with ``upload_count`` (uploads not hidden by a moderator)."""
    counted = Count("uploads", filter=Q(uploads__hidden=False))
    return Tag.objects.filter(team=team).annotate(upload_count=counted).order_by("name", "id")


def tag_dicts(upload) -> list[dict]:
    """The upload's tags as the feed, the exports and the API show them."""
    return [{"id": t.pk, "name": t.name, "colour": t.colour}
            for t in sorted(upload.tags.all(), key=lambda t: t.name.casefold())]
