"""Origin check of websocket handshakes.

Browsers always send ``Origin`` with a websocket handshake, so a foreign
Origin is the mark of a cross-site page trying to use a visitor's session
cookie: it is refused (403), as Channels' ``AllowedHostsOriginValidator``
does. A handshake *without* Origin cannot come from a browser page; it is an
API client (Python's ``websockets``, Node's ``ws``, curl), which must then
authenticate with a token in its first message, so it is let through.
"""

from __future__ import annotations

from channels.security.websocket import AllowedHostsOriginValidator


class OriginValidator:
    """Refuse a present, foreign ``Origin``; accept a missing one."""

    def __init__(self, application):
        self.application = application
        self.validated = AllowedHostsOriginValidator(application)

    async def __call__(self, scope, receive, send):
        if not any(name == b"origin" for name, _ in scope.get("headers", [])):
            return await self.application(scope, receive, send)
        return await self.validated(scope, receive, send)
