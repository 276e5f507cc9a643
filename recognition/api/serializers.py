"""Serializers of the recognition API: uploads, results, search hits, events."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ocrspace.api_input import StrictInput
from recognition import filters, result_outputs, selectors, signatures
from recognition.models import Upload, UploadStatus
from recognition.outputs import LAYOUTS, LINES
from recognition.representation import value
from recognition.search import Snippet
from recognition.tags.services import NAME_PATTERN

PROFILE_HELP = ("Engine profile: accurate (best reading), fast (quicker; Chinese and English) or v4 (the earlier "
                "engine). Default: the team's profile, else the server's.")


LAYOUT_HELP = ("Layout mode of the text: lines (one per visual line, as read), paragraphs (wrapped lines joined: "
               "CJK without spaces, Latin with one, end-of-line hyphens resolved) or code (indentation from the x "
               "positions, editor gutter line numbers left out).")


class BoxField(serializers.ListField):
    child = serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2)


class WordSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="A run of characters without whitespace (a run of CJK characters is one word).")
    confidence = serializers.FloatField(help_text="Mean of its characters' confidences.")
    box = BoxField(help_text="Four [x, y] corners in image pixels, in reading direction from top left.")
    chars = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(), min_length=4, max_length=4),
        help_text="[x0, y0, x1, y1] of each character of `text`, in image pixels.")
    char_confidences = serializers.ListField(child=serializers.FloatField(),
                                             help_text="Confidence of each character of `text`.")


class CellSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)
    box = serializers.ListField(child=serializers.FloatField(), min_length=4, max_length=4,
                                help_text="[x0, y0, x1, y1] in image pixels.")


class LineSerializer(serializers.Serializer):
    text = serializers.CharField()
    confidence = serializers.FloatField()
    box = BoxField(help_text="Four [x, y] corners in image pixels, clockwise from top left.")
    # Results read before engine version 4 have no words.
    words = WordSerializer(many=True, required=False,
                           help_text="The engine's words with word and character boxes (from the CTC alignment).")
    cells = CellSerializer(many=True, required=False,
                           help_text="Table or form cells of the line (its text has a tab between them).")
    page = serializers.IntegerField(required=False, help_text="A PDF's page the line is on (from 1); boxes are "
                                    "in that page's pixels at OCRSPACE_PDF_DPI.")


class PageSerializer(serializers.Serializer):
    page = serializers.IntegerField()
    source = serializers.ChoiceField(choices=["text_layer", "ocr"],
                                     help_text="text_layer: the PDF's own text, no OCR; ocr: the page was read.")
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    confidence = serializers.FloatField()


class SignatureSerializer(serializers.Serializer):
    algorithm = serializers.CharField()
    key_id = serializers.CharField()
    value = serializers.CharField(help_text="base64url")
    signed = serializers.CharField(help_text="The signed statement; compare its fields with the data.")


class LayoutTextSerializer(serializers.Serializer):
    layout = serializers.ChoiceField(choices=LAYOUTS)
    text = serializers.CharField(allow_blank=True, help_text="Pages (of a multi-page upload) joined by a form feed.")
    monospace = serializers.BooleanField(allow_null=True, help_text="code: the page looked monospaced (null: not "
                                         "measured or not code).")
    gutter = serializers.BooleanField(help_text="code: line numbers of an editor's gutter were left out.")


class LayoutQuerySerializer(StrictInput):
    layout = serializers.ChoiceField(choices=LAYOUTS, required=False, help_text=LAYOUT_HELP)


class ResultSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, help_text="The current text (corrections included), reading "
                                 "order, one line per text line.")
    version = serializers.IntegerField(help_text="Version of the text; send it with a PATCH.")
    engine_text = serializers.CharField(allow_blank=True, help_text="What the engine read (`lines` are its lines).")
    corrected = serializers.SerializerMethodField(help_text="The current text differs from the engine's reading.")
    confidence = serializers.FloatField()
    lines = LineSerializer(many=True)
    pages = PageSerializer(many=True, help_text="A PDF's pages in order (its text: `text` split at form feeds); "
                           "empty for an image.")
    engine_version = serializers.CharField(help_text="Engine, weights and settings fingerprint that read it.")
    profile = serializers.CharField(help_text="Engine profile that read it (accurate, fast, v4).")
    timings = serializers.DictField(child=serializers.FloatField(), help_text="Milliseconds per stage.")
    reused = serializers.BooleanField(help_text="Copied from an identical image; no inference ran.")
    created_at = serializers.DateTimeField()
    signature = serializers.SerializerMethodField(
        help_text="Ed25519 signature of the statement `signed` (canonical JSON of team and upload ids, MD5, "
                  "SHA-256, current text, engine version, time) under the key `key_id` of /.well-known/jwks.json.")
    layout = serializers.SerializerMethodField(help_text="The text in the layout mode asked for with `?layout=`; "
                                               "null without it.")

    @extend_schema_field(LayoutTextSerializer(allow_null=True))
    def get_layout(self, result) -> dict | None:
        mode = self.context.get("layout")
        if not mode:
            return None
        laid = result_outputs.laid_out(result, mode)
        return {"layout": laid.layout, "text": laid.text, "monospace": laid.monospace, "gutter": laid.gutter}

    def get_corrected(self, result) -> bool:
        return result.text != result.engine_text

    @extend_schema_field(SignatureSerializer(allow_null=True))
    def get_signature(self, result) -> dict | None:
        return signatures.signature_of(result, result.upload)


class DedupSerializer(serializers.Serializer):
    sightings = serializers.IntegerField(help_text="How often the same image was uploaded again to this team.")
    last_seen_at = serializers.DateTimeField(allow_null=True)
    reused_result = serializers.BooleanField(help_text="The text was copied from an identical image elsewhere.")


class UploadSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    name = serializers.CharField(source="original_name", read_only=True)
    uploaded_by = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    image_url = serializers.SerializerMethodField()
    preview = serializers.SerializerMethodField()
    confidence = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=UploadStatus.choices, read_only=True)
    tags = serializers.SerializerMethodField()

    class Meta:
        model = Upload
        fields = [
            "id", "team", "name", "status", "error", "uploaded_by", "created_at", "started_at", "finished_at",
            "width", "height", "byte_size", "image_type", "md5", "sha256", "pinned", "attempts", "profile",
            "confidence", "preview", "url", "image_url", "page_count", "tags",
        ]
        read_only_fields = fields

    # The computed fields come from the one representation of an upload.
    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_uploaded_by(self, upload: Upload) -> str | None:
        return value(upload, "uploaded_by")

    def get_url(self, upload: Upload) -> str:
        return value(upload, "url")

    def get_image_url(self, upload: Upload) -> str:
        return value(upload, "image_url")

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="First lines of the text."))
    def get_preview(self, upload: Upload) -> str | None:
        return value(upload, "preview")

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_confidence(self, upload: Upload) -> float | None:
        return value(upload, "confidence")

    @extend_schema_field(serializers.ListField(child=serializers.DictField(), help_text="The upload's tags: "
                                               "{name, colour}, by name."))
    def get_tags(self, upload: Upload) -> list[dict]:
        return value(upload, "tags")


class UploadDetailSerializer(UploadSerializer):
    result = serializers.SerializerMethodField()
    dedup = serializers.SerializerMethodField()

    class Meta(UploadSerializer.Meta):
        fields = UploadSerializer.Meta.fields + ["result", "dedup"]
        read_only_fields = fields

    @extend_schema_field(ResultSerializer(allow_null=True))
    def get_result(self, upload: Upload) -> dict | None:
        result = selectors.done_result(upload)
        return ResultSerializer(result, context={"layout": self.context.get("layout")}).data if result else None

    @extend_schema_field(DedupSerializer)
    def get_dedup(self, upload: Upload) -> dict:
        last = upload.sightings.order_by("-seen_at").first()
        result = selectors.done_result(upload)
        return {
            "sightings": upload.sightings.count(),
            "last_seen_at": last.seen_at if last else None,
            "reused_result": bool(result and result.reused),
        }


class UploadListQuerySerializer(filters.FilterSerializer):
    """The filter of ``recognition.filters`` (the pages' too), and the team."""

    team = serializers.SlugField(required=False, help_text="Team slug; default: all your teams.")


TAGS_HELP = ('Tag names to put on every upload, as a JSON array (`["invoice", "2026"]`); a name the team lacks '
             "makes a new tag.")
# A form field is text: the tags part is JSON (see recognition.api.common.requested_tags).
TAGS_ENCODING = {"tags": {"contentType": "application/json"}}


class UploadCreateSerializer(StrictInput):
    """Documents the multipart form; the view reads the files itself."""

    files = serializers.ListField(child=serializers.FileField(), min_length=1,
                                  help_text="One or more images (repeat the field).")
    team = serializers.SlugField(required=False, help_text="Team slug; default: your current team.")
    profile = serializers.ChoiceField(choices=list(settings.OCRSPACE_PROFILES), required=False,
                                      help_text=PROFILE_HELP)
    tags = serializers.ListField(child=serializers.RegexField(NAME_PATTERN.pattern, max_length=filters.TAG_NAME_LENGTH,
                                                              trim_whitespace=False),
                                 required=False, max_length=20, help_text=TAGS_HELP)


class ZipCreateSerializer(StrictInput):
    archive = serializers.FileField(help_text="A ZIP archive of images.")
    team = serializers.SlugField(required=False, help_text="Team slug; default: your current team.")
    profile = serializers.ChoiceField(choices=list(settings.OCRSPACE_PROFILES), required=False,
                                      help_text=PROFILE_HELP)
    tags = serializers.ListField(child=serializers.RegexField(NAME_PATTERN.pattern, max_length=filters.TAG_NAME_LENGTH,
                                                              trim_whitespace=False),
                                 required=False, max_length=20, help_text=TAGS_HELP)


class RerunSerializer(StrictInput):
    profile = serializers.ChoiceField(choices=list(settings.OCRSPACE_PROFILES), required=False,
                                      help_text="Read it with this profile; default: the profile it was read with.")


class ItemResultSerializer(serializers.Serializer):
    name = serializers.CharField()
    ok = serializers.BooleanField()
    status = serializers.IntegerField(help_text="201 created, 200 already in the team, else the error's HTTP status.")
    error = serializers.CharField(allow_blank=True)
    deduplicated = serializers.BooleanField()
    upload = UploadSerializer(allow_null=True)


class QuotaSerializer(serializers.Serializer):
    limit = serializers.ChoiceField(choices=["queued_uploads", "stored_bytes"], help_text="Which quota refused.")
    max = serializers.IntegerField(help_text="The team's limit (uploads, or bytes).")
    current = serializers.IntegerField(help_text="What the team uses now.")
    requested = serializers.IntegerField(required=False, help_text="Bytes of the refused file (stored_bytes only).")


class BatchResultSerializer(serializers.Serializer):
    team = serializers.CharField()
    created = serializers.IntegerField()
    deduplicated = serializers.IntegerField()
    failed = serializers.IntegerField()
    results = ItemResultSerializer(many=True)
    quota = QuotaSerializer(required=False, help_text="Present when a team quota refused a file: the first such.")
    code = serializers.CharField(required=False, help_text="When a quota refused every file: its code.")


class SearchQuerySerializer(filters.FilterSerializer):
    """The text to find, narrowed by the other parameters of the filter."""

    team = serializers.SlugField(required=False, help_text="Team slug; default: your current team.")
    q = serializers.CharField(max_length=200, help_text="Substring to find (any language).")


class SearchHitSerializer(serializers.Serializer):
    upload = UploadSerializer()
    snippet = serializers.CharField(help_text="Plain text around the first match (not HTML; escape it).")
    matches = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2),
        help_text="[start, end) offsets of the matches in `snippet`, in Unicode code points.",
    )
    total_matches = serializers.IntegerField()
    truncated_start = serializers.BooleanField()
    truncated_end = serializers.BooleanField()


