"""Domain errors: what services raise when a request cannot be done.

An error has a stable machine-readable ``code`` (a row of
``ocrspace.errors.codes.CODES``) and a message for the person who asked; it
knows nothing of HTTP. The adapters beside this module turn it into an
answer: ``api`` (the REST API's exception handler, the one JSON shape),
``recognize`` (the seed-compatible ``/ocr/recognize`` shape), ``web`` (the
pages' messages) and ``schema`` (the OpenAPI documentation of the table).

Every app imports this package; it imports no app.
"""

from __future__ import annotations

from ocrspace.errors.codes import CODES, status_for


class DomainError(Exception):
    """Base of every error a service raises for the caller to see."""

    code = "invalid"
    # Seconds after which the same request may succeed (a queue that drains);
    # the adapters send it as Retry-After. None: trying again will not help.
    retry_after: int | None = None

    def __init__(self, message: str, code: str | None = None, errors: dict | None = None,
                 extra: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if self.code not in CODES:
            # Caught at the raise site in development, not as a 500 later.
            raise ValueError(f"Unknown error code {self.code!r}; add it to ocrspace.errors.codes.CODES.")
        # Field errors, when the error is about particular fields; None
        # leaves the key out of the answer.
        self.errors = errors
        # Machine-readable facts about the refusal (a quota's limit and
        # usage), added to the answer's body beside ``detail`` and ``code``.
        self.extra = extra


class Invalid(DomainError):
    """Bad input the message explains."""

    code = "invalid"


class NotFound(DomainError):
    """No such object, or not in one of the requester's teams (both look the same)."""

    code = "not_found"


class Forbidden(DomainError):
    """The requester's role does not allow the action."""

    code = "permission_denied"


__all__ = ["DomainError", "Invalid", "NotFound", "Forbidden", "CODES", "status_for"]
