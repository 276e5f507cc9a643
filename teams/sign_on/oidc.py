"""OpenID Connect sign-in on django-allauth's ``openid_connect`` provider.

allauth does the authorization-code flow: discovery from the issuer, ``state``
bound to the browser's session, PKCE (S256), the code exchange, the ID token's
issuer and audience, the userinfo call. This module adds what it leaves out
and what the platform needs:

* a ``nonce`` in every authorization request, kept with the sign-in's state
  and compared with the ID token's (``OpenIDConnectProvider``,
  ``SocialAccountAdapter.pre_social_login``);
* the ID token's signature checked against the provider's keys in every case
  (``OpenIDConnectAdapter``);
* only addresses the provider says it verified (``email_verified``) create or
  link an account; a disabled account is refused;
* every refusal answers with a page that says what went wrong, and is
  written into the audit log as a failed sign-in (``sign_in_refused``).

Users are found by the provider's ``sub`` (allauth's ``SocialAccount``), on a
first sign-in linked to the account with the same verified address, else
created. ``teams.sign_on.groups`` then applies the provider's team map.
"""

from __future__ import annotations

import hmac
import logging
import secrets

import jwt
from allauth.account.signals import user_logged_in as allauth_logged_in
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect import provider as allauth_oidc
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.contrib.auth import get_user_model
from django.dispatch import receiver
from django.shortcuts import render
from django.utils.translation import gettext as _
from requests import RequestException

from ocrspace.clients import client_ip
from teams import audit
from teams.sign_on import groups, providers

logger = logging.getLogger(__name__)


class OpenIDConnectAdapter(OpenIDConnectOAuth2Adapter):
    """allauth's adapter, checking the ID token's signature against the
    provider's published keys even when the token came straight from the
    token endpoint (allauth skips it then, as OpenID Connect allows over TLS;
    checking costs one cached key fetch and holds on a plain-HTTP issuer)."""

    def _decode_id_token(self, app, id_token: str) -> dict:
        try:
            return jwtkit.verify_and_decode(
                credential=id_token, keys_url=self.openid_config["jwks_uri"], issuer=self.openid_config["issuer"],
                audience=app.client_id, lookup_kid=jwtkit.lookup_kid_jwk, verify_signature=True,
            )
        except (KeyError, ValueError, TypeError, jwt.PyJWTError) as error:
            # No key id, a malformed header: refused like a bad signature, not a 500.
            raise OAuth2Error("Invalid id_token") from error


class OpenIDConnectProvider(allauth_oidc.OpenIDConnectProvider):
    """allauth's provider, sending a fresh nonce with each authorization
    request and keeping it in the sign-in's stashed state."""

    oauth2_adapter_class = OpenIDConnectAdapter

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        nonce = secrets.token_urlsafe(24)
        auth_params = kwargs.pop("auth_params", None)
        auth_params = dict(self.get_auth_params() if auth_params is None else auth_params)
        auth_params["nonce"] = nonce
        try:
            return super().redirect(request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs)
        except (RequestException, ValueError, KeyError) as error:
            # Discovery failed: the provider is down or its document is not one.
            logger.warning("OpenID Connect discovery of %s failed: %s", self.app.provider_id, error)
            return sign_in_refused(request, self.app.provider_id, self.name, "provider_unreachable", _(
                "%(provider)s could not be reached; try again in a moment.") % {"provider": self.name}, status=503)


def _claims(sociallogin) -> dict:
    data = sociallogin.account.extra_data or {}
    return data.get("userinfo") or data.get("id_token") or {}


