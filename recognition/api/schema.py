"""Adds ``POST /ocr/recognize`` (a plain async Django view) to the OpenAPI schema."""

from __future__ import annotations

ERROR = {
    "type": "object",
    "properties": {"success": {"type": "boolean", "enum": [False]}, "error": {"type": "string"}},
    "required": ["success", "error"],
}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


RECOGNIZE = {
    "post": {
        "operationId": "ocr_recognize",
        "summary": "Recognise one image and wait for its text",
        "description": (
            "Multipart field `image` (and optional `team`). The image is stored and queued like any upload; the "
            "request then waits up to OCRSPACE_RECOGNIZE_WAIT_SECONDS for the worker. An image the team already "
            "has answers at once (`deduplicated: true`). Not ready in time: 202 with `url` to poll. "
            "Only Bearer tokens are accepted here."
        ),
        "tags": ["ocr"],
        "security": [{"jwtAuth": []}],
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "image": {"type": "string", "format": "binary"},
                            "team": {"type": "string", "description": "Team slug; default: your current team."},
                        },
                        "required": ["image"],
                    }
                }
            },
        },
        "responses": {
            "200": {
                "description": "The recognised text.",
                "content": {"application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "success": {"type": "boolean"},
                            "text": {"type": "string"},
                            "confidence": {"type": "number"},
                            "timestamp": {"type": "string", "format": "date-time"},
                            "id": {"type": "integer"},
                            "md5": {"type": "string"},
                            "lines": {"type": "array", "items": {"type": "object"}},
                            "deduplicated": {"type": "boolean"},
                            "engine_version": {"type": "string"},
                            "url": {"type": "string"},
                        },
                        "required": ["success", "text", "confidence", "timestamp", "id", "md5", "lines", "deduplicated"],
                    },
                    "example": {"success": True, "text": "销售报表 Q3", "confidence": 0.93,
                                "timestamp": "2025-04-05T10:23:45Z", "id": 42, "md5": "9e107d9d372bb6826bd81d3542a419d6",
                                "lines": [], "deduplicated": False},
                }},
            },
            "202": {
                "description": "Still being recognised; poll `url`.",
                "content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {"success": {"type": "boolean"}, "pending": {"type": "boolean"},
                                   "status": {"type": "string"}, "error": {"type": "string"},
                                   "id": {"type": "integer"}, "md5": {"type": "string"},
                                   "deduplicated": {"type": "boolean"}, "url": {"type": "string"}},
                    "required": ["success", "id", "url"],
                }}},
            },
            "400": _error("No image, or not a readable image."),
            "401": _error("Missing, invalid or expired token."),
            "403": _error("Your role does not allow uploads."),
            "404": _error("No such team (or not yours)."),
            "405": _error("Only POST."),
            "409": _error("The image was removed by a moderator."),
            "410": _error("Deleted while waiting."),
            "413": _error("Too large (bytes or pixels)."),
            "415": _error("Unsupported image type."),
            "422": _error("Recognition failed."),
            "429": _error("Too many requests; see Retry-After."),
            "503": _error("Storage unavailable."),
            "507": _error("Storage full."),
        },
    }
}


def add_recognize(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook."""
    result.setdefault("paths", {})["/ocr/recognize"] = RECOGNIZE
    return result


API_ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "errors": {"type": "object"}},
    "required": ["detail"],
}
STANDARD_ERRORS = {
    "400": "Invalid input.",
    "401": "Not authenticated.",
    "403": "Your role in the team does not allow this.",
    "404": "No such object in your teams.",
    "429": "Too many requests; see Retry-After.",
}


def add_standard_errors(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: every REST operation can answer
    the common errors, so each is documented even where a view forgot it."""
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in STANDARD_ERRORS.items():
                responses.setdefault(
                    code, {"description": description, "content": {"application/json": {"schema": API_ERROR}}}
                )
    return result
