"""The identity providers the login page offers."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse


@dataclass(frozen=True)
class Provider:
    id: str
    name: str

    @property
    def login_url(self) -> str:
        return reverse("openid_connect_login", kwargs={"provider_id": self.id})


def oidc_providers() -> list[Provider]:
    return [Provider(p["id"], p["name"]) for p in settings.OCRSPACE_OIDC_PROVIDERS]


def oidc_config(provider_id: str) -> dict | None:
    return next((p for p in settings.OCRSPACE_OIDC_PROVIDERS if p["id"] == provider_id), None)


def password_form_shown() -> bool:
    """Whether the login page shows the username and password form to everyone."""
    return bool(settings.OCRSPACE_LOCAL_LOGIN or settings.OCRSPACE_LDAP_ENABLED)
