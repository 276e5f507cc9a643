"""Who is asking: the client's address, the same way for the login
lockout, the sign-in audit and the access tokens' last use."""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or behind our proxy the address it appended last to
    X-Forwarded-For (earlier entries come from the client and are forgeable)."""
    meta = request.META
    if settings.OCRSPACE_BEHIND_PROXY:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return meta.get("REMOTE_ADDR")
