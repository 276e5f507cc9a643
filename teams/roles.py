"""Team roles and what each one may do.

Roles are ordered; every capability names the least role that has it, so a
check is one comparison and adding a capability is one line.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    MEMBER = "member", _("Member")
    ADMIN = "admin", _("Admin")
    OWNER = "owner", _("Owner")


RANK = {Role.VIEWER: 0, Role.MEMBER: 1, Role.ADMIN: 2, Role.OWNER: 3}


class Capability(models.TextChoices):
    VIEW = "view"                    # see uploads, results, members
    UPLOAD = "upload"                # add uploads, re-run, pin, delete own
    CORRECT = "correct"              # correct and revert recognised text
    ORGANISE = "organise"            # tag uploads, write notes
    MODERATE = "moderate"            # delete anyone's upload
    MANAGE_MEMBERS = "manage_members"  # invite, change roles, remove members
    MANAGE_TEAM = "manage_team"      # rename, retention, webhooks
    DELETE_TEAM = "delete_team"


LEAST_ROLE = {
    Capability.VIEW: Role.VIEWER,
    Capability.UPLOAD: Role.MEMBER,
    Capability.CORRECT: Role.MEMBER,
    Capability.ORGANISE: Role.MEMBER,
    Capability.MODERATE: Role.ADMIN,
    Capability.MANAGE_MEMBERS: Role.ADMIN,
    Capability.MANAGE_TEAM: Role.ADMIN,
    Capability.DELETE_TEAM: Role.OWNER,
}


def role_allows(role: str | None, capability: str) -> bool:
    """True when ``role`` (or a higher one) grants ``capability``."""
    if role is None:
        return False
    return RANK[Role(role)] >= RANK[LEAST_ROLE[Capability(capability)]]


def can_assign(actor_role: str, target_role: str) -> bool:
    """Admins hand out roles up to admin; only owners make owners."""
    if actor_role == Role.OWNER:
        return True
    return actor_role == Role.ADMIN and target_role != Role.OWNER


class Scope(models.TextChoices):
    """What a personal access token may do, on top of its owner's role."""

    READ = "read", _("Read: uploads, results, search, export")
    UPLOAD = "upload", _("Upload: add, re-run, pin, correct and delete uploads")
    ADMIN = "admin", _("Admin: team settings, members, webhooks")


SCOPE_OF = {
    Capability.VIEW: Scope.READ,
    Capability.UPLOAD: Scope.UPLOAD,
    Capability.CORRECT: Scope.UPLOAD,
    Capability.ORGANISE: Scope.UPLOAD,
    Capability.MODERATE: Scope.ADMIN,
    Capability.MANAGE_MEMBERS: Scope.ADMIN,
    Capability.MANAGE_TEAM: Scope.ADMIN,
    Capability.DELETE_TEAM: Scope.ADMIN,
}
