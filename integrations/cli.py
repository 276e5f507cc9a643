"""Shared checks of the integration commands: team, user, directories."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from teams.models import Team
from teams.permissions import can, role_of
from teams.roles import Capability


def uploader(team_slug: str, username: str) -> tuple[Team, object]:
    """The team and user, when the user may upload to it; else a CommandError
    that says which of the two is wrong."""
    team = Team.objects.filter(slug=team_slug).first()
    if team is None:
        raise CommandError(f"No team with the slug {team_slug!r}.")
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user named {username!r}.")
    if not user.is_active:
        raise CommandError(f"The user {username!r} is deactivated.")
    if not can(user, team, Capability.UPLOAD):
        role = role_of(user, team)
        why = f"is only a {role}" if role else "is not a member"
        raise CommandError(f"{username!r} {why} of team {team_slug!r}; uploading needs the member role or higher.")
    return team, user


def existing_dir(path: Path) -> Path:
    if not path.exists():
        raise CommandError(f"The directory {path} does not exist.")
    if not path.is_dir():
        raise CommandError(f"{path} is not a directory.")
    return path.resolve()
