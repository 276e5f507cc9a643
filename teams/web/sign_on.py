"""OpenID Connect sign-in pages: allauth's login (POST from the login
page's "Sign in with <name>" button; a GET shows allauth's confirmation
form) and callback views, limited to the methods they serve."""

from __future__ import annotations

from allauth.socialaccount.providers.openid_connect import views as allauth_views
from django.views.decorators.http import require_GET, require_http_methods

oidc_login = require_http_methods(["GET", "POST"])(allauth_views.login)
oidc_callback = require_GET(allauth_views.callback)
