"""The one description of "which uploads": a filter, read from a query string.

The team space, the search page, the REST list (``GET /api/uploads/``), the
bulk actions' "select all matching" and the saved searches all describe a
selection of uploads with the same query-string parameters, read by
``parse`` and applied by ``apply``, so two of them can never disagree on
what a filter means:

``q``             text, file name or a note contains this (any language)
``uploader``      username of the uploader
``status``        queued, processing, done, failed
``tag``           tag name; repeat it for uploads that have every one of them
``profile``       the engine profile the upload is read with
``pinned``        ``true`` or ``false``
``has_notes``     ``true`` or ``false``
``date_from``     uploaded on or after this day (``YYYY-MM-DD``, server time zone)
``date_to``       uploaded on or before this day
``created_after`` / ``created_before``  exact moments (ISO 8601), for scripts

All given conditions hold together. ``to_query`` writes a filter back as
the canonical query string (what a saved search stores and the pages put in
their links).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from ocrspace.api_input import StrictInput
from ocrspace.errors import Invalid
from recognition import search
from recognition.models import Note, Upload, UploadStatus

MAX_TAGS = 10
TAG_NAME_LENGTH = 40


class FilterError(Invalid):
    """A filter parameter is malformed; ``errors`` names the parameters."""

    code = "bad_filter"


class QueryTextField(serializers.CharField):
    """Search text: refusals (empty, too long, a NUL) come from
    ``search.normalise_query``, with the message the search shows everywhere."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if type(v).__name__ != "ProhibitNullCharactersValidator"]


class FilterSerializer(StrictInput):
    """The parameters of a filter (the schema documents the API's from it)."""

    # The length is checked after whitespace is collapsed (validate_q).
    q = QueryTextField(required=False, help_text="Text, file name or a note contains this (case-insensitive, "
                              "any language; at most 200 characters).")
    # A username as Django allows it; the pattern tells the schema that blank text is none.
    uploader = serializers.RegexField(r"^[\w.@+-]+$", required=False, max_length=150, help_text="Username of the uploader.")
    status = serializers.ChoiceField(choices=UploadStatus.choices, required=False)
    tag = serializers.ListField(child=serializers.CharField(max_length=TAG_NAME_LENGTH, trim_whitespace=False),
                                required=False,
                                max_length=MAX_TAGS, help_text="Tag name; repeat for uploads having every one.")
    profile = serializers.ChoiceField(choices=list(settings.OCRSPACE_PROFILES), required=False,
                                      help_text="Engine profile the upload is read with.")
    pinned = serializers.BooleanField(required=False, allow_null=True, default=None)
    has_notes = serializers.BooleanField(required=False, allow_null=True, default=None,
                                         help_text="Only uploads with (true) or without (false) notes.")
    date_from = serializers.DateField(required=False, help_text="Uploaded on or after this day (server time zone).")
    date_to = serializers.DateField(required=False, help_text="Uploaded on or before this day (server time zone).")
    created_after = serializers.DateTimeField(required=False, help_text="Uploaded at or after this moment.")
    created_before = serializers.DateTimeField(required=False, help_text="Uploaded before this moment.")

    def validate_q(self, value: str) -> str:
        try:
            return search.normalise_query(value)
        except search.SearchError as error:
            raise serializers.ValidationError(error.message)

    def validate_tag(self, value: list[str]) -> list[str]:
        # Whitespace collapsed as tag names are; a name no tag can have
        # (only spaces) simply matches nothing.
        names = []
        for name in value:
            name = " ".join(name.split()) or name
            if name not in names:
                names.append(name)
        return names


PARAMETERS = tuple(FilterSerializer().fields)


