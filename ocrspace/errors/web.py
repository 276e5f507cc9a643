"""Domain errors on browser pages.

A page that expects an error (a rule broken, a file refused) runs the
service through ``attempt``: the error's message is shown on the next page
and the view carries on (usually with a redirect); a form shown again uses
``attempt_form``, which puts the message on a field. An error no view expected
reaches ``DomainErrorMiddleware``: "not found" and "not allowed" get Django's
404 and 403 pages, like an ``Http404`` would; anything else a plain page
with the message and the status of its code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.deprecation import MiddlewareMixin

from ocrspace.errors import DomainError, Forbidden, NotFound
from ocrspace.errors.api import domain_headers, json_response
from ocrspace.errors.codes import status_for

T = TypeVar("T")


def attempt(request: HttpRequest, action: Callable[[], T], success: str | None = None) -> tuple[bool, T | None]:
    """Run ``action``; on a domain error (other than not found or not
    allowed) show its message and give
    ``(False, None)``, else show ``success`` (when given) and give
    ``(True, result)``."""
    try:
        result = action()
    except (NotFound, Forbidden):
        # Access errors are pages of their own (404, 403), not messages.
        raise
    except DomainError as error:
        messages.error(request, error.message)
        return False, None
    if success:
        messages.success(request, success)
    return True, result


def attempt_form(form, field: str, action: Callable[[], T]) -> tuple[bool, T | None]:
    """Like ``attempt``, for a form shown again: the message goes on the
    form's ``field`` (the page answers 400 when the form has errors)."""
    try:
        return True, action()
    except (NotFound, Forbidden):
        raise
    except DomainError as error:
        form.add_error(field, error.message)
        return False, None


class DomainErrorMiddleware(MiddlewareMixin):
    """Answers a request whose view let a domain error through (a mixin
    middleware, so async views such as ``/ocr/recognize`` stay async)."""

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        if request.path.startswith("/api/"):
            return json_response(exception)
        if isinstance(exception, NotFound):
            return response_for_exception(request, Http404(exception.message))
        if isinstance(exception, Forbidden):
            return response_for_exception(request, PermissionDenied(exception.message))
        return HttpResponse(exception.message, status=status_for(exception.code),
                            content_type="text/plain; charset=utf-8", headers=domain_headers(exception))