def _verified(value) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def sign_in_refused(request, provider_id: str, provider_name: str, reason: str, message: str, claimed: str = "",
                    status: int = 403):
    """The page for a refused sign-in, after writing the refusal into the audit log."""
    audit.record(None, "signin.failure", None, actor_name=claimed or "?", via="browser", method="oidc",
                 provider=provider_id, reason=reason, ip=client_ip(request))
    logger.info("OpenID Connect sign-in through %s refused: %s", provider_id, reason)
    return render(request, "registration/sign_on_refused.html",
                  {"provider_name": provider_name, "message": message}, status=status)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request, sociallogin) -> None:
        provider = sociallogin.provider
        claims = _claims(sociallogin)
        claimed = str(claims.get("email") or claims.get("preferred_username") or claims.get("sub") or "")

        def refuse(reason: str, message: str):
            raise ImmediateHttpResponse(sign_in_refused(request, provider.app.provider_id, provider.name,
                                                        reason, message, claimed))

        expected = (sociallogin.state or {}).get("nonce") or ""
        received = str(((sociallogin.account.extra_data or {}).get("id_token") or {}).get("nonce") or "")
        if not expected or not hmac.compare_digest(expected.encode(), received.encode()):
            refuse("nonce_mismatch", _("The sign-in answer from %(provider)s does not belong to the sign-in this "
                                       "browser started (the ID token's nonce does not match). Start again from "
                                       "the login page.") % {"provider": provider.name})
        if not claims.get("email"):
            refuse("no_email", _("%(provider)s sent no email address for your account, so it cannot be matched to "
                                 "an account here. Ask your administrator to release the email claim.")
                   % {"provider": provider.name})
        if not _verified(claims.get("email_verified")):
            refuse("email_unverified", _("%(provider)s has not verified your email address %(email)s, so it "
                                         "cannot be used to sign in here. Verify it with %(provider)s first.")
                   % {"provider": provider.name, "email": claims["email"]})
        user = sociallogin.user
        if user is not None and user.pk and not user.is_active:
            refuse("account_disabled", _("Your account here is disabled; ask an administrator."))
        if (user is None or not user.pk) and get_user_model().objects.filter(email__iexact=claims["email"]).exists():
            # allauth would ask for another address on a sign-up form, which this platform does not have.
            refuse("email_taken", _("An account here already uses %(email)s but could not be linked to your "
                                    "%(provider)s account; ask an administrator.")
                   % {"email": claims["email"], "provider": provider.name})

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None) -> None:
        extra_context = extra_context or {}
        name = provider.name
        if "state" not in extra_context and exception is None:
            reason, message = "state_mismatch", _(
                "This sign-in answer does not match a sign-in started in this browser (missing, wrong or "
                "expired state). Start again from the login page.")
        elif request.GET.get("error"):
            code = request.GET.get("error", "")
            reason = f"provider_error:{code}"[:60]
            message = (_("You cancelled the sign-in at %(provider)s.") if code == "access_denied"
                       else _("%(provider)s refused the sign-in (%(code)s).")) % {"provider": name, "code": code}
        elif isinstance(exception, OAuth2Error) and "id_token" in str(exception):
            reason, message = "id_token_invalid", _(
                "The ID token from %(provider)s does not check out (signature, issuer, audience or expiry). "
                "Start again from the login page.") % {"provider": name}
        elif isinstance(exception, OAuth2Error):
            reason, message = "code_refused", _(
                "%(provider)s refused the sign-in code: it has expired or was already used. Start again from "
                "the login page.") % {"provider": name}
        elif isinstance(exception, RequestException):
            reason, message = "provider_unreachable", _(
                "%(provider)s could not be reached; try again in a moment.") % {"provider": name}
        else:
            reason, message = "refused", _("The sign-in through %(provider)s did not succeed; start again from "
                                           "the login page.") % {"provider": name}
        if exception is not None:
            logger.info("OpenID Connect error from %s: %s", provider.app.provider_id, exception)
        raise ImmediateHttpResponse(sign_in_refused(request, provider.app.provider_id, name, reason, message,
                                                    status=400))


@receiver(allauth_logged_in, dispatch_uid="teams.sign_on.oidc.apply_team_map")
def apply_team_map(sender, request=None, user=None, sociallogin=None, **kwargs) -> None:
    """At every OpenID Connect sign-in: the provider's group claim → memberships."""
    if sociallogin is None:
        return
    config = providers.oidc_config(sociallogin.account.provider)
    if not config or not config["team_map"]:
        return
    value = _claims(sociallogin).get(config["groups_claim"]) or []
    names = [value] if isinstance(value, str) else [str(v) for v in value if isinstance(v, (str, int))]
    groups.sync_memberships(user, f"oidc:{config['id']}", names, config["team_map"])
