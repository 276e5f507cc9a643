"""Token endpoints: obtain, refresh, verify and log out (blacklist).

All of them share the tight ``auth`` throttle scope: they are where
passwords and tokens would be guessed.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework_simplejwt import serializers as jwt_serializers
from rest_framework_simplejwt import views as jwt_views

from ocrspace.api_schema import MessageSerializer


def _errors() -> dict:
    return {
        400: OpenApiResponse(MessageSerializer, description="Missing or malformed fields."),
        401: OpenApiResponse(MessageSerializer, description="Wrong credentials or an invalid, expired or blacklisted token."),
        429: OpenApiResponse(MessageSerializer, description="Too many attempts; see Retry-After."),
    }


@extend_schema(summary="Obtain an access/refresh token pair",
               responses={200: jwt_serializers.TokenObtainPairSerializer, **_errors()})
class TokenObtain(jwt_views.TokenObtainPairView):
    throttle_scope = "auth"


@extend_schema(summary="Exchange a refresh token for a new pair (the old one is blacklisted)",
               responses={200: jwt_serializers.TokenRefreshSerializer, **_errors()})
class TokenRefresh(jwt_views.TokenRefreshView):
    throttle_scope = "auth"


@extend_schema(summary="Check a token", responses={200: OpenApiResponse(description="Valid."), **_errors()})
class TokenVerify(jwt_views.TokenVerifyView):
    throttle_scope = "auth"


@extend_schema(
    summary="Log out: blacklist a refresh token",
    description="The refresh token can no longer be used; access tokens already issued expire on their own.",
    responses={200: OpenApiResponse(description="Blacklisted."), **_errors()},
)
class Logout(jwt_views.TokenBlacklistView):
    throttle_scope = "auth"
