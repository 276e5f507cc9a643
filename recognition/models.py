"""Uploads, their OCR results, sightings of duplicates and the event outbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recognition.terms import terms_of
from teams.models import Team


class UploadStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    PROCESSING = "processing", _("Processing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


# An upload in one of these states waits for nothing more.
FINISHED_STATUSES = (UploadStatus.DONE, UploadStatus.FAILED)


class Lane(models.TextChoices):
    """Which work goes first (``recognition.lanes``): what a person is
    waiting for, before batches."""

    INTERACTIVE = "interactive", _("Interactive")
    BULK = "bulk", _("Bulk")


class UploadQuerySet(models.QuerySet):
    def for_user(self, user) -> "UploadQuerySet":
        """Uploads of the user's teams, without moderator-hidden ones."""
        return self.filter(team__in=Team.objects.for_user(user), hidden=False)

    def of_team(self, team: Team) -> "UploadQuerySet":
        return self.filter(team=team, hidden=False)

    def same_image(self, md5: str, sha256: str) -> "UploadQuerySet":
        """Uploads of exactly these bytes. MD5 alone is never trusted: MD5
        collisions are cheap to make, SHA-256 ones are not."""
        return self.filter(md5=md5, sha256=sha256)

    def expired_in(self, team: Team, now=None) -> "UploadQuerySet":
        """Unpinned uploads of ``team`` older than its retention."""
        cutoff = (now or timezone.now()) - timezone.timedelta(days=team.retention_days)
        return self.filter(team=team, pinned=False, created_at__lt=cutoff)


class Upload(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="uploads")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="uploads"
    )
    # Content-addressed path under MEDIA_ROOT, shared by every upload of the
    # same bytes; never exposed as a URL.
    # Indexed: deleting an upload asks whether another one still uses the file.
    file_path = models.CharField(max_length=200, db_index=True)
    md5 = models.CharField(max_length=32, db_index=True)
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(max_length=255)
    byte_size = models.PositiveBigIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    image_type = models.CharField(max_length=10, help_text=_("Detected from the bytes, not the name."))
    # A PDF is one upload of several pages (``width``/``height``: its first
    # page at OCRSPACE_PDF_DPI); an image has one.
    page_count = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=12, choices=UploadStatus.choices, default=UploadStatus.QUEUED, db_index=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    hidden = models.BooleanField(default=False, help_text=_("Hidden by a moderator."))
    pinned = models.BooleanField(default=False, help_text=_("Exempt from retention."))
    profile = models.CharField(max_length=20, blank=True, default="",
                               help_text=_("Engine profile to read it with; empty: the server's default."))
    # Bulk uploads wait in their lane with no ``enqueued_at`` until
    # ``recognition.lanes.dispatch`` hands them to the queue.
    lane = models.CharField(max_length=12, choices=Lane.choices, default=Lane.INTERACTIVE)
    # The name's CJK characters and pairs (recognition.terms), for one- and
    # two-character searches; kept with ``original_name`` by save().
    name_terms = models.TextField(blank=True, default="", editable=False)

    objects = UploadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "md5", "sha256"], name="one_upload_per_image_per_team"),
        ]
        indexes = [
            models.Index(fields=["team", "-created_at"], name="upload_team_recent"),
            # The bulk lane's dispatcher: what waits, and what is in flight.
            models.Index(fields=["lane", "status", "enqueued_at"], name="upload_lane_waiting"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.md5[:8]})"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "original_name" in update_fields:
            self.name_terms = terms_of(self.original_name)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "name_terms"}
        super().save(*args, **kwargs)

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES


class Sighting(models.Model):
    """Someone uploaded an image the team already had."""

    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="sightings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    original_name = models.CharField(max_length=255)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-seen_at"]


