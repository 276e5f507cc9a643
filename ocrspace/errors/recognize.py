"""The seed-compatible error shape of ``POST /ocr/recognize``:
``{"success": false, "error": "..."}`` with the status of the error's code."""

from __future__ import annotations

from django.http import JsonResponse

from ocrspace.errors import DomainError
from ocrspace.errors.api import domain_headers
from ocrspace.errors.codes import status_for


def seed_response(error: DomainError, **extra) -> JsonResponse:
    status = status_for(error.code)
    response = JsonResponse({"success": False, "error": error.message, **(error.extra or {}), **extra}, status=status,
                            json_dumps_params={"ensure_ascii": False}, headers=domain_headers(error))
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response
