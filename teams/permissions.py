"""The one place that decides who may do what in which team.

Views, API endpoints, websocket consumers and tasks all ask these helpers;
nothing else compares roles. Staff get no extra rights here: the Django admin
is the only place that crosses teams.

A team the requester does not belong to is reported as *not found* (404),
never *forbidden*, so ids and slugs of other teams leak nothing.
"""

from __future__ import annotations

from ocrspace.errors import Forbidden, NotFound

from teams.models import Membership, Team, token_of
from teams.roles import SCOPE_OF, Capability, role_allows


def usable(user) -> bool:
    """An authenticated, active user (anyone else has no team)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def membership_of(user, team: Team | int) -> Membership | None:
    """The user's membership of ``team`` (a Team or its id), or None."""
    if not usable(user):
        return None
    team_id = team.pk if isinstance(team, Team) else team
    token = token_of(user)
    if token is not None and token.team_ids and team_id not in token.team_ids:
        return None  # the request's access token does not reach this team
    cache = user.__dict__.setdefault("_ocrspace_memberships", {})
    if team_id not in cache:
        memberships = Membership.objects.filter(user=user, team_id=team_id)
        if token is not None and token.expires_at is None:
            # A team can refuse tokens without expiry (Team.allow_tokens_without_expiry).
            memberships = memberships.filter(team__allow_tokens_without_expiry=True)
        cache[team_id] = memberships.first()
    return cache[team_id]


def forget_memberships(user) -> None:
    """Drop the per-object cache after a role change in the same request."""
    user.__dict__.pop("_ocrspace_memberships", None)


def role_of(user, team: Team | int) -> str | None:
    membership = membership_of(user, team)
    return membership.role if membership else None


def _missing_scope(user, capability: str) -> str | None:
    """The scope the request's access token would need for ``capability``
    and lacks (None: no token, or it has it)."""
    token = token_of(user)
    scope = SCOPE_OF[capability]
    return scope if token is not None and scope not in token.scopes else None


def can(user, team: Team | int, capability: str) -> bool:
    """True when ``user`` has ``capability`` in ``team``."""
    return role_allows(role_of(user, team), capability) and _missing_scope(user, capability) is None


def require(user, team: Team | int, capability: str) -> None:
    """404 for non-members, 403 for members whose role is too low (or whose
    access token lacks the scope)."""
    role = role_of(user, team)
    if role is None:
        raise NotFound("No such team.")
    if not role_allows(role, capability):
        raise Forbidden("Your role in this team does not allow that.")
    missing = _missing_scope(user, capability)
    if missing:
        raise Forbidden(f"This access token lacks the '{missing}' scope.")


def get_team(user, slug: str, capability: str = Capability.VIEW) -> Team:
    """The team with ``slug`` if ``user`` may use it for ``capability``."""
    team = Team.objects.for_user(user).filter(slug=slug).first()
    if team is None:
        raise NotFound("No such team.")
    require(user, team, capability)
    return team
