"""Export endpoint: a selection of uploads or a search, as a file."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.views import APIView

from recognition import export, search
from recognition.api.common import Rejected, resolve_team
from recognition.api.serializers import ExportDocumentSerializer, ExportQuerySerializer
from recognition.api.uploads import ERRORS, JSONOnlyNegotiation
from recognition.models import Upload

MAX_EXPORT = 5000
MEDIA_TYPES = ["text/plain", "text/csv", "text/markdown"]


@extend_schema(
    summary="Export text",
    description=(
        "Uploads of one team as `txt`, `json`, `csv` or `md` (alias `markdown`), chosen by `ids` (comma-separated; "
        "an id that is not in the team gives 404) or by the search `q` (at most 5000 results). CSV cells that "
        "start with = + - @ are prefixed with ' so spreadsheets never run them; CSV starts with a UTF-8 BOM."
    ),
    parameters=[ExportQuerySerializer],
    responses={
        **{(200, t): OpenApiResponse(OpenApiTypes.BINARY, description="The export file.") for t in MEDIA_TYPES},
        (200, "application/json"): OpenApiResponse(ExportDocumentSerializer, description="format=json"),
        **ERRORS,
    },
)
class ExportView(JSONOnlyNegotiation, APIView):
    def get(self, request: Request) -> HttpResponse:
        query = ExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        team = resolve_team(request, params.get("team"))
        uploads = Upload.objects.of_team(team).select_related("result", "uploaded_by", "team")
        if params.get("ids"):
            ids = params["ids"]
            if len(ids) > MAX_EXPORT:
                raise Rejected(f"At most {MAX_EXPORT} ids per export.", status.HTTP_400_BAD_REQUEST)
            selected = list(uploads.filter(pk__in=ids).order_by("-created_at", "-id"))
            missing = set(ids) - {u.pk for u in selected}
            if missing:
                raise NotFound(f"No such upload in this team: {', '.join(map(str, sorted(missing)))}.")
        else:
            try:
                selected = list(search.search_uploads(team, params["q"])[:MAX_EXPORT])
            except search.SearchError as error:
                raise Rejected(str(error), status.HTTP_400_BAD_REQUEST)
        body, fmt = export.render(selected, params["format"])
        response = HttpResponse(body, content_type=fmt.content_type)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="{team.slug}-{stamp}.{fmt.extension}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
