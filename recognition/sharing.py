"""Read-only share links: one upload's image, text and exports for someone
outside the team, until the link expires or is revoked.

A member makes a link (``create``) and sees it once; only the SHA-256 of its
256-bit random token is stored. ``open_link`` is the only way from a token to
an upload: it answers for that one upload and nothing else, counts the view,
and refuses an unknown, expired or revoked link, or one whose team switched
sharing off (``Team.allow_sharing``), all alike (404), so a link tells a
stranger nothing about why it stopped. The link's creator and the team's
admins list and revoke a team's links.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ocrspace.errors import Forbidden, Invalid, NotFound
from recognition.models import ShareLink, Upload, UploadStatus
from teams.permissions import can, require
from teams.roles import Capability

EXPIRY_DAYS = (1, 7, 30, 90)
MAX_ACTIVE_PER_UPLOAD = 20


class SharingRefused(Invalid):
    code = "sharing_refused"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _shareable(upload: Upload, user) -> None:
    require(user, upload.team, Capability.UPLOAD)
    if upload.hidden:
        raise NotFound(_("No such upload."))
    if not upload.team.allow_sharing:
        raise Forbidden(_("Sharing is switched off for this team."), "sharing_off")


def create(upload: Upload, user, days: int) -> tuple[ShareLink, str]:
    """A new link to ``upload`` valid for ``days``; returns it and its token
    (shown once)."""
    _shareable(upload, user)
    if days not in EXPIRY_DAYS:
        raise SharingRefused(_("A link lasts %(choices)s days.") % {"choices": ", ".join(map(str, EXPIRY_DAYS))})
    if upload.status != UploadStatus.DONE:
        raise SharingRefused(_("Only a finished result can be shared."))
    if active_links(upload).count() >= MAX_ACTIVE_PER_UPLOAD:
        raise SharingRefused(_("This upload has %(n)d active links already; revoke one first.")
                             % {"n": MAX_ACTIVE_PER_UPLOAD})
    token = secrets.token_urlsafe(32)
    link = ShareLink.objects.create(upload=upload, created_by=user, token_hash=_digest(token), hint=token[:6],
                                    expires_at=timezone.now() + timedelta(days=days))
    return link, token


def may_revoke(user, link: ShareLink) -> bool:
    return link.created_by_id == getattr(user, "pk", None) or can(user, link.upload.team, Capability.MODERATE)


def revoke(link: ShareLink, user) -> ShareLink:
    require(user, link.upload.team, Capability.VIEW)
    if not may_revoke(user, link):
        raise Forbidden(_("Only the link's creator or a team admin can revoke it."))
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


def active_links(upload: Upload):
    return upload.share_links.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


def links_for(upload: Upload, user):
    """The upload's links the user may see: all of them for admins, their own for members."""
    require(user, upload.team, Capability.VIEW)
    links = upload.share_links.select_related("created_by")
    return links if can(user, upload.team, Capability.MODERATE) else links.filter(created_by=user)


def resolve(token: str) -> ShareLink:
    """The live link of ``token``, or NotFound (no view counted)."""
    link = (ShareLink.objects.select_related("upload__team", "upload__result")
            .filter(token_hash=_digest(token or "")).first())
    gone = (link is None or not link.active or not link.upload.team.allow_sharing or link.upload.hidden
            or link.upload.status != UploadStatus.DONE)
    if gone:
        raise NotFound(_("This link does not exist, has expired or was revoked."))
    return link


def open_link(token: str) -> ShareLink:
    """``resolve``, counting one view."""
    link = resolve(token)
    now = timezone.now()
    ShareLink.objects.filter(pk=link.pk).update(views=F("views") + 1, last_viewed_at=now)
    link.views += 1
    link.last_viewed_at = now
    return link
