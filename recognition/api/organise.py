"""Organising a team's uploads over the API: tags, notes, notifications,
saved searches and bulk actions.

The views translate HTTP to the services of ``recognition.tags``,
``recognition.notes``, ``recognition.saved_searches`` and
``recognition.bulk``, which check the caller's role: viewers read, members
tag, write notes and re-read, admins and owners manage the team's tags,
share searches and delete other members' uploads.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ocrspace.api_input import StrictInput
from ocrspace.errors.schema import responses
from recognition import bulk, filters, selectors
from recognition.api.common import NewestFirstCursor
from recognition.models import Note, Notification, SavedSearch, Tag, TagColour
from recognition.notes import selectors as note_selectors
from recognition.notes import services as note_services
from recognition.saved_searches import selectors as saved_selectors
from recognition.saved_searches import services as saved_services
from recognition.tags import selectors as tag_selectors
from recognition.tags import services as tag_services
from teams.permissions import get_team, require
from teams.roles import Capability

TAG_ERRORS = responses("tag_refused")
NOTE_ERRORS = responses("note_refused")


# --- Serializers --------------------------------------------------------------

class TagSerializer(serializers.ModelSerializer):
    upload_count = serializers.IntegerField(read_only=True, help_text="Uploads carrying the tag.")

    class Meta:
        model = Tag
        fields = ["id", "name", "colour", "upload_count", "created_at"]
        read_only_fields = fields


def tag_name_field(**kwargs) -> serializers.RegexField:
    """A tag name as the schema states it: at most 40 characters, at least
    one visible (``tags.services.clean_name`` checks the same)."""
    return serializers.RegexField(tag_services.NAME_PATTERN.pattern, max_length=filters.TAG_NAME_LENGTH,
                                  trim_whitespace=False, **kwargs)


class TagCreateSerializer(StrictInput):
    name = tag_name_field(help_text="At most 40 characters, unique in the team (any case).")
    colour = serializers.ChoiceField(choices=TagColour.choices, required=False, default=TagColour.GREY)


class TagUpdateSerializer(StrictInput):
    at_least_one = True
    name = tag_name_field(required=False)
    colour = serializers.ChoiceField(choices=TagColour.choices, required=False)


class TagNamesSerializer(StrictInput):
    tags = serializers.ListField(child=tag_name_field(),
                                 max_length=tag_services.MAX_TAGS_PER_REQUEST,
                                 help_text="Tag names; a name the team lacks makes a new grey tag.")


class UploadTagSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    colour = serializers.CharField()


class NoteSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author_name", read_only=True)
    body = serializers.CharField(read_only=True, help_text="Plain text; escape it before showing it.")
    mentioned = serializers.SerializerMethodField()

    class Meta:
        model = Note
        fields = ["id", "author", "body", "created_at", "mentioned"]
        read_only_fields = fields

    def get_mentioned(self, note: Note) -> list[str]:
        return sorted(n.user.get_username() for n in note.notifications.all())


class NoteCreateSerializer(StrictInput):
    body = serializers.CharField(max_length=note_services.MAX_NOTE_CHARS,
                                 help_text="Plain text; `@username` mentions a member of the team.")


class NotificationSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    upload_id = serializers.IntegerField(source="note.upload_id", read_only=True)
    upload_name = serializers.CharField(source="note.upload.original_name", read_only=True)
    note = NoteSerializer(read_only=True)
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "team", "upload_id", "upload_name", "note", "created_at", "read"]
        read_only_fields = fields

    def get_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class NotificationQuerySerializer(StrictInput):
    unread = serializers.BooleanField(required=False, default=False, help_text="Only the unread ones.")


class MarkReadSerializer(StrictInput):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False,
                                max_length=1000, help_text="Which ones; none given: all of yours.")


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
    unread = serializers.IntegerField()


class SavedSearchSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = SavedSearch
        fields = ["id", "name", "query", "shared", "owner", "created_at"]
        read_only_fields = fields


class SavedSearchCreateSerializer(StrictInput):
    name = serializers.CharField(max_length=saved_services.NAME_LENGTH)
    query = serializers.CharField(max_length=1000, help_text="The filter as a query string, as in "
                                  "`GET /api/uploads/` (e.g. `tag=invoice&status=done`).")
    shared = serializers.BooleanField(required=False, default=False, help_text="For the whole team (admins, owners).")


class BulkSerializer(StrictInput):
    action = serializers.ChoiceField(choices=[a for a in bulk.ACTIONS if a != "export"])
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False,
                                min_length=1, max_length=bulk.MAX_SELECTION, help_text="The selected uploads.")
    matching = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                     help_text="Instead of `ids`: every upload matching this filter (a query "
                                               "string as in `GET /api/uploads/`; empty: the whole team).")
    tags = serializers.ListField(child=tag_name_field(), required=False,
                                 max_length=tag_services.MAX_TAGS_PER_REQUEST, help_text="For tag and untag.")
    profile = serializers.CharField(required=False, max_length=20, help_text="For rerun: the engine profile.")


class RefusedItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    reason = serializers.CharField()


class BulkSummarySerializer(serializers.Serializer):
    action = serializers.CharField()
    selected = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField(help_text="Already so (already tagged, pinned, queued…).")
    refused = RefusedItemSerializer(many=True, help_text="Left alone, with the reason (e.g. another member's "
                                    "upload, for a member's delete).")


def _visible_upload(request: Request, pk: int):
    return generics.get_object_or_404(selectors.visible_uploads(request.user), pk=pk)


# --- Tags ---------------------------------------------------------------------

@extend_schema_view(
    get=extend_schema(summary="The team's tags", responses={200: TagSerializer(many=True), **responses()}),
    post=extend_schema(summary="Make a tag (members)", request=TagCreateSerializer,
                       responses={201: TagSerializer, **TAG_ERRORS}),
)
class TagList(APIView):
    token_scope = "upload"

    def get(self, request: Request, slug: str) -> Response:
        team = get_team(request.user, slug)
        return Response(TagSerializer(tag_selectors.tags_of(team), many=True).data)

    def post(self, request: Request, slug: str) -> Response:
        team = get_team(request.user, slug)
        data = TagCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tag = tag_services.create_tag(team, request.user, data.validated_data["name"], data.validated_data["colour"])
        return Response(TagSerializer(tag_selectors.tags_of(team).get(pk=tag.pk)).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    patch=extend_schema(summary="Rename or recolour a tag (admins, owners)", request=TagUpdateSerializer,
                        responses={200: TagSerializer, **TAG_ERRORS}),
    delete=extend_schema(summary="Delete a tag from the team and its uploads (admins, owners)",
                         responses={204: None, **responses()}),
)
class TagDetail(APIView):
    token_scope = "admin"
    parser_classes = [JSONParser]

    def patch(self, request: Request, slug: str, pk: int) -> Response:
        team = get_team(request.user, slug)
        data = TagUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tag = tag_services.update_tag(team, request.user, pk, **data.validated_data)
        return Response(TagSerializer(tag_selectors.tags_of(team).get(pk=tag.pk)).data)

    def delete(self, request: Request, slug: str, pk: int) -> Response:
        team = get_team(request.user, slug)
        tag_services.delete_tag(team, request.user, pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    put=extend_schema(summary="Set an upload's tags (members)", description="The upload carries exactly these "
                      "tags afterwards; an empty list takes them all off.", request=TagNamesSerializer,
                      responses={200: UploadTagSerializer(many=True), **TAG_ERRORS}),
    post=extend_schema(summary="Add tags to an upload (members)", request=TagNamesSerializer,
                       responses={200: UploadTagSerializer(many=True), **TAG_ERRORS}),
)
class UploadTags(APIView):
    token_scope = "upload"
    parser_classes = [JSONParser]

    def _names(self, request: Request) -> list[str]:
        data = TagNamesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data["tags"]

    def _answer(self, upload) -> Response:
        upload = selectors.visible_uploads(self.request.user).get(pk=upload.pk)
        return Response(tag_selectors.tag_dicts(upload))

    def put(self, request: Request, pk: int) -> Response:
        upload = _visible_upload(request, pk)
        tag_services.set_tags(upload, request.user, self._names(request))
        return self._answer(upload)

    def post(self, request: Request, pk: int) -> Response:
        upload = _visible_upload(request, pk)
        tags = tag_services.resolve(upload.team, request.user, self._names(request))
        tag_services.change_tags(upload, request.user, add=tags)
        return self._answer(upload)


# --- Notes and notifications ----------------------------------------------------

@extend_schema_view(
    get=extend_schema(summary="Notes on an upload", responses={200: NoteSerializer(many=True), **responses()}),
    post=extend_schema(summary="Write a note (members)", description="`@username` mentions a member of the team: "
                       "they get a notification (and an e-mail when the server sends mail).",
                       request=NoteCreateSerializer, responses={201: NoteSerializer, **NOTE_ERRORS}),
)
class UploadNotes(APIView):
    token_scope = "upload"
    parser_classes = [JSONParser]

    def get(self, request: Request, pk: int) -> Response:
        upload = _visible_upload(request, pk)
        notes = note_selectors.notes_of(upload).prefetch_related("notifications__user")
        return Response(NoteSerializer(notes, many=True).data)

    def post(self, request: Request, pk: int) -> Response:
        upload = _visible_upload(request, pk)
        data = NoteCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = note_services.add_note(upload, request.user, data.validated_data["body"])
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)


@extend_schema(summary="Delete a note (its author, admins, owners)", responses={204: None, **responses()})
class UploadNoteDetail(APIView):
    token_scope = "upload"

    def delete(self, request: Request, pk: int, note_id: int) -> Response:
        note_services.delete_note(_visible_upload(request, pk), request.user, note_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(summary="Your notifications", description="Mentions of you in notes, newest first, of the teams "
               "you belong to.", parameters=[NotificationQuerySerializer],
               responses={200: NotificationSerializer(many=True), **responses()})
class NotificationList(generics.ListAPIView):
    serializer_class = NotificationSerializer
    pagination_class = NewestFirstCursor

    def get_queryset(self):
        query = NotificationQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return note_selectors.notifications_of(self.request.user, unread=query.validated_data["unread"]) \
            .prefetch_related("note__notifications__user")


@extend_schema(summary="Mark notifications read", request=MarkReadSerializer,
               responses={200: MarkedSerializer, **responses()})
class NotificationsRead(APIView):
    token_scope = "read"
    parser_classes = [JSONParser]

    def post(self, request: Request) -> Response:
        data = MarkReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marked = note_services.mark_read(request.user, data.validated_data.get("ids"))
        return Response({"marked": marked, "unread": note_selectors.unread_count(request.user)})


# --- Saved searches -------------------------------------------------------------

@extend_schema_view(
    get=extend_schema(summary="Your saved searches and the team's shared ones",
                      responses={200: SavedSearchSerializer(many=True), **responses()}),
    post=extend_schema(summary="Save a search", description="Every member keeps their own; admins and owners may "
                       "share one with the team. The filter is stored in its canonical form.",
                       request=SavedSearchCreateSerializer,
                       responses={201: SavedSearchSerializer, **responses("saved_search_refused")}),
)
class SavedSearchList(APIView):
    token_scope = "upload"
    parser_classes = [JSONParser]

    def get(self, request: Request, slug: str) -> Response:
        team = get_team(request.user, slug)
        return Response(SavedSearchSerializer(saved_selectors.searches_for(team, request.user), many=True).data)

    def post(self, request: Request, slug: str) -> Response:
        team = get_team(request.user, slug)
        data = SavedSearchCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        saved = saved_services.save_search(team, request.user, values["name"], values["query"], values["shared"])
        return Response(SavedSearchSerializer(saved).data, status=status.HTTP_201_CREATED)


@extend_schema(summary="Delete a saved search (yours; shared ones: admins, owners)",
               responses={204: None, **responses()})
class SavedSearchDetail(APIView):
    token_scope = "upload"

    def delete(self, request: Request, slug: str, pk: int) -> Response:
        saved_services.delete_search(get_team(request.user, slug), request.user, pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Bulk actions ---------------------------------------------------------------

@extend_schema(
    summary="Act on a selection of uploads",
    description=(
        "One request for the whole selection: `ids`, or `matching` (every upload matching a filter). "
        "`tag` / `untag` (members; `tags` names them), `pin` / `unpin`, `rerun` (optional `profile`), `delete` "
        "(members their own uploads, admins and owners anyone's). A role that may not do the action at all gets "
        "403 and nothing changes; uploads that may not be changed are left alone and listed in `refused`. "
        "To export a selection, `POST /api/export/` with its `ids`."
    ),
    request=BulkSerializer,
    responses={200: BulkSummarySerializer,
               **responses("bulk_refused", "bad_filter", "tag_refused", "unknown_profile", "unknown_uploads")},
    examples=[OpenApiExample("Tag two uploads", request_only=True,
                             value={"action": "tag", "ids": [41, 42], "tags": ["invoice"]}),
              OpenApiExample("Delete all matching", request_only=True,
                             value={"action": "delete", "matching": "tag=draft&status=failed"})],
)
class Bulk(APIView):
    token_scope = "upload"
    parser_classes = [JSONParser]

    def post(self, request: Request, slug: str) -> Response:
        team = get_team(request.user, slug)
        data = BulkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        require(request.user, team, bulk.NEEDS[values["action"]])
        uploads = bulk.select(team, request.user, values.get("ids"), values.get("matching"))
        summary = bulk.run(team, request.user, values["action"], uploads, tags=values.get("tags", ()),
                           profile=values.get("profile"))
        return Response(summary.as_dict())
