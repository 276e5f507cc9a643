"""Helpers shared by the recognition API views."""

from __future__ import annotations

import json

from rest_framework import serializers
from rest_framework import status as http
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination

from ocrspace.api_input import StrictInput
from ocrspace.errors.codes import status_for
from recognition import services
from recognition.ingest import ItemResult, Source
from recognition.tags.services import NAME_PATTERN
from teams.models import Team
from teams.roles import Capability
from teams.selectors import team_for


def requested_profile(request, team: Team) -> str:
    """The engine profile asked for in the form's ``profile`` field, checked
    (400 naming the profiles), else the team's or the server's default."""
    return services.resolve_profile(team, request.data.get("profile"))


class TagNames(StrictInput):
    tags = serializers.ListField(
        child=serializers.RegexField(NAME_PATTERN.pattern, max_length=40, trim_whitespace=False), max_length=20)


def requested_tags(request, team: Team) -> tuple[str, ...]:
    """The tags a multipart upload asks for: the ``tags`` field, once, a
    JSON array of names (a form field is only text, so the array is JSON,
    as the schema's encoding says). Checked, and missing tags made, before
    any file is stored: a bad name refuses the request with nothing written."""
    from recognition.tags import services as tag_services

    getlist = getattr(request.data, "getlist", None)
    values = getlist("tags") if getlist else []
    if not values:
        return ()
    if len(values) > 1:
        raise ValidationError({"tags": ["Give this field once: a JSON array of tag names."]})
    try:
        names = json.loads(values[0])
    except ValueError:
        raise ValidationError({"tags": ['A JSON array of tag names, e.g. ["invoice", "2026"].']}) from None
    form = TagNames(data={"tags": names})
    form.is_valid(raise_exception=True)
    names = form.validated_data["tags"]
    if not names:
        return ()
    return tuple(t.name for t in tag_services.resolve(team, request.user, names))


def request_source(request) -> Source:
    """The page's own calls carry the session cookie; clients carry a token."""
    return Source.API if request.auth is not None else Source.BROWSER


class TeamFormField(StrictInput):
    team = serializers.SlugField(required=False)


def form_team(request) -> str | None:
    """The optional ``team`` field of a multipart form, validated like the
    schema states it (a slug, once; an empty value is refused, not ignored)."""
    form = TeamFormField(data=request.data)
    form.is_valid(raise_exception=True)
    return form.validated_data.get("team")


def resolve_team(request, slug: str | None, capability: str = Capability.VIEW) -> Team:
    """The team of an API request (see ``teams.selectors.team_for``)."""
    claim = request.auth.get("team") if hasattr(request.auth, "get") else None
    return team_for(request.user, slug, claim, capability)


class NewestFirstCursor(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request) -> int:
        """``page_size`` as the schema states it: one integer in 1..200."""
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        if len(values) > 1:
            raise ValidationError({self.page_size_query_param: ["Give this parameter once."]})
        value = values[0].strip()
        if not value.isdecimal() or not 1 <= int(value) <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]})
        return int(value)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters


def item_status(result: ItemResult) -> int:
    """One file's status in a batch: 201 stored, 200 already there, else
    the status of its error's code."""
    if result.error is not None:
        return status_for(result.error.code)
    return http.HTTP_201_CREATED if result.created else http.HTTP_200_OK


def batch_status(results: list[ItemResult]) -> int:
    """201 when something new was stored, 200 when every file was already
    there, 207 when some files failed, else the failure's own status."""
    ok = [r for r in results if r.ok]
    failed = [r for r in results if not r.ok]
    if not results:
        return http.HTTP_400_BAD_REQUEST
    if failed and ok:
        return http.HTTP_207_MULTI_STATUS
    if failed:
        statuses = {item_status(r) for r in failed}
        return statuses.pop() if len(statuses) == 1 else http.HTTP_400_BAD_REQUEST
    return http.HTTP_201_CREATED if any(r.created for r in ok) else http.HTTP_200_OK


def batch_payload(team: Team, results: list[ItemResult], context: dict) -> dict:
    from recognition.api.serializers import UploadSerializer

    return {
        "team": team.slug,
        "created": sum(1 for r in results if r.created),
        "deduplicated": sum(1 for r in results if r.deduplicated),
        "failed": sum(1 for r in results if not r.ok),
        "results": [
            {
                "name": r.name,
                "ok": r.ok,
                "status": item_status(r),
                "error": r.message,
                "deduplicated": r.deduplicated,
                "upload": UploadSerializer(r.upload, context=context).data if r.upload else None,
            }
            for r in results
        ],
    }
