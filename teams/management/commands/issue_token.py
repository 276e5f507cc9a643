"""Print a JWT access/refresh pair for a (service) user.

For long-running integrations: create a user per team and integration, give
it a role in the team (member to upload, viewer to read), then

    python manage.py issue_token ci-bot --team sales

The refresh token is valid for SIMPLE_JWT's REFRESH_TOKEN_LIFETIME; exchange
it at /api/auth/token/refresh/ for new access tokens (each exchange returns
a new refresh token; the old one is blacklisted).
"""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from teams.models import Team
from teams.permissions import role_of
from teams.services import mark_team_used
from teams.tokens import SessionRefreshToken


class Command(BaseCommand):
    help = "Print an access/refresh token pair for USERNAME (optionally bound to a team)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--team", help="Team slug: the default team of requests made with this token.")
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print one JSON object instead of lines.")

    def handle(self, *args, username: str, team: str | None, as_json: bool, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"The user {username!r} is inactive.")
        refresh = SessionRefreshToken.for_user(user)
        role = None
        if team:
            team_obj = Team.objects.filter(slug=team).first()
            role = role_of(user, team_obj) if team_obj else None
            if role is None:
                raise CommandError(f"{username!r} is not a member of a team {team!r}; add them first.")
            # Requests without an explicit team use this one (claim copied
            # into every access token refreshed from this token).
            refresh["team"] = team
            mark_team_used(user, team_obj)
        pair = {"access": str(refresh.access_token), "refresh": str(refresh)}
        if as_json:
            self.stdout.write(json.dumps({**pair, "username": username, "team": team, "role": role}))
            return
        if team:
            self.stderr.write(f"Tokens for {username} in team {team} (role: {role}).")
        self.stdout.write(f"access={pair['access']}")
        self.stdout.write(f"refresh={pair['refresh']}")

