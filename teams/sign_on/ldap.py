"""LDAP / Active Directory sign-in (django-auth-ldap, configured in
``ocrspace.settings.sign_on``): bind with the service account, search the
user, bind as the user to check the password (a disabled or locked account
cannot bind), check the allowed groups; then the directory's groups (their
``cn``) go through ``OCRSPACE_LDAP_TEAM_MAP`` (``teams.sign_on.groups``)."""

from __future__ import annotations

from django.conf import settings

from teams.sign_on import groups

SOURCE = "ldap"


def apply_team_map(user) -> None:
    """After an LDAP sign-in of ``user`` (it carries ``ldap_user``)."""
    team_map = settings.OCRSPACE_LDAP_TEAM_MAP
    if not team_map:
        return
    names = sorted(user.ldap_user.group_names) if getattr(settings, "AUTH_LDAP_GROUP_SEARCH", None) else []
    groups.sync_memberships(user, SOURCE, names, team_map)
