"""A team's vocabulary under ``/api/teams/<slug>/vocabulary/``.

Every member of the team (viewers too) may read the list, since it says
which terms their uploads are read with; only admins and owners change it.
The views translate HTTP to ``recognition.vocabulary.services`` calls,
which check the caller's role.
"""
from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ocrspace.api_input import StrictInput
from recognition.api.uploads import ERRORS
from recognition.models import VocabularyTerm
from recognition.vocabulary import csvio, selectors, services
from teams.permissions import get_team
from teams.roles import Capability


class TermSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = VocabularyTerm
        fields = ["id", "term", "note", "created_at", "created_by"]
        read_only_fields = fields


class TermCreateSerializer(StrictInput):
    term = serializers.CharField(max_length=200, help_text="2 to 64 characters; stored NFKC-normalised.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=400)


class ImportSerializer(StrictInput):
    file = serializers.FileField(help_text="UTF-8 CSV: columns term and an optional note; a header row is optional.")
    replace = serializers.BooleanField(required=False, default=False,
                                       help_text="Also remove the terms the file does not list.")


class ImportRefusedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.JSONField(
        required=False,
        help_text="For bad rows: a list of {row, term, error}, one per bad row. For a missing or "
                  "malformed form field: the field errors by name. Absent when the file as a whole is refused "
                  "(not UTF-8, too large).")


class ImportReportSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    removed = serializers.IntegerField()


def refused(error: services.VocabularyRefused) -> Response:
    body = {"detail": str(error)}
    if error.errors:
        body["errors"] = [e.as_dict() for e in error.errors]
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


@extend_schema_view(
    get=extend_schema(summary="Terms of the team's vocabulary", responses={200: TermSerializer(many=True), **ERRORS}),
    post=extend_schema(summary="Add a term (admins, owners)", request=TermCreateSerializer,
                       responses={201: TermSerializer, **ERRORS}),
)
class VocabularyList(APIView):
    def get(self, request: Request, slug: str) -> Response:
        team = get_team(request.user, slug)
        return Response(TermSerializer(selectors.terms_of(team), many=True).data)

    def post(self, request: Request, slug: str) -> Response:
        team = get_team(request.user, slug, Capability.MANAGE_TEAM)
        data = TermCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            row = services.add_term(team, request.user, data.validated_data["term"], data.validated_data.get("note", ""))
        except services.VocabularyRefused as error:
            return refused(error)
        return Response(TermSerializer(row).data, status=status.HTTP_201_CREATED)


@extend_schema(summary="Remove a term (admins, owners)", responses={204: None, **ERRORS})
class VocabularyDetail(APIView):
    def delete(self, request: Request, slug: str, pk: int) -> Response:
        team = get_team(request.user, slug, Capability.MANAGE_TEAM)
        services.delete_term(team, request.user, pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(summary="The vocabulary as CSV", responses={(200, "text/csv"): OpenApiResponse(str), **ERRORS}),
    post=extend_schema(
        summary="Import terms from CSV (admins, owners)",
        description="Adds the file's terms (and updates their notes). Any bad row refuses the whole file with one "
                    "error per row; nothing is imported then.",
        request={"multipart/form-data": ImportSerializer},
        responses={200: ImportReportSerializer,
                   400: OpenApiResponse(ImportRefusedSerializer, description="Bad rows, one error each."),
                   **{k: v for k, v in ERRORS.items() if k != 400}},
        examples=[OpenApiExample("Two bad rows", status_codes=["400"], response_only=True, value={
            "detail": "2 row(s) of the file are not valid; nothing was imported.",
            "errors": [{"row": 3, "term": "", "error": "the term is empty"},
                       {"row": 5, "term": "XK-7731B", "error": "repeats row 2"}]})],
    ),
)
class VocabularyCsv(APIView):
    parser_classes = [MultiPartParser, FormParser]

    def get(self, request: Request, slug: str) -> HttpResponse:
        team = get_team(request.user, slug)
        response = HttpResponse(selectors.export_csv(team), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="vocabulary-{team.slug}.csv"'
        return response

    def post(self, request: Request, slug: str) -> Response:
        team = get_team(request.user, slug, Capability.MANAGE_TEAM)
        data = ImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > csvio.MAX_CSV_BYTES:
            raise ValidationError({"file": [f"The file is larger than {csvio.MAX_CSV_BYTES // 1024} KB."]})
        try:
            report = services.import_csv(team, request.user, upload.read(), data.validated_data["replace"])
        except services.VocabularyRefused as error:
            return refused(error)
        return Response(report.as_dict())
