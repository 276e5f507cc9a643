"""The public keys that sign results, current and retired (public, no
sign-in: anyone holding a result must be able to check it)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from recognition import signatures


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(signatures.jwks())
    response["Cache-Control"] = "public, max-age=300"
    return response
