"""Token endpoints: obtain, refresh, verify and log out (blacklist).

Logging out also ends the session's access tokens (teams/tokens.py), and
the check endpoint refuses them afterwards.

All of them share the tight ``auth`` throttle scope: they are where
passwords and tokens would be guessed.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework_simplejwt import serializers as jwt_serializers
from rest_framework_simplejwt import views as jwt_views
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.tokens import RefreshToken, UntypedToken

from teams import tokens

from ocrspace.errors.schema import responses


def _errors() -> dict:
    return responses("authentication_failed", "token_not_valid", "locked_out")


@extend_schema(summary="Obtain an access/refresh token pair",
               responses={200: jwt_serializers.TokenObtainPairSerializer, **_errors()})
class TokenObtain(jwt_views.TokenObtainPairView):
    throttle_scope = "auth"


@extend_schema(summary="Exchange a refresh token for a new pair (the old one is blacklisted)",
               responses={200: jwt_serializers.TokenRefreshSerializer, **_errors()})
class TokenRefresh(jwt_views.TokenRefreshView):
    throttle_scope = "auth"


class TokenVerifySerializer(jwt_serializers.TokenVerifySerializer):
    def validate(self, attrs):
        data = super().validate(attrs)
        tokens.check_not_denied(UntypedToken(attrs["token"]))
        return data


@extend_schema(summary="Check a token", responses={200: OpenApiResponse(description="Valid."), **_errors()})
class TokenVerify(jwt_views.TokenVerifyView):
    throttle_scope = "auth"
    serializer_class = TokenVerifySerializer


@extend_schema(
    summary="Log out: blacklist a refresh token and end its session",
    description=(
        "The refresh token can no longer be used, and neither can the access tokens made from it (nor the "
        "Bearer access token this request is sent with): they answer 401 on the API, `/ocr/recognize` and "
        "the websocket feed."
    ),
    responses={200: OpenApiResponse(description="Logged out."), **_errors()},
)
class Logout(jwt_views.TokenBlacklistView):
    throttle_scope = "auth"

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:
            # The serializer accepted it, so it parses (and is now blacklisted).
            refresh = RefreshToken(request.data["refresh"], verify=False)
            tokens.deny_session(refresh, self._bearer(request))
        return response

    @staticmethod
    def _bearer(request):
        auth = tokens.JWTAuthentication()
        header = auth.get_header(request)
        raw = auth.get_raw_token(header) if header else None
        if raw is None:
            return None
        try:
            return auth.get_validated_token(raw)
        except (InvalidToken, TokenError):
            return None
