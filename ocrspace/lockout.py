"""Login lockout glue around django-axes (configured in settings).

Axes refuses password checks after too many failures; this module gives the
refusal a readable answer (JSON under /api/, a page elsewhere), decides which
client address an attempt counts against, and bridges two gaps of the token
endpoint: DRF wraps the request axes flags, and simplejwt never sends
Django's login signal that clears the failure count.
"""

from __future__ import annotations

from axes.helpers import get_cool_off
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework_simplejwt import serializers as jwt_serializers

from ocrspace.errors import DomainError
from ocrspace.errors.api import json_response
from ocrspace.errors.codes import status_for
from teams.tokens import SessionRefreshToken


class LockedOut(DomainError):
    """Too many failed password checks from this client or for this account."""

    code = "locked_out"



def _retry_after(request) -> int:
    cool_off = get_cool_off(request)
    return int(cool_off.total_seconds()) if cool_off else 0


def lockout_response(request, original_response=None, credentials=None):
    seconds = _retry_after(request)
    minutes = max(1, -(-seconds // 60))
    message = _("Too many failed login attempts. Try again in %(minutes)d minutes.") % {"minutes": minutes}
    if request.path.startswith("/api/"):
        response = json_response(LockedOut(message, errors={}))
    else:
        response = render(request, settings.AXES_LOCKOUT_TEMPLATE, {"message": message, "minutes": minutes},
                          status=status_for(LockedOut.code))
    if seconds:
        response["Retry-After"] = str(seconds)
    return response


@receiver(user_locked_out, dispatch_uid="ocrspace-lockout-drf-flag")
def _flag_wrapped_request(sender, request=None, **kwargs) -> None:
    # The token view hands DRF's Request to authenticate(); axes marks that
    # wrapper, but its middleware only sees the Django request inside it.
    # (Connected when the token serializer below is loaded, i.e. before any
    # token request.)
    inner = getattr(request, "_request", None)
    if inner is not None:
        inner.axes_locked_out = True
        inner.axes_credentials = getattr(request, "axes_credentials", None)


class TokenObtainPairSerializer(jwt_serializers.TokenObtainPairSerializer):
    """simplejwt's serializer, announcing the successful password check the
    way Django's login does, so axes resets the account's failure count.
    Its refresh token starts a session that logout can end (teams/tokens.py)."""

    token_class = SessionRefreshToken

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["otp"] = serializers.CharField(
            required=False, allow_blank=True, write_only=True, max_length=20,
            help_text="The authenticator app's code (or a recovery code), for accounts with two-factor sign-in.",
        )

    def validate(self, attrs):
        data = super().validate(attrs)
        self._check_second_factor(attrs.get("otp", ""))
        user_logged_in.send(sender=type(self.user), request=self.context.get("request"), user=self.user)
        return data

    def _check_second_factor(self, code: str) -> None:
        from teams import twofactor

        if twofactor.has_two_factor(self.user):
            if not code:
                raise exceptions.AuthenticationFailed("This account signs in with two factors: send the code as \"otp\".")
            try:
                twofactor.check_code(self.user, code)
            except twofactor.TwoFactorError as error:
                raise exceptions.AuthenticationFailed(str(error))
        elif twofactor.required_for(self.user):
            raise exceptions.AuthenticationFailed(
                "A team of yours requires two-factor sign-in: set it up in the browser first (or use an access token)."
            )
