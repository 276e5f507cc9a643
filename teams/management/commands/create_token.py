"""Make a personal access token for a user and print it (once).

    python manage.py create_token ci-bot --name "CI uploads" --scope upload --scope read --team sales --days 90

Only the token goes to stdout, so ``TOKEN=$(python manage.py create_token …)``
works; what it reaches is said on stderr.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from teams.access_tokens import TokenRuleError, create_token
from teams.models import Team
from teams.roles import Scope


class Command(BaseCommand):
    help = "Create a personal access token for USERNAME and print it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What the token is for (shown in token lists).")
        parser.add_argument("--scope", action="append", required=True, choices=Scope.values, dest="scopes",
                            help="read, upload or admin; repeat for several.")
        parser.add_argument("--team", action="append", default=[], dest="teams",
                            help="Team slug the token is limited to; repeat for several (default: all the user's teams).")
        parser.add_argument("--days", type=int, help="Days until it expires (default: no expiry).")

    def handle(self, *args, username: str, name: str, scopes: list[str], teams: list[str], days: int | None,
               **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"The user {username!r} is inactive.")
        found = {t.slug: t for t in Team.objects.filter(slug__in=teams)}
        missing = [slug for slug in teams if slug not in found]
        if missing:
            raise CommandError(f"No team with slug {', '.join(missing)}.")
        try:
            token, raw = create_token(user, name=name, scopes=scopes, teams=list(found.values()), days=days)
        except TokenRuleError as error:
            raise CommandError(str(error))
        reach = ", ".join(sorted(found)) or "all of the user's teams"
        expiry = f"until {token.expires_at:%Y-%m-%d %H:%M} UTC" if token.expires_at else "without expiry"
        self.stderr.write(f"Token {token.prefix}… for {username} ({', '.join(token.scopes)}; {reach}; {expiry}).")
        self.stdout.write(raw)
