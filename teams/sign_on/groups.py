"""Team memberships from the identity provider's groups.

A team map (``OCRSPACE_OIDC_<ID>_TEAM_MAP`` for a provider's group claim,
``OCRSPACE_LDAP_TEAM_MAP`` for the directory's groups) lists
``group=team-slug:role`` entries. At every sign-in through that source:

* each mapped group the user is in gives the membership of its team with its
  role (the highest role when several groups name one team); an existing
  membership gets that role and is from then on managed by the source;
* a membership the source made (or took over) whose group the user is no
  longer in is removed, with its access tokens' reach, as a removal by an
  admin would; memberships made by invitation stay untouched;
* a team's last owner is never demoted or removed this way (logged and
  audited instead), and a slug without a team is skipped with a warning.

Changes are in the audit log, as ``sign-on (<source>)``.
"""

from __future__ import annotations

import logging
from typing import Iterable

from django.db import transaction

from teams import access_tokens, audit
from teams.models import Membership, Team
from teams.roles import RANK, Role
from teams.signals import member_removed

logger = logging.getLogger(__name__)


def wanted_roles(group_names: Iterable[str], team_map: dict[str, list[tuple[str, str]]]) -> dict[str, str]:
    """Team slug → role the groups give (the highest one per team)."""
    wanted: dict[str, str] = {}
    for group in group_names:
        for slug, role in team_map.get(group, []):
            if slug not in wanted or RANK[Role(role)] > RANK[Role(wanted[slug])]:
                wanted[slug] = role
    return wanted


def _last_owner(team: Team, membership: Membership) -> bool:
    return membership.role == Role.OWNER and not team.memberships.filter(role=Role.OWNER).exclude(pk=membership.pk).exists()


@transaction.atomic
def sync_memberships(user, source: str, group_names: Iterable[str], team_map: dict[str, list[tuple[str, str]]]) -> None:
    """Make ``user``'s memberships of the mapped teams what the groups say."""
    actor = f"sign-on ({source})"
    wanted = wanted_roles(group_names, team_map)
    mapped_slugs = {slug for targets in team_map.values() for slug, _ in targets}
    teams = {t.slug: t for t in Team.objects.select_for_update().filter(slug__in=mapped_slugs)}
    for slug in sorted(set(wanted) - set(teams)):
        logger.warning("Team map of %s names team %r, which does not exist; skipped.", source, slug)
    current = {m.team.slug: m for m in Membership.objects.select_related("team").filter(user=user, team__in=teams.values())}
    removed: list[Team] = []
    for slug, team in teams.items():
        membership, role = current.get(slug), wanted.get(slug)
        if role is not None and membership is None:
            Membership.objects.create(user=user, team=team, role=role, managed_by=source)
            audit.record(None, "membership.sign_on_add", team, team=team, actor_name=actor, user=user.username, role=role)
        elif role is not None and (membership.role != role or membership.managed_by != source):
            if membership.role != role and _last_owner(team, membership):
                logger.warning("%s: %s stays owner of %s (its last owner).", source, user.username, slug)
                audit.record(None, "membership.sign_on_kept", team, team=team, actor_name=actor, user=user.username,
                             reason="last owner")
                continue
            old = membership.role
            membership.role, membership.managed_by = role, source
            membership.save(update_fields=["role", "managed_by"])
            if old != role:
                audit.record(None, "membership.role", membership, team=team, actor_name=actor, old=old, new=role,
                             user=user.username)
        elif role is None and membership is not None and membership.managed_by == source:
            if _last_owner(team, membership):
                logger.warning("%s: %s stays in %s (its last owner).", source, user.username, slug)
                audit.record(None, "membership.sign_on_kept", team, team=team, actor_name=actor, user=user.username,
                             reason="last owner")
                continue
            membership.delete()
            access_tokens.forget_team(user, team)
            audit.record(None, "membership.remove", team, team=team, actor_name=actor, user=user.username)
            removed.append(team)
    user.__dict__.pop("_ocrspace_memberships", None)
    for team in removed:
        transaction.on_commit(lambda team=team: member_removed.send(sender=Team, team=team, user=user))
