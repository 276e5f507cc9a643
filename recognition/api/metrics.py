"""``/metrics``: the pipeline's metrics in Prometheus' text format, for staff
(a signed-in session) or a scraper holding ``OCRSPACE_METRICS_TOKEN``
(``Authorization: Bearer <token>``). Anyone else gets 404, so the endpoint
does not announce itself."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from recognition.metrics import PipelineCollector

_registry = CollectorRegistry(auto_describe=False)
_registry.register(PipelineCollector())


def _allowed(request: HttpRequest) -> bool:
    if request.user.is_authenticated and request.user.is_staff:
        return True
    expected = settings.OCRSPACE_METRICS_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return bool(expected) and scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), expected.encode())


@require_safe
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        raise Http404
    return HttpResponse(generate_latest(_registry), content_type=CONTENT_TYPE_LATEST)
