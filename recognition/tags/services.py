"""Changing a team's tags and the tags of its uploads.

Members (and admins, owners) make tags and put them on uploads, also while
uploading; renaming, recolouring and deleting a team's tag is for admins and
owners, since it changes every upload that carries it. A change of an
upload's tags is announced on the team feed (``upload.tagged``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ocrspace.errors import DomainError, NotFound
from recognition import events
from recognition.filters import TAG_NAME_LENGTH
from recognition.models import EventKind, Tag, TagColour, Upload
from teams.models import Team
from teams.permissions import require
from teams.roles import Capability

MAX_TAGS_PER_TEAM = 500
MAX_TAGS_PER_REQUEST = 20


class TagRefused(DomainError):
    code = "tag_refused"


# Controls, spaces and invisible formatting marks (bidi overrides, zero
# widths): never part of a name. Written with \x and \u escapes only, so the
# schema's pattern means the same to every regex engine that reads it.
_NOT_NAME = "\\x00-\\x20\\x7f-\\xa0\\u1680\\u180e\\u2000-\\u200f\\u2028-\\u202f\\u205f-\\u206f\\u3000\\ufeff"
NOT_NAME = re.compile(f"[{_NOT_NAME}]")
# The schema's pattern: at least one character of a name.
NAME_PATTERN = re.compile(f"[^{_NOT_NAME}]")


def clean_name(name) -> str:
    """Controls and invisible marks become spaces, whitespace is collapsed;
    at most 40 characters, at least one of them visible."""
    if not isinstance(name, str):
        raise TagRefused(_("A tag name must be text."))
    if len(name) > TAG_NAME_LENGTH:
        raise TagRefused(_("The tag name “%(name)s…” is longer than %(limit)s characters.")
                         % {"name": name[:20], "limit": TAG_NAME_LENGTH})
    cleaned = " ".join(NOT_NAME.sub(" ", name).split())
    if not NAME_PATTERN.search(cleaned):
        raise TagRefused(_("A tag name may not be empty."))
    return cleaned


def clean_names(names: Iterable[str]) -> list[str]:
    """Each name cleaned, repeats dropped, at most 20 (checked before anything is written)."""
    cleaned: list[str] = []
    for name in names:
        name = clean_name(name)
        if name.casefold() not in (c.casefold() for c in cleaned):
            cleaned.append(name)
    if len(cleaned) > MAX_TAGS_PER_REQUEST:
        raise TagRefused(_("At most %(limit)s tags at once.") % {"limit": MAX_TAGS_PER_REQUEST})
    return cleaned


def _colour(colour: str | None) -> str:
    if colour in (None, ""):
        return TagColour.GREY
    if colour not in TagColour.values:
        raise TagRefused(_("Unknown colour “%(colour)s”; choose one of %(names)s.")
                         % {"colour": str(colour)[:20], "names": ", ".join(TagColour.values)})
    return colour


def _by_name(team: Team, name: str) -> Tag | None:
    return Tag.objects.filter(team=team, name__iexact=name).first()


def create_tag(team: Team, user, name: str, colour: str | None = None) -> Tag:
    require(user, team, Capability.ORGANISE)
    name, colour = clean_name(name), _colour(colour)
    if _by_name(team, name) is not None:
        raise TagRefused(_("The team already has a tag “%(name)s”.") % {"name": name})
    if Tag.objects.filter(team=team).count() >= MAX_TAGS_PER_TEAM:
        raise TagRefused(_("A team has at most %(limit)s tags.") % {"limit": MAX_TAGS_PER_TEAM})
    try:
        with transaction.atomic():
            return Tag.objects.create(team=team, name=name, colour=colour, created_by=user)
    except IntegrityError:
        raise TagRefused(_("The team already has a tag “%(name)s”.") % {"name": name}) from None


def _team_tag(team: Team, pk: int) -> Tag:
    tag = Tag.objects.filter(team=team, pk=pk).first()
    if tag is None:
        raise NotFound(_("No such tag in this team."))
    return tag


def update_tag(team: Team, user, pk: int, name: str | None = None, colour: str | None = None) -> Tag:
    require(user, team, Capability.MANAGE_TEAM)
    tag = _team_tag(team, pk)
    if name is not None:
        name = clean_name(name)
        other = _by_name(team, name)
        if other is not None and other.pk != tag.pk:
            raise TagRefused(_("The team already has a tag “%(name)s”.") % {"name": name})
        tag.name = name
    if colour is not None:
        tag.colour = _colour(colour)
    tag.save()
    return tag


def delete_tag(team: Team, user, pk: int) -> None:
    require(user, team, Capability.MANAGE_TEAM)
    _team_tag(team, pk).delete()


def resolve(team: Team, user, names: Iterable[str], *, create: bool = True) -> list[Tag]:
    """The team's tags of these names (any case); missing ones are made
    (``create``) or refused."""
    require(user, team, Capability.ORGANISE)
    tags = []
    for name in clean_names(names):
        tag = _by_name(team, name)
        if tag is None:
            if not create:
                raise TagRefused(_("The team has no tag “%(name)s”.") % {"name": name})
            try:
                tag = create_tag(team, user, name)
            except TagRefused:
                tag = _by_name(team, name)  # made meanwhile by someone else
                if tag is None:
                    raise
        tags.append(tag)
    return tags


def _changed(upload: Upload) -> None:
    # The feed summary reads the tags again, not a list loaded earlier.
    getattr(upload, "_prefetched_objects_cache", {}).pop("tags", None)
    events.record(upload, EventKind.TAGGED)


def change_tags(upload: Upload, user, add: Iterable[Tag] = (), remove: Iterable[Tag] = ()) -> bool:
    """Put ``add`` on the upload and take ``remove`` off; True when
    something changed (then the team feed hears of it)."""
    require(user, upload.team, Capability.ORGANISE)
    add = [t for t in add if t.team_id == upload.team_id]
    remove = [t for t in remove if t.team_id == upload.team_id]
    with transaction.atomic():
        current = set(Tag.uploads.through.objects.filter(upload_id=upload.pk).values_list("tag_id", flat=True))
        new = [t for t in add if t.pk not in current]
        gone = [t for t in remove if t.pk in current]
        if new:
            Tag.uploads.through.objects.bulk_create(
                [Tag.uploads.through(tag_id=t.pk, upload_id=upload.pk) for t in new], ignore_conflicts=True)
        if gone:
            Tag.uploads.through.objects.filter(upload_id=upload.pk, tag_id__in=[t.pk for t in gone]).delete()
        if new or gone:
            _changed(upload)
    return bool(new or gone)


def set_tags(upload: Upload, user, names: Iterable[str]) -> list[Tag]:
    """The upload carries exactly these tags (made when missing)."""
    wanted = resolve(upload.team, user, names)
    current = list(upload.tags.all())
    change_tags(upload, user, add=wanted, remove=[t for t in current if t.pk not in {w.pk for w in wanted}])
    return sorted(wanted, key=lambda t: t.name.casefold())


def tag_new_upload(upload: Upload, user, names: Iterable[str]) -> None:
    """Tags asked for while uploading (UI, API, ZIP, hot folder): added to
    the upload, new or found again."""
    names = list(names)
    if names:
        change_tags(upload, user, add=resolve(upload.team, user, names))
