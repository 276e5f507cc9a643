"""Personal access tokens: creating, revoking and signing in with them.

A token is ``ocs_`` and 43 random URL-safe characters, shown once when it is
made; only its SHA-256 digest is stored (the secret is long and random, so a
fast hash loses nothing). It is sent as ``Authorization: Token <token>`` or
``Authorization: Bearer <token>`` to the REST API and ``POST /ocr/recognize``,
or as the websocket feed's auth message.

A token acts as its user, narrowed twice, in ``teams.permissions``: to the
teams it is limited to (others look like unknown teams, 404), and to its
scopes (a capability whose scope it lacks is refused with 403 naming the
scope, see ``teams.roles.SCOPE_OF``). It dies with its user's account, and a
token limited to teams loses each team its user leaves (revoked with the
last one).
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from ocrspace.errors import DomainError
from ocrspace.clients import client_ip
from teams import audit
from teams.models import AccessToken, Team, token_of
from teams.roles import Scope

PREFIX = "ocs_"
MAX_DAYS = 3650
# Writing "last used" on every request would turn reads into writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenRuleError(DomainError):
    """A token request that cannot be granted; the message is for the user."""

    code = "token_rule"


class TokenExpiryRequired(TokenRuleError):
    """A token without expiry would reach a team that forbids them."""

    code = "token_expiry_required"


class TokenRefused(Exception):
    """The presented token is unknown, revoked or expired (the message says which)."""


def digest_of(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def looks_like_token(raw: str) -> bool:
    return raw.startswith(PREFIX)


def create_token(user, *, name: str, scopes: list[str], teams: list[Team] | None = None,
                 days: int | None = None) -> tuple[AccessToken, str]:
    """Make a token for ``user``; returns it and its secret (shown once)."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise TokenRuleError("Give the token a name of 1 to 100 characters.")
    unknown = sorted(set(scopes) - set(Scope.values))
    if not scopes or unknown:
        raise TokenRuleError(f"Choose scopes among {', '.join(Scope.values)}" + (f" (unknown: {', '.join(unknown)})." if unknown else "."))
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise TokenRuleError(f"A token lives 1 to {MAX_DAYS} days (or without expiry).")
    teams = list(teams or [])
    outside = [t.slug for t in teams if not Team.objects.filter(pk=t.pk, memberships__user=user).exists()]
    if outside:
        raise TokenRuleError(f"You are not a member of: {', '.join(outside)}.")
    if days is None:
        reached = teams or list(Team.objects.filter(memberships__user=user))
        strict = sorted(t.slug for t in reached if not t.allow_tokens_without_expiry)
        if strict:
            raise TokenExpiryRequired(
                f"Team {', '.join(strict)} requires access tokens to expire: give the number of days "
                f"(1 to {MAX_DAYS})" + ("." if teams else ", or limit the token to other teams.")
            )
    raw = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = AccessToken.objects.create(
            user=user, name=name, prefix=raw[:12], digest=digest_of(raw),
            scopes=[s for s in Scope.values if s in scopes],
            expires_at=timezone.now() + timedelta(days=days) if days else None,
        )
        token.teams.set(teams)
        audit.record(user, "token.create", token, name=token.name, scopes=token.scopes, teams=[t.slug for t in teams])
    return token, raw


def revoke_token(actor, token: AccessToken, team: Team | None = None) -> None:
    """Revoke ``token`` (its owner, or an admin of ``team`` it reaches)."""
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor, "token.revoke", token, team=team, name=token.name, owner=token.user.get_username())


def forget_team(user, team: Team) -> None:
    """``user`` left ``team``: tokens limited to it lose it; one left with no
    team would otherwise reach all of them, so it is revoked instead."""
    for token in AccessToken.objects.filter(user=user, teams=team, revoked_at=None):
        token.teams.remove(team)
        if not token.teams.exists():
            revoke_token(user, token, team=team)


def authenticate(raw: str, ip: str | None = None) -> AccessToken:
    """The live token ``raw`` names, with its user; raises ``TokenRefused``."""
    token = AccessToken.objects.select_related("user").filter(digest=digest_of(raw)).first()
    if token is None:
        raise TokenRefused("Unknown access token.")
    if token.revoked_at is not None:
        raise TokenRefused("This access token has been revoked.")
    if token.expired():
        raise TokenRefused("This access token has expired.")
    if not token.user.is_active:
        raise TokenRefused("The account of this access token is disabled.")
    ip = _valid_ip(ip)
    now = timezone.now()
    if token.last_used_at is None or timezone.localdate(token.last_used_at) != timezone.localdate(now):
        audit.record(token.user, "token.first_use_today", token, ip=ip)
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION or token.last_used_ip != ip:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
        token.last_used_at, token.last_used_ip = now, ip
    token.user._ocrspace_access_token = token
    return token


def _valid_ip(ip: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(ip)) if ip else None
    except ValueError:
        return None


def user_for(raw: str, ip: str | None = None):
    """The user a token signs in (for the websocket feed), or None. The feed
    only reads, so the token needs the ``read`` scope."""
    try:
        token = authenticate(raw, ip)
    except TokenRefused:
        return None
    return token.user if Scope.READ in token.scopes else None


class AccessTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <token>``, or ``Bearer <token>`` for a token
    with the ``ocs_`` prefix (other Bearer values are JWTs, left to
    ``teams.tokens.JWTAuthentication``)."""

    keywords = ("token", "bearer")

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower().decode(errors="replace") not in self.keywords:
            return None
        raw = parts[1].decode(errors="replace")
        if parts[0].lower() == b"bearer" and not looks_like_token(raw):
            return None
        try:
            token = authenticate(raw, client_ip(request))
        except TokenRefused as error:
            raise exceptions.AuthenticationFailed(str(error))
        return token.user, token

    def authenticate_header(self, request) -> str:
        return "Token"


class AccessTokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security scheme of the class above."""

    target_class = "teams.access_tokens.AccessTokenAuthentication"
    name = "accessToken"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "apiKey", "in": "header", "name": "Authorization",
            "description": "A personal access token: `Token ocs_…` (or `Bearer ocs_…`).",
        }


class TokenScopes(permissions.BasePermission):
    """Reads need the ``read`` scope. Writes are checked per team by
    ``teams.permissions`` (each capability names its scope); a view whose
    writes concern no team names the scope they need as ``token_scope``, or
    ``None`` to refuse tokens altogether (managing tokens needs a sign-in)."""

    def has_permission(self, request, view) -> bool:
        token = token_of(request.user)
        if token is None:
            return True
        declared = getattr(view, "token_scope", "")
        if declared is None:
            raise exceptions.PermissionDenied("Access tokens cannot do this; sign in with your password.")
        needed = Scope.READ if request.method in permissions.SAFE_METHODS else declared
        if not needed:
            return True
        if needed not in token.scopes:
            raise exceptions.PermissionDenied(f"This access token lacks the '{needed}' scope.")
        return True