@dataclass(frozen=True)
class UploadFilter:
    q: str | None = None
    uploader: str | None = None
    status: str | None = None
    tag: tuple[str, ...] = ()
    profile: str | None = None
    pinned: bool | None = None
    has_notes: bool | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None

    @property
    def active(self) -> bool:
        """Any condition at all (else: every upload)."""
        return any(getattr(self, f.name) not in (None, ()) for f in fields(self))

    def to_query(self) -> str:
        """The canonical query string of the filter (parameters in a fixed
        order, empty ones left out); ``parse`` reads it back to the same filter."""
        query = QueryDict(mutable=True)
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value == ():
                continue
            if f.name == "tag":
                query.setlist("tag", list(value))
            elif isinstance(value, bool):
                query[f.name] = "true" if value else "false"
            elif isinstance(value, (dt.date, dt.datetime)):
                query[f.name] = value.isoformat()
            else:
                query[f.name] = str(value)
        return query.urlencode()


def _messages(detail) -> dict:
    return {name: [str(m) for m in (messages if isinstance(messages, list) else [messages])]
            for name, messages in detail.items()}


def parse(params, *, form: bool = False) -> UploadFilter:
    """The filter a query string (or a JSON object) describes.

    ``form=True`` for the pages' GET forms, which send every field, empty
    ones too: empty values are left out first. Parameters that are not the
    filter's (``page``, ``team``, …) are ignored. A malformed value raises
    ``FilterError`` naming the parameter.
    """
    if isinstance(params, str):
        params = QueryDict(params)
    if hasattr(params, "getlist"):
        kept = QueryDict(mutable=True)
        for name in PARAMETERS:
            values = [v for v in params.getlist(name) if not (form and not v.strip())]
            if values:
                kept.setlist(name, values)
        params = kept
    else:
        params = {k: v for k, v in params.items() if k in PARAMETERS}
    data = FilterSerializer(data=params)
    try:
        data.is_valid(raise_exception=True)
    except ValidationError as error:
        problems = _messages(error.detail)
        first = next(iter(problems.items()))
        raise FilterError(_("The filter “%(name)s” is not valid: %(problem)s") % {
            "name": first[0], "problem": first[1][0]}, errors=problems) from error
    return from_data(data.validated_data)


def from_data(validated: dict) -> UploadFilter:
    """The filter of data ``FilterSerializer`` (or a subclass) validated."""
    values = {name: validated.get(name) for name in PARAMETERS}
    values["tag"] = tuple(values.get("tag") or ())
    return UploadFilter(**values)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def apply(uploads: QuerySet[Upload], f: UploadFilter) -> QuerySet[Upload]:
    """``uploads`` narrowed to those the filter describes."""
    if f.q:
        # Text, name or a note: one UNION of indexed subqueries (recognition.search).
        uploads = search.filter_by_text(uploads, f.q)
    if f.uploader:
        uploads = uploads.filter(uploaded_by__username=f.uploader)
    if f.status:
        uploads = uploads.filter(status=f.status)
    for name in f.tag:
        # One join per tag: an upload must carry every tag named.
        uploads = uploads.filter(tags__name=name)
    if f.profile:
        uploads = uploads.filter(profile=f.profile)
    if f.pinned is not None:
        uploads = uploads.filter(pinned=f.pinned)
    if f.has_notes is not None:
        has = Exists(Note.objects.filter(upload=OuterRef("pk")))
        uploads = uploads.filter(has if f.has_notes else ~has)
    if f.date_from:
        uploads = uploads.filter(created_at__gte=_day_start(f.date_from))
    if f.date_to:
        uploads = uploads.filter(created_at__lt=_day_start(f.date_to + dt.timedelta(days=1)))
    if f.created_after:
        uploads = uploads.filter(created_at__gte=f.created_after)
    if f.created_before:
        uploads = uploads.filter(created_at__lt=f.created_before)
    return uploads


def team_uploads(team, f: UploadFilter) -> QuerySet[Upload]:
    """The team's uploads the filter describes, newest first, with what the
    lists show loaded. The caller has checked that the requester may view ``team``."""
    uploads = Upload.objects.of_team(team).select_related("uploaded_by", "result", "team").prefetch_related("tags")
    noted = Exists(Note.objects.filter(upload=OuterRef("pk")))
    return apply(uploads, f).annotate(noted=noted).order_by("-created_at", "-id")