class Result(models.Model):
    upload = models.OneToOneField(Upload, on_delete=models.CASCADE, related_name="result")
    # The current text: what the engine read, or a person's correction of it.
    # Every reader (pages, API, search, export, webhooks) shows this one; the
    # engine's own reading stays in ``engine_text`` and in the history.
    text = models.TextField(help_text=_("Current text in reading order, one line per text line."))
    engine_text = models.TextField(blank=True, default="", help_text=_("What the engine read, never edited."))
    version = models.PositiveIntegerField(default=1, help_text=_("Number of the current text version."))
    confidence = models.FloatField()
    # [{"text": str, "confidence": float, "box": [[x, y] * 4]}, ...]; a
    # document's lines also carry their "page" (from 1), boxes in that page's pixels.
    lines = models.JSONField(default=list)
    # A document's pages, in order: [{"page": n, "source": "text_layer" | "ocr",
    # "width": px, "height": px, "confidence": float}, ...]; the text of page n
    # is the n-th part of ``text`` split at form feeds. Empty for an image.
    pages = models.JSONField(default=list, blank=True)
    # Room for the vocabulary suffix ("+v" and 8 hex digits) after the longest
    # profile version (about 90 characters).
    engine_version = models.CharField(max_length=150, db_index=True)
    profile = models.CharField(max_length=20, blank=True, default="", help_text=_("Engine profile that read it."))
    timings = models.JSONField(default=dict, help_text=_("Milliseconds per stage."))
    reused = models.BooleanField(default=False, help_text=_("Copied from an identical image; no inference ran."))
    created_at = models.DateTimeField(default=timezone.now)
    # Ed25519 over the canonical statement (recognition.signatures).
    signature = models.CharField(max_length=100, blank=True, default="")
    signature_key = models.CharField(max_length=32, blank=True, default="")
    signed_at = models.DateTimeField(null=True, blank=True)
    # The current text's CJK characters and pairs (recognition.terms), for
    # one- and two-character searches; kept in step with ``text`` by save()
    # and by every update of the text (recognition.corrections).
    terms = models.TextField(blank=True, default="", editable=False)

    def __str__(self) -> str:
        return f"Result of upload {self.upload_id}"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "text" in update_fields:
            self.terms = terms_of(self.text)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "terms"}
        super().save(*args, **kwargs)


class SigningKey(models.Model):
    """A key that signs results. The private half is encrypted with a key
    derived from SECRET_KEY, so every machine of a deployment (web and
    workers share the database and the secret) can use it and a copy of the
    database alone cannot forge signatures. Retired keys stay published."""

    kid = models.CharField(max_length=32, unique=True)
    public_key = models.CharField(max_length=64, help_text=_("Raw Ed25519 public key, base64url."))
    private_key = models.TextField(help_text=_("Encrypted with a key derived from SECRET_KEY."))
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.kid


class VersionKind(models.TextChoices):
    READ = "read", _("Read by the engine")
    EDIT = "edit", _("Corrected")
    REVERT = "revert", _("Reverted")


class TextVersion(models.Model):
    """One version of an upload's text: an engine reading or a person's change.

    Rows are only ever added (and go with their upload). Numbers count up per
    upload; ``Result.version`` names the current one. A reading that arrives
    while a person's correction is current is kept here but does not become
    current (``became_current`` False) until someone reverts to it.
    """

    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="text_versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=VersionKind.choices)
    text = models.TextField()
    # The version that was current when this one was made (None for the first reading).
    parent = models.PositiveIntegerField(null=True, blank=True)
    reverted_to = models.PositiveIntegerField(null=True, blank=True)
    became_current = models.BooleanField(default=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    author_name = models.CharField(max_length=150, blank=True, help_text=_("Kept when the user is deleted."))
    profile = models.CharField(max_length=20, blank=True, default="")
    engine_version = models.CharField(max_length=150, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["upload", "number"], name="one_text_version_number_per_upload")]

    def __str__(self) -> str:
        return f"Version {self.number} of upload {self.upload_id}"


class EventKind(models.TextChoices):
    CREATED = "upload.created"
    UPDATED = "upload.updated"        # re-queued, pinned, shown again
    PROCESSING = "upload.processing"
    PROGRESS = "upload.progress"      # a page of a document was read
    DONE = "upload.done"
    FAILED = "upload.failed"
    DELETED = "upload.deleted"
    HIDDEN = "upload.hidden"
    CORRECTED = "upload.corrected"    # a person changed or reverted the text
    TAGGED = "upload.tagged"          # its tags changed
    NOTED = "upload.noted"            # a note was added or removed
    # Many uploads of a team removed by retention in one batch: payload
    # {"ids": [...], "count": n, "reason": "retention"}, upload_id 0.
    EXPIRED = "uploads.expired"


class Event(models.Model):
    """Transactional outbox of live-feed events.

    Written in the same transaction as the change it announces, so an event
    exists exactly when its change does; its increasing id lets a client
    that reconnects ask for everything it missed.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    upload_id = models.BigIntegerField(db_index=True)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["team", "id"], name="event_team_id")]


class VocabularyTerm(models.Model):
    """A term of a team's vocabulary: decoding favours it where the image supports it."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="vocabulary_terms")
    term = models.CharField(_("term"), max_length=64)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["term", "id"]
        constraints = [models.UniqueConstraint(fields=["team", "term"], name="one_vocabulary_term_per_team")]

    def __str__(self) -> str:
        return self.term


