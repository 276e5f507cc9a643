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
    cache = _cache(user)
    if team_id not in cache:
        cache[team_id] = _memberships(user).filter(team_id=team_id).first()
    return cache[team_id]


def _cache(user) -> dict[int, Membership | None]:
    return user.__dict__.setdefault("_ocrspace_memberships", {})


def _memberships(user):
    """The user's memberships that this request may use (the token's
    team list is checked by ``membership_of``)."""
    memberships = Membership.objects.filter(user=user)
    token = token_of(user)
    if token is not None and token.expires_at is None:
        # A team can refuse tokens without expiry (Team.allow_tokens_without_expiry).
        memberships = memberships.filter(team__allow_tokens_without_expiry=True)
    return memberships


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
    """The team with ``slug`` if ``user`` may use it for ``capability``.

    The team comes with the membership, in one query, and the membership is
    kept for the role checks that follow in the same request."""
    membership = _memberships(user).filter(team__slug=slug).select_related("team").first() if usable(user) else None
    if membership is None:
        raise NotFound("No such team.")
    _cache(user).setdefault(membership.team_id, membership)
    require(user, membership.team, capability)
    return membership.team
