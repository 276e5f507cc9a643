"""Tables of a result: their cells as JSON, and as CSV (one table) or XLSX
(every table) files."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from ocrspace.api_input import StrictInput
from ocrspace.errors.schema import responses
from recognition import result_outputs, selectors
from recognition.api.uploads import JSONOnlyNegotiation
from recognition.outputs import tablefiles
from teams.roles import Scope


class TableCellSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="0-based row of its top-left corner.")
    column = serializers.IntegerField(help_text="0-based column of its top-left corner.")
    row_span = serializers.IntegerField(min_value=1)
    column_span = serializers.IntegerField(min_value=1)
    text = serializers.CharField(allow_blank=True)
    box = serializers.ListField(child=serializers.IntegerField(), min_length=4, max_length=4,
                                help_text="[x0, y0, x1, y1] in image pixels.")


class TableSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Number of the table in the result, from 0.")
    page = serializers.IntegerField(help_text="Page of the upload it stands on, from 1.")
    rows = serializers.IntegerField()
    columns = serializers.IntegerField()
    box = serializers.ListField(child=serializers.IntegerField(), min_length=4, max_length=4)
    lines = serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2,
                                  help_text="First and last line (0-based) of the text that the table holds.")
    cells = TableCellSerializer(many=True)


class TablesSerializer(serializers.Serializer):
    upload = serializers.IntegerField()
    version = serializers.IntegerField(help_text="Version of the text the tables were made from.")
    tables = TableSerializer(many=True)


class TableFileQuerySerializer(StrictInput):
    format = serializers.ChoiceField(choices=["csv", "xlsx"], help_text="csv: one table; xlsx: every table, one "
                                     "sheet each, spanning cells merged.")
    table = serializers.IntegerField(min_value=0, max_value=10_000, required=False,
                                     help_text="csv: which table (from 0; default 0).")


class _FinishedUpload(generics.GenericAPIView):
    token_scope = Scope.READ

    def get_queryset(self):
        return selectors.visible_uploads(self.request.user)


@extend_schema(
    summary="Tables of a result, with their cells",
    description=(
        "Tables found in the result's lines (rows of cells the engine separated by column gaps), computed from the "
        "current text: cells with row and column (from 0), spans, text and box. An upload without a finished "
        "result answers 409."
    ),
    responses={200: TablesSerializer, **responses("no_text_yet")},
)
class UploadTables(_FinishedUpload):
    serializer_class = TablesSerializer

    def get(self, request: Request, pk: int) -> Response:
        upload = self.get_object()
        found = result_outputs.tables(upload)
        return Response({"upload": upload.pk, "version": upload.result.version,
                         "tables": [t.to_dict() for t in found]})


TYPES = {"csv": tablefiles.CSV_TYPE, "xlsx": tablefiles.XLSX_TYPE}


@extend_schema(
    summary="Tables of a result as CSV or XLSX",
    description=(
        "`format=csv` gives one table (`table`, default 0) as CSV with a UTF-8 BOM; `format=xlsx` a workbook with "
        "every table on its own sheet, spanning cells merged. Cells are text, never formulas (CSV cells starting "
        "with = + - @ get a leading ')."
    ),
    parameters=[TableFileQuerySerializer],
    responses={
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="format=csv"),
        (200, tablefiles.XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="format=xlsx"),
        **responses("no_text_yet", "unknown_table"),
    },
)
class UploadTableFile(JSONOnlyNegotiation, _FinishedUpload):
    def get(self, request: Request, pk: int) -> HttpResponse:
        query = TableFileQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        fmt = query.validated_data["format"]
        upload = self.get_object()
        if fmt == "csv":
            index = query.validated_data.get("table", 0)
            data, name = tablefiles.to_csv(result_outputs.table(upload, index)), f"upload-{upload.pk}-table-{index}.csv"
        else:
            data, name = tablefiles.to_xlsx(result_outputs.tables(upload)), f"upload-{upload.pk}-tables.xlsx"
        response = HttpResponse(data, content_type=TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
