"""Teams, memberships, invitations, personal access tokens and the audit log."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from teams.roles import Role


def token_of(user) -> "AccessToken | None":
    """The access token this request's ``user`` signed in with, if any
    (set by ``teams.access_tokens.AccessTokenAuthentication``)."""
    return getattr(user, "_ocrspace_access_token", None)


def default_retention_days() -> int:
    return settings.OCRSPACE_RETENTION_DAYS


class TeamQuerySet(models.QuerySet):
    def for_user(self, user) -> "TeamQuerySet":
        """Teams ``user`` belongs to. Anonymous or inactive users get none; a
        request made with an access token limited to some teams sees those."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        teams = self.filter(memberships__user=user)
        token = token_of(user)
        if token is None:
            return teams
        if token.expires_at is None:
            teams = teams.filter(allow_tokens_without_expiry=True)
        return teams.filter(pk__in=token.team_ids) if token.team_ids else teams


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    retention_days = models.PositiveIntegerField(
        _("retention days"),
        default=default_retention_days,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("Uploads older than this are deleted, unless pinned."),
    )
    ocr_profile = models.CharField(
        _("OCR profile"), max_length=20, blank=True, default="",
        help_text=_("Engine profile for new uploads; empty: the server's default."),
    )
    require_two_factor = models.BooleanField(
        _("require two-factor sign-in"), default=False,
        help_text=_("Members must set up an authenticator app before they can use the site (owners decide)."),
    )
    allow_tokens_without_expiry = models.BooleanField(
        _("allow access tokens without expiry"), default=True,
        help_text=_("Off: access tokens that reach this team must expire; tokens without expiry stop reaching it."),
    )
    allow_sharing = models.BooleanField(
        _("allow share links"), default=True,
        help_text=_("Off: members cannot create read-only share links, and existing links stop working."),
    )
    # Quotas (recognition.quotas); null: the deployment's default
    # (OCRSPACE_TEAM_MAX_QUEUED, OCRSPACE_TEAM_MAX_STORED_BYTES), 0: unlimited.
    max_queued_uploads = models.PositiveIntegerField(
        _("max. queued uploads"), null=True, blank=True,
        help_text=_("Uploads waiting or being read at once; empty: the server's default, 0: unlimited."),
    )
    max_stored_bytes = models.PositiveBigIntegerField(
        _("max. stored bytes"), null=True, blank=True,
        help_text=_("Sum of the team's upload file sizes; empty: the server's default, 0: unlimited."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TeamQuerySet.as_manager()

    @property
    def queued_limit(self) -> int:
        """The team's limit on uploads waiting or being read (0: none)."""
        if self.max_queued_uploads is not None:
            return self.max_queued_uploads
        return settings.OCRSPACE_TEAM_MAX_QUEUED

    @property
    def stored_bytes_limit(self) -> int:
        """The team's limit on the bytes of its uploads (0: none)."""
        if self.max_stored_bytes is not None:
            return self.max_stored_bytes
        return settings.OCRSPACE_TEAM_MAX_STORED_BYTES

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet):
    def owners(self) -> "MembershipQuerySet":
        return self.filter(role=Role.OWNER)


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)
    # The team a user worked in last is the one with the newest timestamp.
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Empty: made by hand (invitation, admin). "oidc:<provider>" or "ldap":
    # given by that source's team map, which removes it when the group goes.
    managed_by = models.CharField(_("managed by"), max_length=60, blank=True, default="")

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "team"], name="one_membership_per_team")]
        ordering = ["team__name", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"


def new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token, editable=False)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    email = models.EmailField(blank=True, help_text=_("Optional: only this address may accept."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation to {self.team} as {self.role}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class AuditEntry(models.Model):
    """One moderation or membership action: who did what to which object."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150, help_text=_("Kept when the user is deleted."))
    action = models.CharField(max_length=50, db_index=True)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    target_type = models.CharField(max_length=50)
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(max_length=200)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.actor_name} {self.action} {self.target_type} {self.target_repr}"


class AccessToken(models.Model):
    """A personal access token: a long random secret a script holds instead
    of a password. Only its SHA-256 digest is stored; its first characters
    (``prefix``) are kept to tell tokens apart in lists."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    # Empty: every team of the user's, now and later.
    teams = models.ManyToManyField(Team, blank=True, related_name="access_tokens")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def team_ids(self) -> list[int]:
        """The teams it is limited to (empty: all of its user's); read once per request."""
        if not hasattr(self, "_team_ids"):
            self._team_ids = sorted(self.teams.values_list("pk", flat=True))
        return self._team_ids

    @property
    def throttle_key(self) -> str:
        return f"token-{self.pk}"

    def expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())
