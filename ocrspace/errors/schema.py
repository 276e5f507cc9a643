"""The OpenAPI documentation of errors, generated from the code table.

Views list the codes they can answer with (``responses("team_rule",
"last_owner")``); the REST operations all get the standard ones from
``add_standard_errors``; ``/ocr/recognize`` documents its seed-shaped
answers with ``seed_responses``. Every description comes from
``ocrspace.errors.codes.CODES``, so an error is described once.
"""

from __future__ import annotations

from collections.abc import Iterable

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from ocrspace.errors.codes import CODES

# What any REST operation can answer, whatever the view.
STANDARD = ("invalid", "not_authenticated", "permission_denied", "not_found", "throttled")


class ErrorSerializer(serializers.Serializer):
    """The body of every REST API error."""

    detail = serializers.CharField(help_text="What went wrong, for people.")
    code = serializers.ChoiceField(choices=sorted(CODES), required=False, help_text="Stable, for programs.")
    errors = serializers.DictField(required=False, help_text="Field errors: field name → messages.")
    quota = serializers.DictField(
        required=False, help_text="A team quota's refusal: `limit` (`queued_uploads` or `stored_bytes`), `max`, "
                                  "`current` and, for stored bytes, `requested`.")


API_ERROR = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string", "enum": sorted(CODES)},
        "errors": {"type": "object"},
    },
    "required": ["detail"],
}
SEED_ERROR = {
    "type": "object",
    "properties": {"success": {"type": "boolean", "enum": [False]}, "error": {"type": "string"}},
    "required": ["success", "error"],
}


def _by_status(codes: Iterable[str]) -> dict[int, str]:
    """One description per status: the codes' sentences with their codes."""
    grouped: dict[int, list[str]] = {}
    for code in codes:
        entry = CODES[code]
        grouped.setdefault(entry.status, []).append(f"{entry.description} (`{code}`)")
    return {status: " ".join(lines) for status, lines in sorted(grouped.items())}


def responses(*codes: str, shapes: dict | None = None) -> dict[int, OpenApiResponse]:
    """``extend_schema(responses=...)`` entries for ``codes`` (plus the
    standard ones); ``shapes`` gives another body to the statuses a view
    answers differently (e.g. a batch report for 413)."""
    shapes = shapes or {}
    return {
        status: OpenApiResponse(shapes.get(status, ErrorSerializer), description=description)
        for status, description in _by_status(dict.fromkeys((*STANDARD, *codes))).items()
    }


def raw_responses(codes: Iterable[str], schema: dict) -> dict[str, dict]:
    """Responses as plain OpenAPI dicts (for hand-written operations)."""
    return {
        str(status): {"description": description, "content": {"application/json": {"schema": schema}}}
        for status, description in _by_status(codes).items()
    }


def seed_responses(codes: Iterable[str]) -> dict[str, dict]:
    return raw_responses(codes, SEED_ERROR)


def add_standard_errors(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: every REST operation can answer
    the standard errors, so each is documented even where a view forgot it."""
    standard = raw_responses(STANDARD, API_ERROR)
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for operation in operations.values():
            answers = operation.setdefault("responses", {})
            for status, response in standard.items():
                answers.setdefault(status, response)
    return result
