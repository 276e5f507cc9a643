"""Team domain logic: creating teams, invitations, roles and membership.

Browser views, API views and management commands call these functions; they
check permissions themselves (via ``teams.permissions``) so no caller can
forget to.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ocrspace.errors import DomainError
from teams import access_tokens, audit
from teams.models import Invitation, Membership, Team
from teams.permissions import forget_memberships, require, role_of
from teams.roles import Capability, Role, can_assign
from teams.signals import member_removed


class TeamRuleError(DomainError):
    """A request that breaks a team rule; the message is shown to the user."""

    code = "team_rule"


class TeamStateConflict(TeamRuleError):
    """A well-formed request the team's current state forbids (the last
    owner leaving or being demoted); fine again once the state changes."""

    code = "last_owner"


def unique_slug(name: str) -> str:
    """A URL slug for ``name`` that no team uses yet.

    Names in Chinese slugify to nothing, so fall back to a neutral base.
    """
    base = slugify(name)[:50] or "team"
    slug, n = base, 1
    while Team.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def create_team(user, name: str, retention_days: int | None = None) -> Team:
    """Create a team with ``user`` as its first owner."""
    name = name.strip()
    if not name:
        raise TeamRuleError(_("A team needs a name."))
    team = Team.objects.create(
        name=name,
        slug=unique_slug(name),
        created_by=user,
        retention_days=retention_days or settings.OCRSPACE_RETENTION_DAYS,
    )
    Membership.objects.create(user=user, team=team, role=Role.OWNER, last_used_at=timezone.now())
    audit.record(user, "team.create", team, team=team)
    return team


# "Leave as it is" for settings whose None means something (a quota's
# None: the deployment's default).
UNCHANGED = object()
QUOTA_FIELDS = {"max_queued_uploads": "queued_limit", "max_stored_bytes": "stored_bytes_limit"}
# The columns' ranges (a positive integer, a positive big integer).
QUOTA_MAX = {"max_queued_uploads": 2**31 - 1, "max_stored_bytes": 2**63 - 1}


def _looser(new: int, current: int) -> bool:
    """Whether limit ``new`` allows more than ``current`` (0: unlimited)."""
    if current == 0:
        return False
    return new == 0 or new > current


def _set_quotas(team: Team, actor, values: dict, changes: dict) -> None:
    """A team's own quotas. The server's administrators (staff) set any;
    the team's admins and owners may only tighten them: a team cannot give
    itself more than the deployment allows it."""
    for field, limit in QUOTA_FIELDS.items():
        value = values[field]
        if value is UNCHANGED or value == getattr(team, field):
            continue
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                  or not 0 <= value <= QUOTA_MAX[field]):
            raise TeamRuleError(_("A quota is a whole number of at least 0 (0: unlimited), or empty for the default."))
        current = getattr(team, limit)
        before = getattr(team, field)
        setattr(team, field, value)
        if not getattr(actor, "is_staff", False) and _looser(getattr(team, limit), current):
            setattr(team, field, before)
            raise TeamRuleError(_("A team's admins can only lower its quotas; the server's administrators raise them."))
        changes[field] = [before, value]


def update_team(team: Team, actor, *, name: str | None = None, retention_days: int | None = None,
                ocr_profile: str | None = None, require_two_factor: bool | None = None,
                allow_tokens_without_expiry: bool | None = None, allow_sharing: bool | None = None,
                max_queued_uploads=UNCHANGED, max_stored_bytes=UNCHANGED) -> Team:
    """Change the team's settings (admins and owners); None (or UNCHANGED
    for the quotas) leaves a setting as it is. Nothing is saved when a
    change is refused."""
    require(actor, team, Capability.MANAGE_TEAM)
    changes = {}
    _set_quotas(team, actor, {"max_queued_uploads": max_queued_uploads, "max_stored_bytes": max_stored_bytes},
                changes)
    if allow_sharing is not None and allow_sharing != team.allow_sharing:
        changes["allow_sharing"] = [team.allow_sharing, allow_sharing]
        team.allow_sharing = allow_sharing
    if allow_tokens_without_expiry is not None and allow_tokens_without_expiry != team.allow_tokens_without_expiry:
        changes["allow_tokens_without_expiry"] = [team.allow_tokens_without_expiry, allow_tokens_without_expiry]
        team.allow_tokens_without_expiry = allow_tokens_without_expiry
    if require_two_factor is not None and require_two_factor != team.require_two_factor:
        if role_of(actor, team) != Role.OWNER:
            raise TeamRuleError(_("Only owners decide whether the team requires two-factor sign-in."))
        changes["require_two_factor"] = [team.require_two_factor, require_two_factor]
        team.require_two_factor = require_two_factor
    if name is not None and name.strip() and name.strip() != team.name:
        changes["name"] = [team.name, name.strip()]
        team.name = name.strip()
    if retention_days is not None and retention_days != team.retention_days:
        if not 1 <= retention_days <= 3650:
            raise TeamRuleError(_("Retention must be between 1 and 3650 days."))
        changes["retention_days"] = [team.retention_days, retention_days]
        team.retention_days = retention_days
    if ocr_profile is not None and ocr_profile != team.ocr_profile:
        if ocr_profile and ocr_profile not in settings.OCRSPACE_PROFILES:
            raise TeamRuleError(_("Unknown OCR profile “%(name)s”; choose one of %(names)s.")
                                % {"name": ocr_profile, "names": ", ".join(settings.OCRSPACE_PROFILES)})
        changes["ocr_profile"] = [team.ocr_profile, ocr_profile]
        team.ocr_profile = ocr_profile
    if changes:
        team.save()
        audit.record(actor, "team.update", team, team=team, **changes)
    return team


def create_invitation(team: Team, actor, role: str = Role.MEMBER, email: str = "") -> Invitation:
    """An invitation link for ``team``; the caller shows (or mails) its URL."""
    require(actor, team, Capability.MANAGE_MEMBERS)
    if not can_assign(role_of(actor, team), role):
        raise TeamRuleError(_("Only an owner can invite another owner."))
    invitation = Invitation.objects.create(
        team=team,
        role=role,
        email=email.strip().lower(),
        created_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.OCRSPACE_INVITATION_DAYS),
    )
    audit.record(actor, "invitation.create", invitation, team=team, role=role, email=invitation.email)
    return invitation


def invite(team: Team, actor, role: str, email: str, link, language: str) -> tuple[Invitation, bool | None]:
    """``create_invitation``, then mail the link (``link(invitation)``) in
    ``language`` when mail is configured and an address is bound. Returns
    the invitation and whether it was mailed (None: not tried)."""
    from teams import mail

    invitation = create_invitation(team, actor, role, email)
    if not (invitation.email and mail.mail_configured()):
        return invitation, None
    return invitation, mail.send_invitation(invitation, link(invitation), language)


def revoke_invitation(invitation: Invitation, actor) -> None:
    require(actor, invitation.team, Capability.MANAGE_MEMBERS)
    if invitation.revoked_at is None and invitation.accepted_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit.record(actor, "invitation.revoke", invitation, team=invitation.team)


@transaction.atomic
def accept_invitation(token: str, user) -> Membership:
    """Join the invitation's team with its role; each link works once."""
    invitation = Invitation.objects.select_for_update().select_related("team").filter(token=token).first()
    if invitation is None:
        raise TeamRuleError(_("This invitation link is not valid."))
    if invitation.revoked_at is not None:
        raise TeamRuleError(_("This invitation was withdrawn."))
    if invitation.accepted_at is not None:
        raise TeamRuleError(_("This invitation has already been used."))
    if invitation.expires_at <= timezone.now():
        raise TeamRuleError(_("This invitation has expired; ask for a new one."))
    if invitation.email and invitation.email != (user.email or "").strip().lower():
        raise TeamRuleError(_("This invitation was sent to another email address."))
    if Membership.objects.filter(team=invitation.team, user=user).exists():
        raise TeamRuleError(_("You are already a member of this team."))
    membership = Membership.objects.create(
        user=user, team=invitation.team, role=invitation.role, last_used_at=timezone.now()
    )
    invitation.accepted_by = user
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_by", "accepted_at"])
    audit.record(user, "invitation.accept", invitation, team=invitation.team, role=invitation.role)
    return membership


