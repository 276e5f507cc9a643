"""Reads of notes and of a user's notifications."""

from __future__ import annotations

from django.db.models import QuerySet

from recognition.models import Note, Notification, Upload
from teams.models import Team


def notes_of(upload: Upload) -> QuerySet[Note]:
    """The upload's notes, oldest first (the caller has checked the view right)."""
    return Note.objects.filter(upload=upload).select_related("author").order_by("created_at", "id")


def notifications_of(user, unread: bool = False) -> QuerySet[Notification]:
    """The user's notifications of teams they still belong to, about uploads
    still visible, newest first."""
    rows = Notification.objects.filter(
        user=user, team__in=Team.objects.for_user(user), note__upload__hidden=False,
    ).select_related("team", "note", "note__upload")
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-id")


def unread_count(user) -> int:
    return notifications_of(user, unread=True).count()
