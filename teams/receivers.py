"""Sign-ins in the audit log: every successful and failed password sign-in
(browser, admin console and the JWT token endpoint, which sends Django's
login signals too), with the client's address and the way in."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from ocrspace.clients import client_ip
from teams import audit


def _way_in(request) -> str:
    path = getattr(request, "path", "") or ""
    if path.startswith("/api/"):
        return "api"
    return "admin" if path.startswith("/admin/") else "browser"


@receiver(user_logged_in, dispatch_uid="teams.audit.signed_in")
def signed_in(sender, request=None, user=None, **kwargs) -> None:
    audit.record(user, "signin.success", user, via=_way_in(request), ip=client_ip(request) if request else None)


@receiver(user_login_failed, dispatch_uid="teams.audit.sign_in_failed")
def sign_in_failed(sender, credentials=None, request=None, **kwargs) -> None:
    # Django has already masked the password in ``credentials``.
    claimed = str((credentials or {}).get("username") or "")
    audit.record(None, "signin.failure", None, actor_name=claimed or "?", via=_way_in(request),
                 ip=client_ip(request) if request else None)
