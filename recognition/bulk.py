"""Bulk actions: one request for a whole selection of a team's uploads.

A selection is a list of ids or "every upload matching" a filter (the query
string of ``recognition.filters``, the same one the page shows). Each action
goes through the service that does it for one upload, with its permission
rules: tagging through ``recognition.tags.services``, pinning, re-reading
and deleting through ``recognition.services`` (members delete their own
uploads, admins anyone's), exporting through ``recognition.export``. A role
that may not do the action at all is refused before anything changes; an
upload the requester may not change (another member's, for a delete) is
left alone and reported in the summary, with the others done.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ocrspace.errors import DomainError, Forbidden, NotFound
from recognition import filters, services
from recognition.export import MAX_IDS, UnknownUploads
from recognition.models import Upload, UploadStatus
from recognition.tags import services as tag_services
from teams.models import Team
from teams.permissions import require
from teams.roles import Capability

ACTIONS = ("tag", "untag", "pin", "unpin", "rerun", "delete", "export")
# What the role must allow before the action starts at all.
NEEDS = {
    "tag": Capability.ORGANISE, "untag": Capability.ORGANISE,
    "pin": Capability.UPLOAD, "unpin": Capability.UPLOAD, "rerun": Capability.UPLOAD,
    "delete": Capability.UPLOAD, "export": Capability.VIEW,
}
MAX_SELECTION = MAX_IDS


class BulkRefused(DomainError):
    code = "bulk_refused"


@dataclass
class Summary:
    """What a bulk action did: ``changed`` uploads, ``unchanged`` ones
    (already so), and ``refused`` ones with the reason."""

    action: str
    selected: int = 0
    changed: int = 0
    unchanged: int = 0
    refused: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"action": self.action, "selected": self.selected, "changed": self.changed,
                "unchanged": self.unchanged, "refused": self.refused}


def select(team: Team, user, ids: list[int] | None = None, matching: str | None = None) -> QuerySet[Upload]:
    """The team's uploads the selection names, newest first: ``ids`` (every
    one must be an upload of the team) or ``matching`` (a filter's query
    string; empty: the whole team)."""
    require(user, team, Capability.VIEW)
    if (ids is None) == (matching is None):
        raise BulkRefused(_("Select uploads by their ids or by a filter (“all matching”), not both or neither."))
    if ids is not None:
        ids = sorted(set(ids))
        if not ids:
            raise BulkRefused(_("No upload is selected."))
        if len(ids) > MAX_SELECTION:
            raise BulkRefused(_("At most %(limit)s uploads at once.") % {"limit": MAX_SELECTION})
        uploads = filters.team_uploads(team, filters.UploadFilter()).filter(pk__in=ids)
        missing = sorted(set(ids) - set(uploads.values_list("pk", flat=True)))
        if missing:
            shown = ", ".join(map(str, missing[:20])) + (" …" if len(missing) > 20 else "")
            raise UnknownUploads(_("No such upload in this team: %(ids)s.") % {"ids": shown})
        return uploads
    uploads = filters.team_uploads(team, filters.parse(matching))
    if uploads.count() > MAX_SELECTION:
        raise BulkRefused(_("More than %(limit)s uploads match; narrow the filter.") % {"limit": MAX_SELECTION})
    return uploads


def prepare(team: Team, user, action: str, *, tags=(), profile: str | None = None):
    """Check the action and its options before anything changes; returns
    the resolved option (tags or profile)."""
    if action not in ACTIONS:
        raise BulkRefused(_("Unknown action “%(action)s”; choose one of %(names)s.")
                          % {"action": str(action)[:20], "names": ", ".join(ACTIONS)})
    require(user, team, NEEDS[action])
    if action in ("tag", "untag"):
        names = tag_services.clean_names(tags)
        if not names:
            raise BulkRefused(_("Name the tag to put on or take off."))
        return tag_services.resolve(team, user, names, create=action == "tag")
    if action == "rerun":
        return services.resolve_profile(team, profile) if profile else None
    return None


def run(team: Team, user, action: str, uploads: QuerySet[Upload], *, tags=(), profile: str | None = None) -> Summary:
    """Do ``action`` (not ``export``, which the caller streams) on every upload of the selection."""
    option = prepare(team, user, action, tags=tags, profile=profile)
    if action == "export":
        raise BulkRefused(_("An export is a download; ask for it with the export format."))
    summary = Summary(action)
    for upload in list(uploads):
        summary.selected += 1
        try:
            changed = _one(upload, user, action, option)
        except (Forbidden, NotFound, DomainError) as error:
            summary.refused.append({"id": upload.pk, "name": upload.original_name, "reason": error.message})
            continue
        if changed:
            summary.changed += 1
        else:
            summary.unchanged += 1
    return summary


def _one(upload: Upload, user, action: str, option) -> bool:
    if action == "tag":
        return tag_services.change_tags(upload, user, add=option)
    if action == "untag":
        return tag_services.change_tags(upload, user, remove=option)
    if action in ("pin", "unpin"):
        wanted = action == "pin"
        if upload.pinned == wanted:
            return False
        services.set_pinned(upload, user, wanted)
        return True
    if action == "rerun":
        if upload.status in (UploadStatus.QUEUED, UploadStatus.PROCESSING):
            return False
        services.rerun(upload, user, option)
        return True
    if action == "delete":
        services.delete_upload(upload, user)
        return True
    raise BulkRefused(f"Unknown action {action!r}.")
