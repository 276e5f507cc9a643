"""Websocket live feed of one team: ``/ws/teams/<slug>/feed/``.

Authentication:
* browsers: the session cookie (Channels' AuthMiddlewareStack);
* API clients: a JWT access token in the first message,
  ``{"type": "auth", "token": "<access token>"}``, within a few seconds.
  The first message rather than the query string keeps tokens out of
  proxy and server access logs; the cost is one round trip before events.

After joining, the client may send ``{"type": "resume", "after": <event id>}``
(or pass ``?after=<id>`` in the URL) to receive every event it missed.
Only members of the team may join; other teams' slugs look like unknown ones
(close code 4404). A member removed from the team is disconnected (4403).

Frames the feed cannot use never raise: text that is not a JSON object, or
an unknown ``type``, is answered with ``{"type": "error", "error": ...}``
(the connection stays open); a binary frame closes with 4415 and a frame
over ``MAX_FRAME_CHARS`` with 4413 (the HTTP statuses plus 4000, like 4401
and 4404: the server may only send codes 1000 and 3000-4999). Each is logged
on one line. Daphne itself drops the connection on messages over 1 MiB.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from recognition import relay, selectors
from recognition.events import event_message, team_group, user_group
from teams import twofactor
from teams.models import Team
from teams.permissions import role_of

log = logging.getLogger(__name__)

AUTH_TIMEOUT_SECONDS = 10
# Client frames are a few hundred characters (an access token is the largest).
MAX_FRAME_CHARS = 16 * 1024
REPLAY_LIMIT = 500
CLOSE_UNAUTHENTICATED = 4401
CLOSE_REMOVED = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_BIG = 4413
CLOSE_UNSUPPORTED_DATA = 4415


@database_sync_to_async
def _member_team(user, slug: str) -> Team | None:
    team = Team.objects.for_user(user).filter(slug=slug).first()
    return team if team is not None and role_of(user, team) is not None else None


@database_sync_to_async
def _session_passes(user, session) -> bool:
    return twofactor.session_passes(user, session)


@database_sync_to_async
def _still_member(user, team_id: int) -> bool:
    user.__dict__.pop("_ocrspace_memberships", None)
    return bool(user.is_active and role_of(user, team_id) is not None)


@database_sync_to_async
def _events_after(team_id: int, after: int) -> list[dict]:
    return [event_message(e) for e in selectors.events_after(after, REPLAY_LIMIT, team_id)]


@database_sync_to_async
def _user_from_token(token: str, ip: str | None = None):
    from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken

    from teams import access_tokens
    from teams.tokens import JWTAuthentication

    if access_tokens.looks_like_token(token):
        return access_tokens.user_for(token, ip)

    auth = JWTAuthentication()
    try:
        user = auth.get_user(auth.get_validated_token(token))
    except (InvalidToken, AuthenticationFailed):
        return None
    return user if user.is_active else None


class TeamFeedConsumer(AsyncJsonWebsocketConsumer):
    team: Team | None = None

    async def connect(self) -> None:
        self.slug = self.scope["url_route"]["kwargs"]["slug"]
        self.sent_ids: deque[int] = deque(maxlen=2000)
        self.auth_timer = None
        await self.accept()
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            if not await _session_passes(user, self.scope.get("session")):
                await self.close(CLOSE_UNAUTHENTICATED)  # a session still owing its two-factor code
                return
            await self._join(user)
        else:
            self.auth_timer = asyncio.get_running_loop().call_later(
                AUTH_TIMEOUT_SECONDS, lambda: asyncio.ensure_future(self.close(CLOSE_UNAUTHENTICATED))
            )

    async def _join(self, user) -> None:
        team = await _member_team(user, self.slug)
        if team is None:
            await self.close(CLOSE_NOT_FOUND)
            return
        self.user, self.team = user, team
        if self.auth_timer:
            self.auth_timer.cancel()
        await self.channel_layer.group_add(team_group(team.pk), self.channel_name)
        await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
        if not settings.REDIS_URL:
            relay.ensure_running(self.channel_layer)
        await self.send_json({"type": "ready", "team": team.slug, "last_event_id": await relay.latest_event_id(team.pk)})
        after = parse_qs(self.scope.get("query_string", b"").decode()).get("after", [None])[0]
        if after is not None and after.isdigit():
            await self._replay(int(after))

    def _client(self) -> str:
        client = self.scope.get("client") or ("?", 0)
        return f"{client[0]} on {self.scope.get('path', '')}"

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if text_data is None:
            log.info("Feed frame refused (binary, %d bytes) from %s", len(bytes_data or b""), self._client())
            await self.close(CLOSE_UNSUPPORTED_DATA)
            return
        if len(text_data) > MAX_FRAME_CHARS:
            log.info("Feed frame refused (%d characters, limit %d) from %s", len(text_data), MAX_FRAME_CHARS, self._client())
            await self.close(CLOSE_TOO_BIG)
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            content = None
        if not isinstance(content, dict):
            await self._refuse("not a JSON object", 'Send JSON objects such as {"type": "ping"}.')
            return
        await self.receive_json(content, **kwargs)

    async def _refuse(self, why: str, message: str) -> None:
        log.info("Feed frame refused (%s) from %s", why, self._client())
        await self.send_json({"type": "error", "error": message})

    async def receive_json(self, content, **kwargs) -> None:
        kind = content.get("type")
        if kind == "auth":
            if self.team is not None:
                await self._refuse("already authenticated", "Already authenticated.")
                return
            user = await _user_from_token(str(content.get("token", "")), (self.scope.get("client") or [None])[0])
            if user is None:
                await self.close(CLOSE_UNAUTHENTICATED)
                return
            await self._join(user)
        elif kind == "resume":
            after = content.get("after")
            if self.team is None:
                await self._refuse("resume before auth", 'Authenticate first: {"type": "auth", "token": "<access token>"}.')
            elif isinstance(after, int) and not isinstance(after, bool) and after >= 0:
                await self._replay(after)
            else:
                await self._refuse("bad resume", '"after" must be a non-negative integer event id.')
        elif kind == "ping":
            await self.send_json({"type": "pong"})
        else:
            shown = kind if isinstance(kind, str) and len(kind) <= 40 else "?"
            await self._refuse(f"unknown type {shown!r}", 'Unknown message type; use "auth", "resume" or "ping".')

    async def _replay(self, after: int) -> None:
        for message in await _events_after(self.team.pk, after):
            await self._send_event(message)
        await self.send_json({"type": "resumed", "after": after})

    async def _send_event(self, message: dict) -> None:
        if message["id"] in self.sent_ids:
            return
        self.sent_ids.append(message["id"])
        await self.send_json({"type": "event", "event": message})

    async def feed_event(self, message: dict) -> None:
        """A team event from the channel layer (worker or relay)."""
        if self.team is None:
            return
        if not await _still_member(self.user, self.team.pk):
            await self.close(CLOSE_REMOVED)
            return
        await self._send_event(message["event"])

    async def membership_revoked(self, message: dict) -> None:
        if self.team is not None and message.get("team_id") == self.team.pk:
            await self.close(CLOSE_REMOVED)

    async def disconnect(self, code) -> None:
        if self.auth_timer:
            self.auth_timer.cancel()
        if self.team is not None:
            await self.channel_layer.group_discard(team_group(self.team.pk), self.channel_name)
            await self.channel_layer.group_discard(user_group(self.user.pk), self.channel_name)
