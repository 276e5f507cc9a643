"""OpenID Connect sign-in pages: allauth's login view (POST from the login
page's "Sign in with <name>" button; a GET shows a confirmation form) and
callback view, with the platform's adapter (``teams.sign_on.oidc``) and
only the methods they serve. An unknown provider id is a 404."""

from __future__ import annotations

from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.http import Http404
from django.views.decorators.http import require_GET, require_http_methods

from teams.sign_on.oidc import OpenIDConnectAdapter


def _run(view_class, request, provider_id: str):
    try:
        return view_class.adapter_view(OpenIDConnectAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404("No such identity provider.") from None


@require_http_methods(["GET", "POST"])
def oidc_login(request, provider_id: str):
    return _run(OAuth2LoginView, request, provider_id)


@require_GET
def oidc_callback(request, provider_id: str):
    return _run(OAuth2CallbackView, request, provider_id)
