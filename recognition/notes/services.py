"""Writing and deleting notes, and marking notifications read.

A note is team data: members (and admins, owners) write them, every member
reads them, the author or an admin deletes one, and they go with their
upload. ``@username`` names a member of the team: that member gets a
notification (and an e-mail when mail is configured). The team feed hears
of every note (``upload.noted``), so a mentioned member's page shows it at
once.
"""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ocrspace.errors import DomainError, Forbidden, NotFound
from recognition import events
from recognition.models import EventKind, Note, Notification, Upload
from recognition.representation import feed_summary
from teams import audit
from teams.models import Membership
from teams.permissions import can, require
from teams.roles import Capability

MAX_NOTE_CHARS = 4000
MAX_MENTIONS = 20
# A username as Django allows it (letters, digits, @ . + - _), after an @
# that does not follow a word character (so "mail@example.com" mentions nobody).
MENTION = re.compile(r"(?<![\w@.+-])@([\w.@+-]+)")


class NoteRefused(DomainError):
    code = "note_refused"


def mentioned_names(body: str) -> list[str]:
    """The usernames ``@``-mentioned in ``body``, in order, each once (a
    trailing full stop or comma is punctuation, not part of the name)."""
    names: list[str] = []
    for match in MENTION.finditer(body):
        name = match.group(1).rstrip(".,")
        if name and name not in names:
            names.append(name)
    return names


def _clean(body) -> str:
    if not isinstance(body, str):
        raise NoteRefused(_("A note must be text."))
    if "\x00" in body:
        raise NoteRefused(_("The note contains a NUL character."))
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise NoteRefused(_("The note is empty."))
    if len(body) > MAX_NOTE_CHARS:
        raise NoteRefused(_("The note is longer than %(limit)s characters.") % {"limit": MAX_NOTE_CHARS})
    return body


def _record(upload: Upload, note: Note, mentioned: list[str], removed: bool = False) -> None:
    payload = feed_summary(upload)
    payload.update({"note_id": note.pk, "note_removed": removed, "author": note.author_name,
                    "mentioned": mentioned})
    events.record(upload, EventKind.NOTED, payload)


def add_note(upload: Upload, user, body: str) -> Note:
    """Save the note; members it mentions get a notification."""
    require(user, upload.team, Capability.ORGANISE)
    body = _clean(body)
    names = mentioned_names(body)[:MAX_MENTIONS]
    members = list(
        get_user_model().objects.filter(
            pk__in=Membership.objects.filter(team=upload.team).values("user_id"), username__in=names, is_active=True,
        ).exclude(pk=user.pk)
    )
    with transaction.atomic():
        note = Note.objects.create(upload=upload, author=user, author_name=user.get_username(), body=body)
        Notification.objects.bulk_create([Notification(user=m, team=upload.team, note=note) for m in members])
        _record(upload, note, sorted(m.get_username() for m in members))
        if members:
            from recognition.notes import mail

            transaction.on_commit(lambda: mail.send_mentions(note.pk), robust=True)
    return note


def delete_note(upload: Upload, user, note_id: int) -> None:
    """The author (still a member who may write notes) or an admin deletes it."""
    require(user, upload.team, Capability.VIEW)
    note = Note.objects.filter(upload=upload, pk=note_id).first()
    if note is None:
        raise NotFound(_("No such note on this upload."))
    own = note.author_id == user.pk and can(user, upload.team, Capability.ORGANISE)
    if not own and not can(user, upload.team, Capability.MODERATE):
        raise Forbidden(_("Only the note's author or a team admin can delete it."))
    with transaction.atomic():
        _record(upload, note, [], removed=True)
        audit.record(user, "note.delete", note, team=upload.team, upload=upload.pk, author=note.author_name)
        note.delete()


def mark_read(user, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (the given ones, or all); how many changed."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=timezone.now())
