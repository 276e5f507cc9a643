"""The API's rate limits (DRF throttles), letting requests through while the
cache that holds their counters cannot be reached.

With ``REDIS_URL`` the counters live in Redis. Restarting Redis during a
burst of uploads turned every API request into a 500, because DRF's throttles
read the cache before the view runs; nothing else in an upload needs Redis
(the database is the record, and the sweeper re-queues uploads whose queue
message was lost). A rate limit is a safeguard, so for the seconds Redis is
away it is skipped and logged instead of failing the request.
"""

from __future__ import annotations

import logging

from rest_framework import throttling

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is a runtime dependency
    RedisError = OSError

log = logging.getLogger(__name__)
CACHE_ERRORS = (OSError, RedisError)


class CacheFailureAllows:
    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as error:
            log.warning("Rate limit %s not checked, the cache is unavailable: %s", type(self).__name__, error)
            return True


class AnonRateThrottle(CacheFailureAllows, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(CacheFailureAllows, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(CacheFailureAllows, throttling.ScopedRateThrottle):
    pass


class SimpleRateThrottle(CacheFailureAllows, throttling.SimpleRateThrottle):
    pass


class AccessTokenRateThrottle(CacheFailureAllows, throttling.SimpleRateThrottle):
    """Per personal access token (rate ``access_token``), on top of the
    user's own limit: one leaked or runaway script cannot use up its owner's."""

    scope = "access_token"

    def get_cache_key(self, request, view) -> str | None:
        key = getattr(request.auth, "throttle_key", None)
        return self.cache_format % {"scope": self.scope, "ident": key} if key else None
