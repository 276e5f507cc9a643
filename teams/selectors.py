"""Reads of teams: the user's teams, their current one, the team a request
is about. Who may do what stays in ``teams.permissions``."""

from __future__ import annotations

from django.db.models import Q

from ocrspace.errors import NotFound

from teams.models import AccessToken, Membership, Team
from teams.permissions import get_team, usable
from teams.roles import Capability


def teams_of(user):
    """Every team the user belongs to (the scope of all their queries)."""
    return Team.objects.for_user(user)


def default_team(user) -> Team | None:
    """The team the user used last, else the first one they joined."""
    membership = (
        Membership.objects.filter(user=user, team__isnull=False)
        .select_related("team")
        .order_by("-last_used_at", "joined_at")
        .first()
        if usable(user)
        else None
    )
    return membership.team if membership else None


def team_for(user, slug: str | None, claim: str | None = None, capability: str = Capability.VIEW) -> Team:
    """The team named by ``slug``; without one, the team an API token was
    issued for (its ``team`` claim, ``issue_token --team``), else the user's
    current team. A token issued for a team the user has since left falls
    back quietly. Teams the user is not in are 404 whatever their slug."""
    if slug:
        return get_team(user, slug, capability)
    team = teams_of(user).filter(slug=claim).first() if claim else None
    team = team or default_team(user)
    if team is None:
        raise NotFound("You are not a member of any team.")
    return get_team(user, team.slug, capability)


def tokens_of(user):
    """The user's personal access tokens, newest first, revoked ones included."""
    return AccessToken.objects.filter(user=user).prefetch_related("teams")


def tokens_reaching(team: Team):
    """Live-or-expired, unrevoked tokens that can act in ``team``: its
    members' tokens limited to it or to no team at all."""
    return (
        AccessToken.objects.filter(revoked_at=None, user__memberships__team=team)
        .filter(Q(teams=team) | Q(teams=None))
        .select_related("user").prefetch_related("teams").distinct()
    )
