"""Token endpoints: obtain, refresh, verify and log out (blacklist).

All of them share the tight ``auth`` throttle scope: they are where
passwords and tokens would be guessed.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework_simplejwt import views as jwt_views


class TokenObtain(jwt_views.TokenObtainPairView):
    throttle_scope = "auth"


class TokenRefresh(jwt_views.TokenRefreshView):
    throttle_scope = "auth"


class TokenVerify(jwt_views.TokenVerifyView):
    throttle_scope = "auth"


@extend_schema(
    summary="Log out: blacklist a refresh token",
    description="The refresh token can no longer be used; access tokens already issued expire on their own.",
    responses={200: OpenApiResponse(description="Blacklisted."), 401: OpenApiResponse(description="Invalid token.")},
)
class Logout(jwt_views.TokenBlacklistView):
    throttle_scope = "auth"