def search_hit(upload: Upload, snippet: Snippet, context: dict) -> dict:
    return {
        "upload": UploadSerializer(upload, context=context).data,
        "snippet": snippet.text,
        "matches": [list(m) for m in snippet.matches],
        "total_matches": snippet.total_matches,
        "truncated_start": snippet.truncated_start,
        "truncated_end": snippet.truncated_end,
    }


class ExportQuerySerializer(filters.FilterSerializer):
    """Which uploads to export: every condition given applies; none: the whole team.
    Beside its own, the parameters of the filter (tag, profile, pinned, …)."""

    team = serializers.SlugField(required=False, help_text="Team slug; default: your current team.")
    format = serializers.ChoiceField(choices=["txt", "json", "csv", "md", "markdown", "pdf"], default="json")
    # At most 18 digits: every such number is a valid id (below 2**63).
    ids = serializers.RegexField(r"^\s*\d{1,18}(\s*,\s*\d{1,18})*\s*$", required=False,
                                 help_text="Comma-separated upload ids (at most 10,000; long lists in a POST body).")
    q = serializers.CharField(required=False, max_length=200, help_text="Only finished uploads whose text contains this.")
    status = serializers.ChoiceField(choices=UploadStatus.choices, required=False)
    # A username as Django allows it; the pattern tells the schema that blank text is none.
    uploader = serializers.RegexField(r"^[\w.@+-]+$", required=False, max_length=150, help_text="Username of the uploader.")
    created_after = serializers.DateTimeField(required=False, help_text="Uploaded at or after this time.")
    created_before = serializers.DateTimeField(required=False, help_text="Uploaded before this time.")
    layout = serializers.ChoiceField(choices=LAYOUTS, default=LINES, help_text=LAYOUT_HELP)

    def validate_ids(self, value: str) -> list[int]:
        ids = sorted({int(i) for i in value.split(",")})
        if ids and ids[-1] > 2**63 - 1:
            raise serializers.ValidationError("An id is out of range.")
        return ids


