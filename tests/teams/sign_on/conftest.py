"""Fixtures of the sign-on tests: a real OpenLDAP directory (``directory``)
and a real OpenID Connect provider (``identity_provider``), both started by
the test session as its own processes."""

from __future__ import annotations

import environ
import pytest

from teams import services
from teams.models import Team

SALES_MAP = "ocr-sales=sales:member;ocr-sales-leads=sales:admin"


@pytest.fixture(scope="session")
def directory(tmp_path_factory):
    from tests.teams.sign_on.directory import Directory

    server = Directory(tmp_path_factory.mktemp("slapd")).start()
    yield server
    server.stop()


@pytest.fixture
def sales(make_user) -> Team:
    """The team the team maps name (slug ``sales``), with an owner of its own."""
    team = services.create_team(make_user("sales-owner"), "Sales")
    assert team.slug == "sales"
    return team


@pytest.fixture
def ldap_on(directory, settings, monkeypatch):
    """The platform configured for the session's directory through the same
    ``OCRSPACE_LDAP_*`` variables a deployment sets."""
    from ocrspace.settings.sign_on import ldap_settings, team_map
    from tests.teams.sign_on import directory as tree

    variables = {
        "OCRSPACE_LDAP_SERVER_URI": directory.uri,
        "OCRSPACE_LDAP_BIND_DN": tree.READER_DN,
        "OCRSPACE_LDAP_BIND_PASSWORD": tree.READER_PASSWORD,
        "OCRSPACE_LDAP_USER_BASE": f"ou=people,{tree.SUFFIX}",
        "OCRSPACE_LDAP_GROUP_BASE": f"ou=groups,{tree.SUFFIX}",
        "OCRSPACE_LDAP_REQUIRE_GROUPS": f"cn=ocr-users,ou=groups,{tree.SUFFIX}",
    }
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    for name, value in ldap_settings(environ.Env()).items():
        setattr(settings, name, value)
    settings.OCRSPACE_LDAP_ENABLED = True
    settings.OCRSPACE_LDAP_TEAM_MAP = team_map(SALES_MAP, "OCRSPACE_LDAP_TEAM_MAP")
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "django_auth_ldap.backend.LDAPBackend"]
    return directory
