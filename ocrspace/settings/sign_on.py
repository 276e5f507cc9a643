"""Sign-on: local passwords, OpenID Connect providers (django-allauth's
``openid_connect`` provider, social sign-in only) and LDAP / Active Directory
(django-auth-ldap), all from environment variables.

* ``OCRSPACE_LOCAL_LOGIN=0`` switches password sign-in against the local
  accounts off (sign-up too), except for superusers: the break-glass account
  ``createsuperuser`` makes on the command line.
* ``OCRSPACE_OIDC_PROVIDERS=corp,partner`` names the providers; each one is
  configured by ``OCRSPACE_OIDC_<ID>_ISSUER`` (discovery at
  ``<issuer>/.well-known/openid-configuration``), ``_CLIENT_ID``,
  ``_CLIENT_SECRET``, and optionally ``_NAME``, ``_SCOPES``,
  ``_GROUPS_CLAIM``, ``_TEAM_MAP``.
* ``OCRSPACE_LDAP_SERVER_URI`` switches LDAP on (bind and search), with
  ``OCRSPACE_LDAP_*`` below.

A team map is ``group=team-slug:role`` entries separated by ``;``; see
``teams.sign_on.groups``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from ocrspace.settings.core import env

ROLES = ("viewer", "member", "admin", "owner")


def team_map(value: str, variable: str) -> dict[str, list[tuple[str, str]]]:
    """``"ocr-sales=sales:member; ocr-leads=sales:admin"`` → group → [(team slug, role)]."""
    mapping: dict[str, list[tuple[str, str]]] = {}
    for entry in (part.strip() for part in value.split(";")):
        if not entry:
            continue
        group, sep, target = entry.rpartition("=")
        slug, _, role = target.partition(":")
        group, slug, role = group.strip(), slug.strip(), (role.strip() or "member")
        if not sep or not group or not re.fullmatch(r"[-a-zA-Z0-9_]+", slug) or role not in ROLES:
            raise ImproperlyConfigured(
                f"{variable} has a bad entry {entry!r}; expected group=team-slug:role with a role among "
                f"{', '.join(ROLES)}, entries separated by ';'."
            )
        mapping.setdefault(group, []).append((slug, role))
    return mapping


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def oidc_providers(environ) -> list[dict]:
    """The OpenID Connect providers the environment configures, in order."""
    ids = [p.strip() for p in environ.get("OCRSPACE_OIDC_PROVIDERS", "").split(",") if p.strip()]
    providers = []
    for provider_id in ids:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,39}", provider_id):
            raise ImproperlyConfigured(
                f"OCRSPACE_OIDC_PROVIDERS names {provider_id!r}; use lower-case letters, digits and '-'."
            )
        prefix = f"OCRSPACE_OIDC_{provider_id.upper().replace('-', '_')}_"
        missing = [prefix + k for k in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET") if not environ.get(prefix + k)]
        if missing:
            raise ImproperlyConfigured(f"OpenID Connect provider {provider_id!r} needs {', '.join(missing)}.")
        issuer = environ[prefix + "ISSUER"].rstrip("/")
        if not issuer.startswith(("https://", "http://")):
            raise ImproperlyConfigured(f"{prefix}ISSUER must be an http(s) URL, not {issuer!r}.")
        scopes = environ.get(prefix + "SCOPES", "openid email profile").replace(",", " ").split()
        if "openid" not in scopes:
            scopes.insert(0, "openid")
        providers.append({
            "id": provider_id,
            "name": environ.get(prefix + "NAME", "") or provider_id,
            "issuer": issuer,
            "client_id": environ[prefix + "CLIENT_ID"],
            "secret": environ[prefix + "CLIENT_SECRET"],
            "scopes": scopes,
            "groups_claim": environ.get(prefix + "GROUPS_CLAIM", "groups"),
            "team_map": team_map(environ.get(prefix + "TEAM_MAP", ""), prefix + "TEAM_MAP"),
        })
    return providers


def ldap_settings(env) -> dict:
    """django-auth-ldap's settings from ``OCRSPACE_LDAP_*``: bind with the
    service account (or anonymously), search the user, bind as the user to
    check the password; groups give the allowed-group check and the team map."""
    import ldap
    from django_auth_ldap.config import (
        ActiveDirectoryGroupType, GroupOfNamesType, GroupOfUniqueNamesType, LDAPGroupQuery, LDAPSearch,
        PosixGroupType,
    )

    user_base = env.str("OCRSPACE_LDAP_USER_BASE", default="")
    if not user_base:
        raise ImproperlyConfigured("OCRSPACE_LDAP_USER_BASE is needed with OCRSPACE_LDAP_SERVER_URI "
                                   "(e.g. ou=people,dc=example,dc=org).")
    group_types = {
        "groupOfNames": GroupOfNamesType, "groupOfUniqueNames": GroupOfUniqueNamesType,
        "posixGroup": PosixGroupType, "activeDirectory": ActiveDirectoryGroupType,
    }
    group_type = env.str("OCRSPACE_LDAP_GROUP_TYPE", default="groupOfNames")
    if group_type not in group_types:
        raise ImproperlyConfigured(f"OCRSPACE_LDAP_GROUP_TYPE is {group_type!r}; use one of {', '.join(group_types)}.")
    group_filter = {"groupOfNames": "(objectClass=groupOfNames)", "groupOfUniqueNames": "(objectClass=groupOfUniqueNames)",
                    "posixGroup": "(objectClass=posixGroup)", "activeDirectory": "(objectClass=group)"}[group_type]
    result = {
        "AUTH_LDAP_SERVER_URI": env.str("OCRSPACE_LDAP_SERVER_URI"),
        "AUTH_LDAP_BIND_DN": env.str("OCRSPACE_LDAP_BIND_DN", default=""),
        "AUTH_LDAP_BIND_PASSWORD": env.str("OCRSPACE_LDAP_BIND_PASSWORD", default=""),
        "AUTH_LDAP_START_TLS": env.bool("OCRSPACE_LDAP_START_TLS", default=False),
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(
            user_base, ldap.SCOPE_SUBTREE, env.str("OCRSPACE_LDAP_USER_FILTER", default="(uid=%(user)s)")),
        "AUTH_LDAP_USER_ATTR_MAP": {"first_name": "givenName", "last_name": "sn", "email": "mail"},
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        "AUTH_LDAP_CONNECTION_OPTIONS": {
            ldap.OPT_REFERRALS: 0,
            ldap.OPT_NETWORK_TIMEOUT: env.int("OCRSPACE_LDAP_TIMEOUT", default=5),
        },
    }
    group_base = env.str("OCRSPACE_LDAP_GROUP_BASE", default="")
    if group_base:
        result["AUTH_LDAP_GROUP_SEARCH"] = LDAPSearch(group_base, ldap.SCOPE_SUBTREE, group_filter)
        result["AUTH_LDAP_GROUP_TYPE"] = group_types[group_type]()
    required = [dn.strip() for dn in env.str("OCRSPACE_LDAP_REQUIRE_GROUPS", default="").split(";") if dn.strip()]
    if required:
        if not group_base:
            raise ImproperlyConfigured("OCRSPACE_LDAP_REQUIRE_GROUPS needs OCRSPACE_LDAP_GROUP_BASE.")
        query = LDAPGroupQuery(required[0])
        for dn in required[1:]:
            query |= LDAPGroupQuery(dn)
        result["AUTH_LDAP_REQUIRE_GROUP"] = query
    return result


# --- Local passwords -----------------------------------------------------------
OCRSPACE_LOCAL_LOGIN = env.bool("OCRSPACE_LOCAL_LOGIN", default=True)

# --- OpenID Connect (django-allauth, social sign-in only) ----------------------
OCRSPACE_OIDC_PROVIDERS = oidc_providers(env.ENVIRON)
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        # allauth's provider plus a nonce bound to the sign-in (teams.sign_on.oidc).
        "provider_class": "teams.sign_on.oidc.OpenIDConnectProvider",
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": p["id"], "name": p["name"], "client_id": p["client_id"], "secret": p["secret"],
                "settings": {"server_url": p["issuer"], "scope": p["scopes"], "oauth_pkce_enabled": True},
            }
            for p in OCRSPACE_OIDC_PROVIDERS
        ],
    },
}
SOCIALACCOUNT_ADAPTER = "teams.sign_on.oidc.SocialAccountAdapter"
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_AUTO_SIGNUP = True
# Link a first sign-in to the account with the same (provider-verified) email.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_OPENID_CONNECT_URL_PREFIX = "oidc"
# The provider has verified the address (refused otherwise); allauth sends no mail.
ACCOUNT_EMAIL_VERIFICATION = "none"

# --- LDAP / Active Directory (django-auth-ldap) --------------------------------
OCRSPACE_LDAP_ENABLED = bool(env.str("OCRSPACE_LDAP_SERVER_URI", default=""))
OCRSPACE_LDAP_TEAM_MAP = team_map(env.str("OCRSPACE_LDAP_TEAM_MAP", default=""), "OCRSPACE_LDAP_TEAM_MAP")
if OCRSPACE_LDAP_ENABLED:
    globals().update(ldap_settings(env))
