"""Correcting an upload's text through the API, with optimistic concurrency.

``PATCH /api/uploads/<id>/`` (routed through ``uploads.UploadDetail``) takes
``{"text": ..., "version": N}`` or ``{"lines": [{"index": i, "text": ...}],
"version": N}``; instead of ``version`` an ``If-Match`` header with the
ETag of ``GET /api/uploads/<id>/`` works too. A stale ``version`` answers
409, a stale ``If-Match`` 412 (as HTTP has it), both with the current
version and text, and nothing is saved. The history of versions, one
version with its diff, and reverting are views of their own here.
"""

from __future__ import annotations

import re

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework import status as http
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from ocrspace.api_input import StrictInput
from ocrspace.errors import DomainError, Invalid, NotFound
from ocrspace.errors.schema import responses
from recognition import corrections, history, selectors
from recognition.models import Result, TextVersion, Upload

ERRORS = responses("correction_refused", "bad_precondition")
ETAG = re.compile(r'^"v(\d{1,18})"$')


def etag(result: Result) -> str:
    """The ETag of an upload's text: changes exactly when its version does."""
    return f'"v{result.version}"'


class LineEditSerializer(StrictInput):
    index = serializers.IntegerField(min_value=0, max_value=1_000_000, help_text="0-based line of `result.text`.")
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=corrections.MAX_TEXT_CHARS,
                                 help_text="The line's new text (no line break).")


class TextEditSerializer(StrictInput):
    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False,
                                 max_length=corrections.MAX_TEXT_CHARS, help_text="The whole new text.")
    lines = serializers.ListField(child=LineEditSerializer(), required=False, min_length=1, max_length=10_000,
                                  help_text="Lines to replace; the others stay.")
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1,
                                       help_text="`result.version` the change was made on (or send If-Match).")

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if ("text" in attrs) == ("lines" in attrs):
            raise serializers.ValidationError("Give either “text” (the whole text) or “lines”, not both.")
        return attrs


class TextStateSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The upload.")
    version = serializers.IntegerField(help_text="The current version of the text.")
    text = serializers.CharField(allow_blank=True, help_text="The current text.")
    engine_text = serializers.CharField(allow_blank=True, help_text="What the engine read.")
    corrected = serializers.BooleanField(help_text="The current text differs from the engine's reading.")
    history_url = serializers.CharField()


class ConflictSerializer(serializers.Serializer):
    """409/412: ``detail`` always; the current text state when the text
    changed meanwhile (not when the upload has no finished text at all)."""

    detail = serializers.CharField()
    id = serializers.IntegerField(required=False)
    version = serializers.IntegerField(required=False, help_text="The current version: send this one.")
    text = serializers.CharField(required=False, allow_blank=True, help_text="The current text.")
    engine_text = serializers.CharField(required=False, allow_blank=True)
    corrected = serializers.BooleanField(required=False)
    history_url = serializers.CharField(required=False)


class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["read", "edit", "revert"],
                                   help_text="read: the engine's reading; edit: a correction; "
                                             "revert: an older text restored.")
    author = serializers.CharField(allow_null=True, help_text="Username; null for the engine.")
    created_at = serializers.DateTimeField()
    text = serializers.CharField(allow_blank=True)
    parent = serializers.IntegerField(allow_null=True, help_text="The version that was current before this one.")
    reverted_to = serializers.IntegerField(allow_null=True)
    became_current = serializers.BooleanField(
        help_text="False for a reading that arrived while a correction was current (revert to it to use it).")
    profile = serializers.CharField(allow_blank=True)
    engine_version = serializers.CharField(allow_blank=True)


class HistorySerializer(serializers.Serializer):
    current = serializers.IntegerField(help_text="The current version.")
    versions = VersionSerializer(many=True, help_text="Newest first.")


class DiffRowSerializer(serializers.Serializer):
    op = serializers.ChoiceField(choices=["equal", "delete", "insert", "replace"])
    old = serializers.CharField(allow_null=True, allow_blank=True)
    new = serializers.CharField(allow_null=True, allow_blank=True)
    old_number = serializers.IntegerField(allow_null=True)
    new_number = serializers.IntegerField(allow_null=True)
    pieces = serializers.ListField(child=serializers.ListField(child=serializers.CharField(allow_blank=True)),
                                   help_text="For replace: [op, text] pieces of the line (equal, delete, insert).")


class VersionDetailSerializer(VersionSerializer):
    diff = DiffRowSerializer(many=True, help_text="What this version changed in the text current before it.")


class RevertSerializer(StrictInput):
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1,
                                       help_text="The current version you saw (or send If-Match); optional.")


def text_state(upload: Upload, result: Result) -> dict:
    return {
        "id": upload.pk,
        "version": result.version,
        "text": result.text,
        "engine_text": result.engine_text,
        "corrected": result.text != result.engine_text,
        "history_url": reverse("api-upload-versions", args=[upload.pk]),
    }


def version_data(entry: TextVersion) -> dict:
    return {
        "number": entry.number,
        "kind": entry.kind,
        "author": (entry.author.get_username() if entry.author else entry.author_name) or None,
        "created_at": entry.created_at,
        "text": entry.text,
        "parent": entry.parent,
        "reverted_to": entry.reverted_to,
        "became_current": entry.became_current,
        "profile": entry.profile,
        "engine_version": entry.engine_version,
    }


