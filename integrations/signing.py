"""Signing webhook bodies, and the reference check a receiver performs.

The signature covers ``"<timestamp>.<body>"``: a receiver that checks it and
refuses timestamps older than ``TOLERANCE_SECONDS`` cannot be fed a captured
delivery again later (a replay), nor a body with another timestamp.
"""

from __future__ import annotations

import hashlib
import hmac
import time

TOLERANCE_SECONDS = 300
PREFIX = "sha256="


def sign(secret: str, timestamp: int | str, body: bytes | str) -> str:
    """``sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">``."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    message = str(timestamp).encode("ascii") + b"." + body
    return PREFIX + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes | str, signature: str,
           tolerance: int = TOLERANCE_SECONDS, now: float | None = None) -> bool:
    """True when ``signature`` is ours for this body and timestamp, and the
    timestamp is within ``tolerance`` seconds of ``now``."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - sent) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, sent, body), signature or "")
