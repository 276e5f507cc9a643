"""One error shape for the whole API: ``{"detail": ..., "errors": {...}}``."""

from __future__ import annotations

from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """Wrap DRF's handler so field errors and general errors look alike."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "detail" in data:
        return response
    response.data = {"detail": "The request was not valid.", "errors": data}
    return response