def _if_match(request: Request) -> tuple[bool, int | None]:
    """(given, expected version) from ``If-Match``; ``*`` expects none."""
    header = request.headers.get("If-Match")
    if header is None:
        return False, None
    tags = [tag.strip() for tag in header.split(",") if tag.strip()]
    if tags == ["*"]:
        return True, None
    if len(tags) != 1 or not ETAG.match(tags[0]):
        raise Invalid('If-Match takes one ETag of this upload\'s text, such as "v3" (with the quotes), or *.',
                      "bad_precondition")
    return True, int(ETAG.match(tags[0]).group(1))


def _expected(request: Request, body_version: int | None, required: bool) -> tuple[int | None, bool]:
    """The version a change expects, and whether it came from If-Match."""
    given, header_version = _if_match(request)
    if given and body_version is not None and header_version is not None and header_version != body_version:
        raise Invalid("If-Match and “version” name different versions.", "bad_precondition")
    if body_version is not None:
        return body_version, False
    if not given and required:
        raise DomainError("Say which version you corrected: send “version” (result.version) or an If-Match header "
                          "with the ETag.", "version_required")
    return header_version, given


def _answer(upload: Upload, call, from_header: bool) -> Response:
    try:
        result = call()
    except corrections.StaleVersion as stale:
        code = http.HTTP_412_PRECONDITION_FAILED if from_header else http.HTTP_409_CONFLICT
        body = {"detail": str(stale), "code": "version_mismatch" if from_header else "stale_version",
                **text_state(upload, stale.result)}
        return Response(body, status=code, headers={"ETag": etag(stale.result)})
    return Response(text_state(upload, result), headers={"ETag": etag(result)})


def patch_text(request: Request, upload: Upload) -> Response:
    """The PATCH of an upload (see the module docstring)."""
    edit = TextEditSerializer(data=request.data)
    edit.is_valid(raise_exception=True)
    data = edit.validated_data
    expected, from_header = _expected(request, data.get("version"), required=True)
    if "text" in data:
        return _answer(upload, lambda: corrections.correct_text(upload, request.user, data["text"], expected),
                       from_header)
    changes = [corrections.LineChange(line["index"], line["text"]) for line in data["lines"]]
    return _answer(upload, lambda: corrections.correct_lines(upload, request.user, changes, expected), from_header)


PATCH_SCHEMA = extend_schema(
    summary="Correct the text",
    description=(
        "The whole text (`text`) or some lines (`lines`, indexes into the lines of `result.text`), with the "
        "`version` it was made on, or an `If-Match` header holding the ETag of the upload's GET. 200 with the "
        "new version; 409 (stale `version`) or 412 (stale If-Match) with the current version and text, nothing "
        "saved; 428 when neither is given. Members and above; the engine's reading is kept (`engine_text`)."
    ),
    request=TextEditSerializer,
    responses={200: TextStateSerializer, 409: ConflictSerializer, 412: ConflictSerializer,
               **responses("correction_refused", "bad_precondition", "not_ready", "version_required")},
)


class UploadVersions(generics.GenericAPIView):
    serializer_class = HistorySerializer

    def get_queryset(self):
        return selectors.visible_uploads(self.request.user)

    @extend_schema(operation_id="uploads_versions_list", summary="Text history",
                   description="Every version of the text, newest first.",
                   responses={200: HistorySerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        upload = self.get_object()
        result = selectors.done_result(upload)
        entries = history.versions(upload)
        current = result.version if result else (entries[0].number if entries else 0)
        return Response({"current": current, "versions": [version_data(e) for e in entries]})


class UploadVersionDetail(generics.GenericAPIView):
    serializer_class = VersionDetailSerializer

    def get_queryset(self):
        return selectors.visible_uploads(self.request.user)

    @extend_schema(operation_id="uploads_version_retrieve", summary="One text version with its diff",
                   responses={200: VersionDetailSerializer, **ERRORS})
    def get(self, request: Request, pk: int, number: int) -> Response:
        upload = self.get_object()
        entry = history.version(upload, number)
        if entry is None:
            raise NotFound(f"This upload has no version {number}.")
        rows = history.diff(history.parent_text(upload, entry), entry.text)
        return Response({**version_data(entry), "diff": [row.__dict__ for row in rows]})


class UploadVersionRevert(generics.GenericAPIView):
    serializer_class = RevertSerializer  # describes the body (OPTIONS); the answer is a TextState
    parser_classes = [JSONParser]

    def get_queryset(self):
        return selectors.visible_uploads(self.request.user)

    @extend_schema(
        summary="Revert to a version",
        description="Makes this version's text current again, as a new version (nothing is removed). With "
                    "`version` or If-Match, refused like a stale PATCH (409/412) when the text changed meanwhile.",
        request=RevertSerializer,
        responses={200: TextStateSerializer, 409: ConflictSerializer, 412: ConflictSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int, number: int) -> Response:
        options = RevertSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        upload = self.get_object()
        expected, from_header = _expected(request, options.validated_data.get("version"), required=False)
        return _answer(upload, lambda: corrections.revert(upload, request.user, number, expected), from_header)