class VocabularyVersion(models.Model):
    """Bumped with every change of a team's terms, in the same transaction:
    workers cache the built vocabulary by (team, version) and reload it
    only when the version moved."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="vocabulary_version")
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)


# --- Organising: tags, notes, mentions, saved searches ------------------------

class TagColour(models.TextChoices):
    """A fixed palette: pages show a tag with the class ``tag-<colour>``, so
    no colour a user types ever reaches a style."""

    GREY = "grey", _("Grey")
    RED = "red", _("Red")
    ORANGE = "orange", _("Orange")
    YELLOW = "yellow", _("Yellow")
    GREEN = "green", _("Green")
    TEAL = "teal", _("Teal")
    BLUE = "blue", _("Blue")
    PURPLE = "purple", _("Purple")


class Tag(models.Model):
    """A team's label for uploads; an upload has any number of them."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("name"), max_length=40)
    colour = models.CharField(_("colour"), max_length=10, choices=TagColour.choices, default=TagColour.GREY)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    uploads = models.ManyToManyField(Upload, blank=True, related_name="tags")

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="one_tag_name_per_team")]

    def __str__(self) -> str:
        return self.name


class Note(models.Model):
    """A team member's note on an upload's result; goes with the upload."""

    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    author_name = models.CharField(max_length=150, help_text=_("Kept when the user is deleted."))
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note {self.pk} on upload {self.upload_id}"


class Notification(models.Model):
    """A member was mentioned (``@username``) in a note."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "note"], name="one_notification_per_mention")]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]


class SavedSearch(models.Model):
    """A filter of the team's uploads (its query string) kept under a name:
    its owner's, or shared with the whole team by an admin."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="saved_searches")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="saved_searches")
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(max_length=1000, help_text=_("The filter as a query string (recognition.filters)."))
    shared = models.BooleanField(_("shared with the team"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ShareLink(models.Model):
    """A read-only link to one upload (image, text, exports) for people
    outside the team (``recognition.sharing``). Only the token's SHA-256 is
    stored; the link is shown once, when it is made."""

    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="share_links")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8, help_text=_("The token's first characters, to tell links apart."))
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    views = models.PositiveIntegerField(default=0)
    last_viewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"share link {self.hint}… of upload {self.upload_id}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


# --- Teaching: a team's fine-tuned recognizer ---------------------------------

class TeamModelStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    TRAINING = "training", _("Training")
    ADOPTED = "adopted", _("Adopted")
    REJECTED = "rejected", _("Not adopted")
    FAILED = "failed", _("Failed")


class TeamModel(models.Model):
    """One fine-tuning run of a team's recognizer (``recognition.teaching``)
    and, when it passed the adoption rule, the model it made.

    The weights (only the fine-tuned neck and head) sit in the file storage
    under ``team-models/`` (``weights_path``), so workers on every machine
    load them alike. At most one model per team is ``active``: the one its
    uploads are read with; rolling back makes another one active, or none
    (the profile's own recognizer).
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="recognizer_models")
    number = models.PositiveIntegerField()
    profile = models.CharField(max_length=20, help_text=_("Engine profile whose recognizer was tuned."))
    family = models.CharField(max_length=40, help_text=_("Recognizer network that was tuned."))
    status = models.CharField(max_length=10, choices=TeamModelStatus.choices, default=TeamModelStatus.QUEUED)
    active = models.BooleanField(default=False)
    weights_path = models.CharField(max_length=200, blank=True, default="")
    weights_sha256 = models.CharField(max_length=64, blank=True, default="")
    # Figures of the run: CERs before/after on the held-out slice and the
    # everyday lines, line counts, seconds; ``progress`` one entry per epoch.
    metrics = models.JSONField(default=dict, blank=True)
    progress = models.JSONField(default=list, blank=True)
    reason = models.TextField(blank=True, default="", help_text=_("Why it was (not) adopted, or why it failed."))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["team", "number"], name="one_model_number_per_team"),
            models.UniqueConstraint(fields=["team"], condition=models.Q(active=True), name="one_active_model_per_team"),
        ]

    def __str__(self) -> str:
        return f"model {self.number} of {self.team}"

    @property
    def tag(self) -> str:
        """Short and stable id in a result's engine version."""
        return f"{self.team_id}.{self.number}.{self.weights_sha256[:8]}"
