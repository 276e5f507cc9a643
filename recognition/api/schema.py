"""Adds ``POST /ocr/recognize`` (a plain async Django view) to the OpenAPI schema."""

from __future__ import annotations

from ocrspace.errors.schema import seed_responses

# The codes /ocr/recognize can answer with (the view's own refusals, the
# team lookup, everything create_upload refuses, the outcome).
RECOGNIZE_ERRORS = (
    "no_file", "unknown_profile", "empty_file", "corrupt_image", "image_error", "not_authenticated",
    "authentication_failed", "permission_denied", "not_found", "method_not_allowed", "image_removed",
    "upload_deleted", "request_too_large", "file_too_large", "image_too_large", "unsupported_image",
    "recognition_failed", "throttled", "storage_unavailable", "storage_full", "unknown_layout",
    # documents and archives
    "pdf_damaged", "pdf_encrypted", "pdf_empty", "pdf_too_many_pages", "bad_archive", "empty_archive",
    "too_many_files", "archive_too_large",
    # team quotas (recognition.quotas)
    "storage_quota_exceeded", "queue_quota_exceeded",
)

PAGE = {
    "type": "object",
    "properties": {
        "page": {"type": "integer"},
        "source": {"type": "string", "enum": ["text_layer", "ocr"]},
        "width": {"type": "integer"},
        "height": {"type": "integer"},
        "text": {"type": "string"},
        "confidence": {"type": "number"},
        "lines": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["page", "source", "text", "confidence", "lines"],
}
# One member of a ZIP: the single answer's fields with its own success, or
# {"success": false, "error": ...} (and "pending" when not ready in time).
BATCH_ENTRY = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "success": {"type": "boolean"},
        "error": {"type": "string"},
        "code": {"type": "string"},
        "pending": {"type": "boolean"},
        "text": {"type": "string"},
        "pages": {"type": "array", "items": PAGE},
        "id": {"type": "integer"},
        "url": {"type": "string"},
    },
    "required": ["name", "success"],
}


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
                            "layout": {"type": "string", "enum": ["lines", "paragraphs", "code"],
                                       "description": "Layout mode of the answer's `text` (default: lines)."},
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
                    "schema": {"oneOf": [{
                        "type": "object",
                        "properties": {
                            "success": {"type": "boolean"},
                            "text": {"type": "string", "description": "Pages of a PDF are separated by a form feed."},
                            "confidence": {"type": "number"},
                            "timestamp": {"type": "string", "format": "date-time"},
                            "id": {"type": "integer"},
                            "md5": {"type": "string"},
                            "lines": {"type": "array", "items": {"type": "object"}},
                            "deduplicated": {"type": "boolean"},
                            "engine_version": {"type": "string"},
                            "url": {"type": "string"},
                            "layout": {"type": "string", "description": "The layout asked for, if one was."},
                            "page_count": {"type": "integer"},
                            "pages": {"type": "array", "items": PAGE},
                        },
                        "required": ["success", "text", "confidence", "timestamp", "id", "md5", "lines", "deduplicated"],
                    }, {
                        "type": "object",
                        "properties": {"success": {"type": "boolean"},
                                       "results": {"type": "array", "items": BATCH_ENTRY}},
                        "required": ["success", "results"],
                    }]},
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
            **seed_responses(RECOGNIZE_ERRORS),
        },
    }
}


def add_recognize(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook."""
    result.setdefault("paths", {})["/ocr/recognize"] = RECOGNIZE
    return result
