"""Sign-ins in the audit log: every successful and failed sign-in (browser,
admin console and the JWT token endpoint, which sends Django's login signals
too), with the client's address, the way in (``via``) and the method:
``password`` (local account), ``ldap`` (the directory) or ``oidc`` (with the
provider; refused OpenID Connect sign-ins are written by
``teams.sign_on.oidc``). The directory's groups are applied to the user's
memberships at each LDAP sign-in."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from ocrspace.clients import client_ip
from teams import audit


def _way_in(request) -> str:
    path = getattr(request, "path", "") or ""
    if path.startswith("/api/"):
        return "api"
    return "admin" if path.startswith("/admin/") else "browser"


def _method(request, user) -> dict:
    backend = getattr(user, "backend", "") or ""
    if backend.endswith("LDAPBackend") or hasattr(user, "ldap_user"):
        return {"method": "ldap"}
    match = getattr(request, "resolver_match", None)
    if match is not None and match.url_name == "openid_connect_callback":
        return {"method": "oidc", "provider": match.kwargs.get("provider_id", "")}
    return {"method": "password"}


@receiver(user_logged_in, dispatch_uid="teams.audit.signed_in")
def signed_in(sender, request=None, user=None, **kwargs) -> None:
    audit.record(user, "signin.success", user, via=_way_in(request), ip=client_ip(request) if request else None,
                 **_method(request, user))
    if hasattr(user, "ldap_user"):
        from teams.sign_on import ldap

        ldap.apply_team_map(user)


@receiver(user_login_failed, dispatch_uid="teams.audit.sign_in_failed")
def sign_in_failed(sender, credentials=None, request=None, **kwargs) -> None:
    # Django has already masked the password in ``credentials``.
    claimed = str((credentials or {}).get("username") or "")
    audit.record(None, "signin.failure", None, actor_name=claimed or "?", via=_way_in(request),
                 ip=client_ip(request) if request else None,
                 method="ldap" if settings.OCRSPACE_LDAP_ENABLED else "password")
