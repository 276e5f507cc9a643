"""Upload endpoints: list, create (multipart or ZIP), detail, image, delete,
re-run and pin. Every way in goes through ``recognition.ingest``."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiRequest, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ocrspace.errors import Invalid
from ocrspace.errors.api import domain_headers
from ocrspace.errors.codes import status_for
from ocrspace.errors.schema import responses
from recognition import filters, ingest, quotas, selectors, services, zip_import
from recognition.api import corrections as correction_api
from recognition.api.common import (
    NewestFirstCursor, batch_payload, batch_status, form_team, request_source, requested_profile, requested_tags,
    resolve_team,
)
from recognition.api.serializers import (
    TAGS_ENCODING,
    BatchResultSerializer,
    LayoutQuerySerializer,
    RerunSerializer,
    UploadCreateSerializer,
    UploadDetailSerializer,
    UploadListQuerySerializer,
    UploadSerializer,
    ZipCreateSerializer,
)
from recognition.models import Upload
from recognition.web.files import image_response
from teams.roles import Capability

ERRORS = responses()
# When every file of a batch is refused for the same reason, the answer has
# that reason's status and the batch report as its body.
UPLOAD_ERRORS = responses(
    "no_file", "tag_refused", "unknown_profile", "empty_file", "corrupt_image", "image_removed", "file_too_large",
    "image_too_large", "unsupported_image", "storage_unavailable", "storage_full",
    "pdf_damaged", "pdf_encrypted", "pdf_empty", "pdf_too_many_pages", "storage_quota_exceeded",
    "queue_quota_exceeded",
    shapes={413: BatchResultSerializer, 415: BatchResultSerializer},
)
ZIP_ERRORS = responses(
    "no_file", "tag_refused", "unknown_profile", "bad_archive", "empty_archive", "unsafe_entry", "encrypted_entry",
    "damaged_entry", "image_removed", "too_many_files", "archive_too_large", "entry_too_large", "file_too_large",
    "image_too_large", "unsupported_image", "nested_archive", "unsupported_compression", "storage_unavailable",
    "storage_full", "pdf_damaged", "pdf_encrypted", "pdf_empty", "pdf_too_many_pages", "storage_quota_exceeded",
    "queue_quota_exceeded",
    shapes={413: BatchResultSerializer, 415: BatchResultSerializer},
)
BATCH_EXAMPLE = OpenApiExample(
    "Two files, one refused",
    status_codes=["207"],
    response_only=True,
    value={
        "team": "sales", "created": 1, "deduplicated": 0, "failed": 1,
        "detail": "“notes.png”: The file is not an image this server can read.",
        "results": [
            {"name": "shot.png", "ok": True, "status": 201, "error": "", "deduplicated": False, "upload": {"id": 41}},
            {"name": "notes.png", "ok": False, "status": 415, "error": "…", "deduplicated": False, "upload": None},
        ],
    },
)


class JSONOnlyNegotiation:
    """Views that answer with a file: errors are JSON whatever ``Accept`` says
    (and ``?format=`` is the export's own parameter, not DRF's)."""

    def perform_content_negotiation(self, request, force=False):
        return JSONRenderer(), JSONRenderer.media_type


def batch_response(team, results, request) -> Response:
    code = batch_status(results)
    payload = batch_payload(team, results, {"request": request})
    failed = [r for r in results if not r.ok]
    headers = {}
    if failed:
        # A top-level message too, for clients that only look at "detail".
        first = failed[0]
        payload["detail"] = first.message if first.name in first.message else f"“{first.name}”: {first.message}"
        refused = next((r.error for r in failed if isinstance(r.error, quotas.QuotaExceeded)), None)
        if refused is not None:
            payload.update(refused.extra or {})
            if code == status_for(refused.code):
                # Every file refused alike: the answer is the refusal's own
                # (with the error body's detail and code).
                payload["detail"], payload["code"] = refused.message, refused.code
                headers = domain_headers(refused)
    return Response(payload, status=code, headers=headers or None)


@extend_schema_view(
    get=extend_schema(
        summary="List uploads",
        description="Uploads of your teams, newest first, with cursor pagination, narrowed by the filter "
                    "parameters (all together; the same filter as the team space and the saved searches).",
        parameters=[UploadListQuerySerializer],
        responses={200: UploadSerializer(many=True), **ERRORS},
    ),
    post=extend_schema(
        summary="Upload images",
        description=(
            "Multipart form: repeat the `files` field for several images, `team` chooses the team "
            "(default: your current one). Each file is validated, deduplicated by content and queued. "
            "201 when something new was stored, 200 when all files were already in the team, 207 when "
            "some files failed; when all failed, the failure's status (400, 413, 415, …). "
            "Each file has its own entry in `results`."
        ),
        request={"multipart/form-data": OpenApiRequest(UploadCreateSerializer, encoding=TAGS_ENCODING)},
        responses={200: BatchResultSerializer, 201: BatchResultSerializer, 207: BatchResultSerializer, **UPLOAD_ERRORS},
        examples=[BATCH_EXAMPLE],
    ),
)
class UploadListCreate(generics.ListAPIView):
    serializer_class = UploadSerializer
    pagination_class = NewestFirstCursor
    parser_classes = [MultiPartParser, FormParser]

    @property
    def throttle_scope(self) -> str | None:
        return "upload" if self.request.method == "POST" else None

    def get_queryset(self):
        query = UploadListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        uploads = selectors.visible_uploads(self.request.user)
        if params.get("team"):
            uploads = uploads.filter(team=resolve_team(self.request, params["team"]))
        return filters.apply(uploads, filters.from_data(params))

    def post(self, request: Request) -> Response:
        files = request.FILES.getlist("files") or request.FILES.getlist("file")
        if not files:
            raise Invalid("Attach one or more images in the “files” field.", "no_file")
        team = resolve_team(request, form_team(request), Capability.UPLOAD)
        profile = requested_profile(request, team)
        tags = requested_tags(request, team)
        # One byte over the limit is enough for create_upload to refuse the
        # file; a huge upload is never read into memory in full.
        cap = settings.OCRSPACE_MAX_UPLOAD_BYTES + 1
        source = request_source(request)
        results = ingest.ingest_each(
            ingest.Incoming(source, team, request.user, f.name or "image", f.read(cap), profile, tags) for f in files
        )
        return batch_response(team, results, request)


@extend_schema(
    summary="Upload a ZIP archive of images",
    description=(
        "Multipart form with one `archive` (a ZIP) and optional `team`. Every image inside is imported like a "
        "single upload; bad entries (not images, too large, unsafe paths, nested archives) are reported one by "
        "one and do not stop the others. Limits on the number of files and the unpacked size refuse the whole "
        "archive (413) before anything is stored. Status codes as for multipart uploads."
    ),
    request={"multipart/form-data": OpenApiRequest(ZipCreateSerializer, encoding=TAGS_ENCODING)},
    responses={200: BatchResultSerializer, 201: BatchResultSerializer, 207: BatchResultSerializer, **ZIP_ERRORS},
    examples=[BATCH_EXAMPLE],
)
class UploadZip(APIView):
    parser_classes = [MultiPartParser, FormParser]
    throttle_scope = "upload"

    def post(self, request: Request) -> Response:
        archive = request.FILES.get("archive") or request.FILES.get("file")
        if archive is None:
            raise Invalid("Attach a ZIP archive in the “archive” field.", "no_file")
        team = resolve_team(request, form_team(request), Capability.UPLOAD)
        profile = requested_profile(request, team)
        limits = zip_import.ZipLimits.from_settings()
        if archive.size > limits.max_total_bytes:
            raise zip_import.ArchiveRejected("The archive is larger than the unpacked-size limit.", "archive_too_large")
        tags = requested_tags(request, team)
        results = zip_import.import_archive(team, request.user, archive, limits, profile, tags=tags)
        if not results:
            raise zip_import.ArchiveRejected("The archive contains no files.", "empty_archive")
        return batch_response(team, results, request)


@extend_schema_view(
    get=extend_schema(summary="Upload detail with result", parameters=[LayoutQuerySerializer],
                      responses={200: UploadDetailSerializer, **ERRORS}),
    delete=extend_schema(
        summary="Delete an upload",
        description="The uploader, team admins and owners may delete.",
        responses={204: None, **ERRORS},
    ),
    patch=correction_api.PATCH_SCHEMA,
)
class UploadDetail(generics.RetrieveDestroyAPIView):
    serializer_class = UploadDetailSerializer
    parser_classes = [JSONParser]  # a correction (PATCH) is JSON; GET and DELETE have no body

    def get_queryset(self):
        return selectors.visible_uploads(self.request.user)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        query = LayoutQuerySerializer(data=request.query_params)  # ?layout= adds result.layout
        query.is_valid(raise_exception=True)
        upload = self.get_object()
        serializer = self.get_serializer(upload)
        serializer.context["layout"] = query.validated_data.get("layout")
        response = Response(serializer.data)
        result = selectors.done_result(upload)
        if result is not None:
            response["ETag"] = correction_api.etag(result)  # for If-Match on PATCH
        return response

    def patch(self, request: Request, pk: int) -> Response:
        return correction_api.patch_text(request, self.get_object())

    def perform_destroy(self, upload: Upload) -> None:
        services.delete_upload(upload, self.request.user)


IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif", "image/bmp", "image/tiff", "image/heic",
               "image/avif", "application/pdf"]


@extend_schema(
    summary="The uploaded image (or PDF document), as stored",
    responses={
        **{(200, t): OpenApiResponse(OpenApiTypes.BINARY, description="The file's bytes.") for t in IMAGE_TYPES},
        **ERRORS,
    },
)
class UploadImage(JSONOnlyNegotiation, generics.GenericAPIView):
    def get_queryset(self):
        return Upload.objects.for_user(self.request.user)

    def get(self, request: Request, pk: int):
        return image_response(self.get_object(), request)


@extend_schema(
    summary="Run OCR again",
    description="Drops the result and queues the upload (no effect while it is queued or processing). "
                "It takes a place in the team's queue: 429 with Retry-After when the team's queue quota is full.",
    request=RerunSerializer,
    responses={202: UploadSerializer, **responses("unknown_profile", "queue_quota_exceeded")},
)
class UploadRerun(generics.GenericAPIView):
    serializer_class = UploadSerializer

    def get_queryset(self):
        return selectors.visible_uploads(self.request.user)

    def post(self, request: Request, pk: int) -> Response:
        options = RerunSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        upload = services.rerun(self.get_object(), request.user, options.validated_data.get("profile"))
        return Response(UploadSerializer(upload, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    post=extend_schema(summary="Pin (exempt from retention)", request=None, responses={200: UploadSerializer, **ERRORS}),
    delete=extend_schema(summary="Unpin", request=None, responses={200: UploadSerializer, **ERRORS}),
)
class UploadPin(generics.GenericAPIView):
    serializer_class = UploadSerializer

    def get_queryset(self):
        return selectors.visible_uploads(self.request.user)

    def _set(self, request: Request, pinned: bool) -> Response:
        upload = services.set_pinned(self.get_object(), request.user, pinned)
        return Response(UploadSerializer(upload, context={"request": request}).data)

    def post(self, request: Request, pk: int) -> Response:
        return self._set(request, True)

    def delete(self, request: Request, pk: int) -> Response:
        return self._set(request, False)
