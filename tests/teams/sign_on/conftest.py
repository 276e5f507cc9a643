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


@pytest.fixture(scope="module")
def sso_platform(django_db_setup, django_db_blocker, tmp_path_factory):
    """The web server (daphne, no worker) on the test database, configured
    for two OpenID Connect providers of the session's identity provider
    (``platform.idp``); local passwords switched off."""
    from ocrspace.stack import Stack
    from tests.live import database_url
    from tests.teams.sign_on.idp import IdentityProvider

    base = tmp_path_factory.mktemp("sso")
    stack = Stack(worker=False, throwaway=False, database_url=database_url(), redis_url=django_settings().REDIS_URL,
                  directory=base,
                  SECRET_KEY=django_settings().SECRET_KEY, MEDIA_ROOT=str(base / "media"),
                  OCRSPACE_VAR_DIR=str(base / "var"))
    idp = IdentityProvider(base, redirect_port=stack.port).start()
    stack.env.update(idp.platform_env(), OCRSPACE_LOCAL_LOGIN="0")
    try:
        stack.start()
        stack.idp = idp
        yield stack
    finally:
        stack.stop()
        idp.stop()


def django_settings():
    from django.conf import settings

    return settings


@pytest.fixture(scope="module")
def chromium(sso_platform):
    """Debian's Chromium, headless, for the module (see tests/browser/conftest.py)."""
    from tests.browser.conftest import launched_chromium

    with launched_chromium() as browser:
        yield browser


@pytest.fixture
def browser_page(chromium, sso_platform):
    """A fresh browser context (nobody signed in) and its page."""
    context = chromium.new_context(base_url=sso_platform.url, viewport={"width": 1100, "height": 760})
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()
    sso_platform.idp.reset_accounts()


@pytest.fixture
def screenshot_to():
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)

    def save(page, name: str):
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