class TagBriefSerializer(serializers.Serializer):
    name = serializers.CharField()
    colour = serializers.CharField()


class NoteBriefSerializer(serializers.Serializer):
    author = serializers.CharField()
    created_at = serializers.CharField()
    body = serializers.CharField(help_text="Plain text; escape it.")


class ExportRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    team = serializers.CharField()
    uploaded_by = serializers.CharField(allow_null=True)
    created_at = serializers.CharField()
    status = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    md5 = serializers.CharField()
    confidence = serializers.FloatField(allow_null=True)
    engine_version = serializers.CharField(allow_null=True)
    text = serializers.CharField(allow_blank=True)
    layout = serializers.ChoiceField(choices=LAYOUTS, required=False, help_text="With a layout other than lines.")
    layout_text = serializers.CharField(allow_blank=True, required=False,
                                        help_text="The text in `layout`; `text` stays the signed current text.")
    tags = TagBriefSerializer(many=True)
    notes = NoteBriefSerializer(many=True)


class ExportDocumentSerializer(serializers.Serializer):
    uploads = ExportRowSerializer(many=True)


class EventQuerySerializer(StrictInput):
    after = serializers.IntegerField(min_value=0, max_value=2**63 - 1, default=0, help_text="Last event id the client has seen.")
    limit = serializers.IntegerField(min_value=1, max_value=1000, default=500)


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    team = serializers.IntegerField()
    upload_id = serializers.IntegerField()
    created_at = serializers.CharField()
    upload = serializers.DictField(help_text="The upload's summary at the time (for deletions only its id; for "
                                               "`uploads.expired`, `{ids, count, reason}` with `upload_id` 0).")


class EventPageSerializer(serializers.Serializer):
    events = EventSerializer(many=True)
    last_id = serializers.IntegerField(help_text="Pass as `after` next time.")
    more = serializers.BooleanField(help_text="More events are waiting; ask again at once.")
