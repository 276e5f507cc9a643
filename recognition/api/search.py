"""Search endpoint: substring search over one team's recognised text."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

import dataclasses

from recognition import filters, search
from recognition.api.common import NewestFirstCursor, resolve_team
from recognition.api.serializers import SearchHitSerializer, SearchQuerySerializer, search_hit
from ocrspace.errors.schema import responses


@extend_schema(
    summary="Search a team's text",
    description=(
        "Case-insensitive substring search (Chinese, English, mixed) over the finished results of one team, "
        "newest first, with cursor pagination. Each hit carries a plain-text `snippet` around the first match "
        "and `matches`: [start, end) offsets into the snippet in Unicode code points. The snippet is not "
        "HTML: escape it, then mark the ranges. The other filter parameters (tag, uploader, status, profile, "
        "pinned, has_notes, dates) narrow the hits as in `GET /api/uploads/`."
    ),
    parameters=[SearchQuerySerializer],
    responses={200: SearchHitSerializer(many=True), **responses("bad_query")},
    examples=[
        OpenApiExample(
            "Chinese query",
            response_only=True,
            value={"upload": {"id": 7, "name": "report.png"}, "snippet": "三月销售报表 合计", "matches": [[2, 6]],
                   "total_matches": 1, "truncated_start": False, "truncated_end": False},
        )
    ],
)
class SearchView(generics.GenericAPIView):
    pagination_class = NewestFirstCursor
    serializer_class = SearchHitSerializer

    def get(self, request: Request) -> Response:
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        team = resolve_team(request, query.validated_data.get("team"))
        q = query.validated_data["q"]
        # The text query as the search reads it; the filter's other conditions on top.
        narrowing = dataclasses.replace(filters.from_data(query.validated_data), q=None)
        uploads = filters.apply(search.search_uploads(team, q), narrowing)
        page = self.paginate_queryset(uploads)
        context = self.get_serializer_context()
        hits = [search_hit(u, search.make_snippet(u.result.text, q), context) for u in page]
        return self.get_paginated_response(hits)
