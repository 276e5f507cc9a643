"""JWTs that die with the session they belong to.

simplejwt's access tokens are self-contained: blacklisting the refresh token
at logout stops new access tokens being made, but the ones already issued
kept working until they expired (15 minutes). So:

* every refresh token carries a session id, ``sid`` (its first ``jti``);
  rotation keeps it and every access token made from it copies it;
* logging out puts the session id, and the ``jti`` of the access token the
  logout was sent with, on a denylist in Django's cache, each until no token
  it names can still be valid;
* the REST API, ``POST /ocr/recognize``, the token check endpoint and the
  websocket feed authenticate through ``JWTAuthentication`` below, which
  refuses tokens on the denylist.

With ``REDIS_URL`` the cache is Redis, so every web process sees a logout.
While the cache is unreachable the check is skipped and logged (like the rate
limits): the refresh token's blacklist in the database still holds.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from django.conf import settings
from django.core.cache import cache
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken, Token

from ocrspace.throttling import CACHE_ERRORS

log = logging.getLogger(__name__)
SESSION_CLAIM = "sid"
_PREFIX = "ocrspace:jwt-denied:"
LOGGED_OUT = "This token belongs to a session that has logged out."


class SessionRefreshToken(RefreshToken):
    """A refresh token that starts a session (``sid``)."""

    @classmethod
    def for_user(cls, user) -> "SessionRefreshToken":
        token = super().for_user(user)
        token[SESSION_CLAIM] = token[api_settings.JTI_CLAIM]
        return token


def _seconds_left(token: Token) -> int:
    exp = datetime.fromtimestamp(int(token["exp"]), tz=timezone.utc)
    return max(1, int((exp - datetime.now(tz=timezone.utc)).total_seconds()) + 1)


def deny_session(refresh: Token, access: Token | None = None) -> None:
    """Refuse every access token of ``refresh``'s session from now on.

    The last access token of the session was made at the latest now, so it
    expires within one access lifetime: that is how long the entry is kept.
    """
    lifetime = int(settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds()) + 1
    entries = {_PREFIX + str(refresh.get(SESSION_CLAIM) or refresh[api_settings.JTI_CLAIM]): lifetime}
    if access is not None:
        entries[_PREFIX + str(access[api_settings.JTI_CLAIM])] = _seconds_left(access)
    try:
        for key, seconds in entries.items():
            cache.set(key, 1, seconds)
    except CACHE_ERRORS as error:
        log.error("Logout: access tokens not denied, the cache is unavailable: %s", error)


def is_denied(token: Token) -> bool:
    keys = [_PREFIX + str(token[api_settings.JTI_CLAIM])]
    if token.get(SESSION_CLAIM):
        keys.append(_PREFIX + str(token[SESSION_CLAIM]))
    try:
        return bool(cache.get_many(keys))
    except CACHE_ERRORS as error:
        log.warning("Logged-out tokens not checked, the cache is unavailable: %s", error)
        return False


def check_not_denied(token: Token) -> Token:
    if is_denied(token):
        raise TokenError(LOGGED_OUT)
    return token


class JWTAuthentication(authentication.JWTAuthentication):
    """simplejwt's Bearer authentication, refusing logged-out sessions."""

    def get_validated_token(self, raw_token):
        token = super().get_validated_token(raw_token)
        if is_denied(token):
            raise InvalidToken({"detail": LOGGED_OUT, "code": "token_not_valid"})
        return token


class JWTAuthenticationScheme(SimpleJWTScheme):
    """The OpenAPI security scheme of the class above (simplejwt's Bearer)."""

    target_class = "teams.tokens.JWTAuthentication"
