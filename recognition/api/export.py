"""Export endpoint: a team's uploads (all, or selected), streamed as a file."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.views import APIView

from ocrspace.errors.schema import responses
from recognition import export, filters
from recognition.api.common import resolve_team
from recognition.api.serializers import ExportDocumentSerializer, ExportQuerySerializer
from recognition.api.uploads import JSONOnlyNegotiation

MEDIA_TYPES = ["text/plain", "text/csv", "text/markdown", "application/pdf"]
EXTRA_FILTERS = ("tag", "profile", "pinned", "has_notes", "date_from", "date_to")
DESCRIPTION = (
    "The uploads of one team as `txt`, `json`, `csv` or `md` (alias `markdown`), newest first, streamed, or "
    "`pdf`: a searchable PDF of the finished ones (their page images under an invisible text layer on the "
    "word or line boxes; at most OCRSPACE_SEARCHABLE_PDF_MAX_PAGES pages). "
    "With no other parameter: the whole team. `ids` (comma-separated; an id that is not in the team gives 404), "
    "`q` (a search: finished uploads whose text contains it), `status`, `uploader`, `created_after` and "
    "`created_before` narrow it down, all together, with the filter's `tag`, `profile`, `pinned`, `has_notes`, "
    "`date_from` and `date_to` as in `GET /api/uploads/`. CSV cells that start with = + - @ are prefixed with ' so "
    "spreadsheets never run them; CSV starts with a UTF-8 BOM. `layout` (lines, paragraphs, code) lays the text out; "
    "in JSON the laid-out text is `layout_text` beside the signed `text`."
)
RESPONSES = {
    **{(200, t): OpenApiResponse(OpenApiTypes.BINARY, description="The export file.") for t in MEDIA_TYPES},
    (200, "application/json"): OpenApiResponse(ExportDocumentSerializer, description="format=json"),
    **responses("bad_query", "bad_export", "unknown_uploads"),
}


async def _async_chunks(chunks):
    """The chunks for an ASGI server. Django would collect a synchronous
    iterator into one list before sending it; each chunk is made (with its
    database page) in a worker thread instead."""
    done = object()
    while (chunk := await sync_to_async(next)(chunks, done)) is not done:
        yield chunk


@extend_schema_view(
    get=extend_schema(summary="Export text", description=DESCRIPTION, parameters=[ExportQuerySerializer],
                      responses=RESPONSES),
    post=extend_schema(summary="Export text (parameters in the body, for long id lists)", description=DESCRIPTION,
                       request={"application/json": ExportQuerySerializer},
                       responses=RESPONSES),
)
class ExportView(JSONOnlyNegotiation, APIView):
    # The POST body is one JSON object (a form could not say "an object").
    parser_classes = [JSONParser]

    def get(self, request: Request) -> StreamingHttpResponse:
        return self._export(request, request.query_params)

    def post(self, request: Request) -> StreamingHttpResponse:
        return self._export(request, request.data)

    def _export(self, request: Request, data) -> StreamingHttpResponse:
        query = ExportQuerySerializer(data=data)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        team = resolve_team(request, params.get("team"))
        selection = export.Selection(**{k: params.get(k) for k in (
            "ids", "q", "status", "uploader", "created_after", "created_before")})
        # The filter's conditions the selection does not have itself (tag, profile, pinned, notes, days).
        narrowing = filters.from_data({k: params.get(k) for k in EXTRA_FILTERS})
        chunks, fmt = export.stream(filters.apply(export.select(team, selection), narrowing), params["format"],
                                    params["layout"])
        if isinstance(request._request, ASGIRequest):
            chunks = _async_chunks(chunks)
        response = StreamingHttpResponse(chunks, content_type=fmt.content_type)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="{team.slug}-{stamp}.{fmt.extension}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