def _lock_memberships(team: Team) -> dict[int, Membership]:
    """Lock the team's memberships so two concurrent demotions cannot both
    pass the "one owner remains" check."""
    return {m.user_id: m for m in Membership.objects.select_for_update().filter(team=team)}


def _check_owner_remains(memberships: dict[int, Membership], leaving_user_id: int) -> None:
    owners = [m for m in memberships.values() if m.role == Role.OWNER]
    if len(owners) == 1 and owners[0].user_id == leaving_user_id:
        raise TeamStateConflict(_("A team must keep at least one owner; make someone else owner first."))


@transaction.atomic
def change_role(team: Team, actor, member_user, new_role: str) -> Membership:
    require(actor, team, Capability.MANAGE_MEMBERS)
    if new_role not in Role.values:
        raise TeamRuleError(_("Unknown role."))
    memberships = _lock_memberships(team)
    target = memberships.get(member_user.pk)
    if target is None:
        raise TeamRuleError(_("That user is not a member of this team."))
    actor_role = memberships[actor.pk].role
    if not can_assign(actor_role, new_role) or not can_assign(actor_role, target.role):
        raise TeamRuleError(_("Only an owner can change an owner's role or make someone owner."))
    if target.role == Role.OWNER and new_role != Role.OWNER:
        _check_owner_remains(memberships, target.user_id)
    old_role = target.role
    target.role = new_role
    target.save(update_fields=["role"])
    forget_memberships(actor)
    audit.record(actor, "membership.role", target, team=team, old=old_role, new=new_role, user=member_user.username)
    return target


@transaction.atomic
def remove_member(team: Team, actor, member_user) -> None:
    """Remove ``member_user`` from ``team``; removing oneself is leaving."""
    leaving = actor.pk == member_user.pk
    if not leaving:
        require(actor, team, Capability.MANAGE_MEMBERS)
    memberships = _lock_memberships(team)
    target = memberships.get(member_user.pk)
    if target is None:
        raise TeamRuleError(_("That user is not a member of this team."))
    if not leaving and not can_assign(memberships[actor.pk].role, target.role):
        raise TeamRuleError(_("Only an owner can remove an owner."))
    if target.role == Role.OWNER:
        _check_owner_remains(memberships, target.user_id)
    target.delete()
    access_tokens.forget_team(member_user, team)
    forget_memberships(actor)
    audit.record(actor, "membership.leave" if leaving else "membership.remove", team, team=team, user=member_user.username)
    transaction.on_commit(lambda: member_removed.send(sender=Team, team=team, user=member_user))


def mark_team_used(user, team: Team) -> None:
    """Remember ``team`` as the user's current one."""
    Membership.objects.filter(user=user, team=team).update(last_used_at=timezone.now())

