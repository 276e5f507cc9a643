"""One error shape for the whole API: ``{"detail": ..., "errors": {...}}``."""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

log = logging.getLogger(__name__)


def exception_handler(exc, context):
    """Wrap DRF's handler so field errors and general errors look alike."""
    response = drf_exception_handler(exc, context)
    if response is None:
        if isinstance(exc, (OperationalError, InterfaceError)):
            # The database dropped the connection or is unreachable for a
            # moment (restart, failover, terminated backend): say so and ask
            # the client to try again, instead of an opaque 500. Trying again
            # is safe: an upload that did get stored is found again by its
            # content and answered as a duplicate.
            log.warning("Database unavailable during %s: %s", context["request"].path, exc)
            return Response(
                {"detail": "The database is unavailable right now; try again in a few seconds."},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
                headers={"Retry-After": "5"},
            )
        return None
    data = response.data
    if isinstance(data, dict) and "detail" in data:
        return response
    response.data = {"detail": "The request was not valid.", "errors": data}
    return response
