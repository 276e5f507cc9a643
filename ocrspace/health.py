"""Probes for load balancers and service managers.

``/healthz``: the process is alive and serving (touches nothing else).
``/readyz``: the database, the queue broker and the image storage answer;
503 names the one that does not. Anyone may call them, so they say only
"ok" or "failed" per check: the reason (addresses, error messages) goes to
the log, never into the answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_broker() -> None:
    """Redis when it is the broker; else the broker is the database,
    checked already."""
    if not settings.REDIS_URL:
        check_database()
        return
    import redis

    with redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3, socket_timeout=3) as client:
        client.ping()


def check_storage() -> None:
    from recognition import storage

    storage.check()


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "broker": check_broker,
    "storage": check_storage,
}


def readiness() -> dict[str, str]:
    """Each check's outcome, "ok" or "failed"."""
    outcome = {}
    for name, check in CHECKS.items():
        try:
            check()
            outcome[name] = "ok"
        except Exception as error:  # noqa: BLE001 - any failure means "not ready", never a 500
            log.warning("Readiness check %s failed: %s: %s", name, type(error).__name__, error)
            outcome[name] = "failed"
    return outcome


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    checks = readiness()
    ready = all(value == "ok" for value in checks.values())
    failed = [name for name, value in checks.items() if value != "ok"]
    body = {"status": "ready" if ready else "unavailable", "checks": checks}
    if failed:
        body["detail"] = f"Not ready: {', '.join(failed)} unreachable."
    return JsonResponse(body, status=200 if ready else 503)
