"""Password sign-in against the local accounts."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


def local_login_enabled() -> bool:
    return bool(settings.OCRSPACE_LOCAL_LOGIN)


class LocalPasswordBackend(ModelBackend):
    """Django's ModelBackend. With ``OCRSPACE_LOCAL_LOGIN=0`` only superusers
    (made with ``createsuperuser`` on the command line: the break-glass
    account for when the identity provider is down) sign in with a local
    password; everyone else signs in through OpenID Connect or LDAP.
    Sessions are looked up as before (``get_user``), whichever way they
    were signed in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and not local_login_enabled() and not user.is_superuser:
            return None
        return user
