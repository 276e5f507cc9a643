"""The REST API's answer to every error: one JSON shape,
``{"detail": ..., "code": ..., "errors": {...}}``.

``exception_handler`` is DRF's ``EXCEPTION_HANDLER``: domain errors get the
status of their code (``ocrspace.errors.codes``), DRF's own exceptions keep
theirs and gain their code. ``json_response`` gives routes outside DRF (the
catch-all 404, the login lockout) the same body.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ocrspace.errors import DomainError
from ocrspace.errors.codes import CODES, code_for_status, status_for

log = logging.getLogger(__name__)

DATABASE_RETRY_SECONDS = 5


def body(detail: str, code: str, errors: dict | None = None) -> dict:
    """The one error body of the REST API."""
    data = {"detail": detail, "code": code}
    if errors is not None:
        data["errors"] = errors
    return data


def domain_body(error: DomainError) -> dict:
    data = body(error.message, error.code, error.errors)
    for key, value in (error.extra or {}).items():
        data.setdefault(key, value)
    return data


def domain_headers(error: DomainError) -> dict:
    """The headers a domain error's answer carries: Retry-After when trying
    again later may succeed."""
    return {"Retry-After": str(error.retry_after)} if error.retry_after is not None else {}


def json_response(error: DomainError, headers: dict | None = None) -> JsonResponse:
    """A domain error's answer for a plain Django view under ``/api/``."""
    return JsonResponse(domain_body(error), status=status_for(error.code),
                        headers={**domain_headers(error), **(headers or {})})


# Django's own exceptions, which DRF answers as 404 and 403.
DJANGO_CODES = {Http404: "not_found", PermissionDenied: "permission_denied"}


def _drf_code(exc: APIException) -> str:
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    if isinstance(codes, dict) and isinstance(codes.get("detail"), str):
        return codes["detail"]
    # Field errors: each field lists its own codes under "errors".
    return "invalid"


def exception_handler(exc, context):
    """DRF's handler, with domain errors and a lost database added."""
    if isinstance(exc, DomainError):
        return Response(domain_body(exc), status=status_for(exc.code), headers=domain_headers(exc) or None)
    if isinstance(exc, (OperationalError, InterfaceError)):
        # The database dropped the connection or is unreachable for a moment
        # (restart, failover, terminated backend): say so and ask the client
        # to try again, instead of an opaque 500. Trying again is safe: an
        # upload that did get stored is found again by its content and
        # answered as a duplicate.
        log.warning("Database unavailable during %s: %s", context["request"].path, exc)
        return Response(
            body("The database is unavailable right now; try again in a few seconds.", "database_unavailable"),
            status=status_for("database_unavailable"),
            headers={"Retry-After": str(DATABASE_RETRY_SECONDS)},
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = _drf_code(exc) if isinstance(exc, APIException) else DJANGO_CODES.get(type(exc), "invalid")
    if code not in CODES:
        code = code_for_status(response.status_code)
    data = response.data
    if isinstance(data, dict) and "detail" in data:
        data["code"] = code
        return response
    response.data = body("The request was not valid.", code, data)
    return response
